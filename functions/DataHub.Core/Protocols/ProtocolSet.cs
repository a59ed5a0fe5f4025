using DataHub.Core.Feeds;

namespace DataHub.Core.Protocols;

/// <summary>Every partner's agreement plus the disclosure profiles they name: the hub's rules for who may send what.</summary>
public sealed class ProtocolSet
{
    private readonly Dictionary<string, PartnerProtocol> _partners;
    private readonly Dictionary<string, DisclosureProfileSettings> _profiles;

    /// <summary>Builds the set; the loader has already checked that names are unique and references resolve.</summary>
    public ProtocolSet(IEnumerable<PartnerProtocol> partners, IEnumerable<DisclosureProfileSettings> profiles)
    {
        _partners = partners.ToDictionary(p => p.Partner, StringComparer.Ordinal);
        _profiles = profiles.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>The partners, in name order.</summary>
    public IReadOnlyList<PartnerProtocol> Partners => [.. _partners.Values.OrderBy(p => p.Partner, StringComparer.Ordinal)];

    /// <summary>The disclosure profiles, by name.</summary>
    public IReadOnlyDictionary<string, DisclosureProfileSettings> Profiles => _profiles;

    /// <summary>The partner's agreement, or null when the hub has none.</summary>
    public PartnerProtocol? Find(string partner) => _partners.GetValueOrDefault(partner);

    /// <summary>
    /// Decides, before a byte of the file is read, whether <paramref name="partner"/> may send <paramref name="feed"/> on
    /// <paramref name="today"/>: the partner has an agreement, the feed is a known contract and in the agreement, and
    /// the agreement is in force.
    /// </summary>
    public ProtocolDecision Check(string partner, string feed, DateOnly today)
    {
        if (!_partners.TryGetValue(partner, out var protocol))
        {
            // A folder no agreement names is the sender's free text (it may name a person): it is never repeated.
            return ProtocolDecision.Refuse(ProtocolRules.UnknownPartner, "No data-sharing agreement exists for the partner folder the file was dropped in (a folder no agreement names is not repeated); nothing was read.", null, null);
        }

        if (FeedCatalog.Find(feed) is null)
        {
            return ProtocolDecision.Refuse(ProtocolRules.UnknownFeed, "The feed folder the file was dropped in is not a feed the hub has a contract for (its name is not repeated); nothing was read.", protocol, null);
        }

        if (!protocol.Feeds.TryGetValue(feed, out var agreement))
        {
            return ProtocolDecision.Refuse(
                ProtocolRules.FeedNotInAgreement,
                $"Agreement {protocol.AgreementId} does not cover feed '{feed}' for partner '{partner}'.",
                protocol,
                null);
        }

        if (today < protocol.ValidFrom)
        {
            return ProtocolDecision.Refuse(
                ProtocolRules.NotYetInForce,
                $"Agreement {protocol.AgreementId} comes into force on {protocol.ValidFrom:yyyy-MM-dd}; today is {today:yyyy-MM-dd}.",
                protocol,
                agreement);
        }

        if (today > protocol.ValidTo)
        {
            return ProtocolDecision.Refuse(
                ProtocolRules.Expired,
                $"Agreement {protocol.AgreementId} expired on {protocol.ValidTo:yyyy-MM-dd}; today is {today:yyyy-MM-dd}.",
                protocol,
                agreement);
        }

        return new ProtocolDecision(true, ProtocolRules.Allowed, $"Agreement {protocol.AgreementId} allows feed '{feed}' for purpose: {agreement.Purpose}", protocol, agreement);
    }

    /// <summary>
    /// Checks a file's header against the agreement's allow-list: every column must be a contract field on the
    /// allow-list, unless the agreement says to drop unexpected columns.
    /// </summary>
    /// <param name="agreement">The feed agreement that allowed the file.</param>
    /// <param name="contract">The feed's contract.</param>
    /// <param name="headers">The header names as sent (they are column names, never data values).</param>
    public static HeaderDecision CheckHeader(FeedAgreement agreement, FeedContract contract, IReadOnlyList<string> headers)
    {
        var outside = new List<string>();
        foreach (var header in headers)
        {
            var field = HeaderMatcher.Match(contract, header);
            if (field is null || !agreement.Allows(field.Name))
            {
                outside.Add(header);
            }
        }

        var dropped = contract.Fields.Where(f => !agreement.Allows(f.Name)).Select(f => f.Name).ToArray();
        if (outside.Count > 0 && agreement.UnexpectedField == UnexpectedFieldAction.Reject)
        {
            return new HeaderDecision(false, outside, dropped);
        }

        return new HeaderDecision(true, outside, dropped);
    }
}

/// <summary>The rule codes of protocol decisions, as they appear in audit events and rejection reports.</summary>
public static class ProtocolRules
{
    /// <summary>The agreement allows the file.</summary>
    public const string Allowed = "protocol.allowed";

    /// <summary>The partner has no agreement.</summary>
    public const string UnknownPartner = "protocol.unknown_partner";

    /// <summary>The feed has no contract.</summary>
    public const string UnknownFeed = "protocol.unknown_feed";

    /// <summary>The partner's agreement does not list the feed.</summary>
    public const string FeedNotInAgreement = "protocol.feed_not_in_agreement";

    /// <summary>The agreement's start date is in the future.</summary>
    public const string NotYetInForce = "protocol.not_yet_in_force";

    /// <summary>The agreement's end date has passed.</summary>
    public const string Expired = "protocol.expired";

    /// <summary>A column is not on the agreement's allow-list.</summary>
    public const string FieldOutsideAgreement = "protocol.field_outside_agreement";
}

/// <summary>Whether a partner may send a feed today, and why; the agreement is cited in the audit.</summary>
/// <param name="Allowed">True when the file may be read.</param>
/// <param name="Rule">A rule code from <see cref="ProtocolRules"/>.</param>
/// <param name="Reason">A sentence naming the agreement and what was decided.</param>
/// <param name="Protocol">The partner's agreement, when there is one.</param>
/// <param name="Agreement">The feed's part of it, when there is one.</param>
public sealed record ProtocolDecision(bool Allowed, string Rule, string Reason, PartnerProtocol? Protocol, FeedAgreement? Agreement)
{
    /// <summary>The agreement id to cite, or "none" when the partner has no agreement.</summary>
    public string AgreementId => Protocol?.AgreementId ?? "none";

    internal static ProtocolDecision Refuse(string rule, string reason, PartnerProtocol? protocol, FeedAgreement? agreement) =>
        new(false, rule, reason, protocol, agreement);
}

/// <summary>The outcome of checking a header against the allow-list.</summary>
/// <param name="Allowed">False when the file must be quarantined.</param>
/// <param name="ColumnsOutsideAgreement">Header names (as sent) that are not allowed contract fields.</param>
/// <param name="FieldsNotAllowed">Contract fields the agreement does not allow: never stored or pseudonymised.</param>
public sealed record HeaderDecision(bool Allowed, IReadOnlyList<string> ColumnsOutsideAgreement, IReadOnlyList<string> FieldsNotAllowed);
