using System.Globalization;
using System.Text.RegularExpressions;
using DataHub.Core.Feeds;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DataHub.Core.Protocols;

/// <summary>Reads protocol YAML documents (one per partner, plus "_profiles.yaml") into a checked <see cref="ProtocolSet"/>.</summary>
/// <remarks>The caller supplies the texts: the core does no I/O. A mistake in a protocol file stops the hub with a message naming the file.</remarks>
public static partial class ProtocolLoader
{
    /// <summary>The file name holding the disclosure profiles.</summary>
    public const string ProfilesFileName = "_profiles.yaml";

    private static readonly IDeserializer Yaml = new StaticDeserializerBuilder(new ProtocolYaml())
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>Parses and checks every document; <paramref name="documents"/> are (file name, YAML text) pairs.</summary>
    /// <exception cref="ProtocolFormatException">A document is malformed or refers to something that does not exist.</exception>
    public static ProtocolSet Load(IEnumerable<(string FileName, string Yaml)> documents)
    {
        var partners = new List<PartnerProtocol>();
        var profiles = new List<DisclosureProfileSettings>();
        foreach (var (fileName, text) in documents.OrderBy(d => d.FileName, StringComparer.Ordinal))
        {
            if (string.Equals(fileName, ProfilesFileName, StringComparison.Ordinal))
            {
                profiles.AddRange(ReadProfiles(fileName, text));
            }
            else
            {
                partners.Add(ReadPartner(fileName, text));
            }
        }

        var profileNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            if (!profileNames.Add(profile.Name))
            {
                throw new ProtocolFormatException(ProfilesFileName, $"disclosure profile '{profile.Name}' is defined twice.");
            }
        }

        var partnerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var partner in partners)
        {
            if (!partnerNames.Add(partner.Partner))
            {
                throw new ProtocolFormatException(partner.Partner + ".yaml", $"partner '{partner.Partner}' has more than one protocol file.");
            }

            foreach (var feed in partner.Feeds.Values.Where(f => !profileNames.Contains(f.DisclosureProfile)))
            {
                throw new ProtocolFormatException(
                    partner.Partner + ".yaml",
                    $"feed '{feed.Feed}' names disclosure profile '{feed.DisclosureProfile}', which {ProfilesFileName} does not define.");
            }
        }

        return new ProtocolSet(partners, profiles);
    }

    private static PartnerProtocol ReadPartner(string fileName, string text)
    {
        var doc = Deserialize<PartnerDocument>(fileName, text);
        var partner = Require(fileName, "partner", doc.Partner);
        if (!NamePattern().IsMatch(partner))
        {
            throw new ProtocolFormatException(fileName, $"partner '{partner}' must be lower-case letters, digits and hyphens.");
        }

        if (!string.Equals(Path.GetFileNameWithoutExtension(fileName), partner, StringComparison.Ordinal))
        {
            throw new ProtocolFormatException(fileName, $"the file must be named after its partner: {partner}.yaml.");
        }

        var validFrom = ParseDate(fileName, "valid_from", doc.ValidFrom);
        var validTo = ParseDate(fileName, "valid_to", doc.ValidTo);
        if (validTo < validFrom)
        {
            throw new ProtocolFormatException(fileName, "valid_to is before valid_from.");
        }

        if (doc.Feeds is null || doc.Feeds.Count == 0)
        {
            throw new ProtocolFormatException(fileName, "the agreement lists no feeds.");
        }

        var feeds = new Dictionary<string, FeedAgreement>(StringComparer.Ordinal);
        foreach (var (feedName, feed) in doc.Feeds)
        {
            feeds.Add(feedName, ReadFeed(fileName, feedName, feed));
        }

        return new PartnerProtocol(
            partner,
            Require(fileName, "agreement_id", doc.AgreementId),
            Require(fileName, "lawful_basis", doc.LawfulBasis),
            validFrom,
            validTo,
            feeds)
        {
            Scorecard = ReadScorecard(fileName, doc.Scorecard),
            Name = string.IsNullOrWhiteSpace(doc.Name) ? null : doc.Name.Trim(),
        };
    }

    private static ScorecardThresholds ReadScorecard(string fileName, ScorecardDocument? doc)
    {
        var d = ScorecardThresholds.Default;
        if (doc is null)
        {
            return d;
        }

        var t = new ScorecardThresholds(
            doc.LateRedDays ?? d.LateRedDays,
            doc.CompletenessAmber ?? d.CompletenessAmber,
            doc.CompletenessRed ?? d.CompletenessRed,
            doc.RejectedAmber ?? d.RejectedAmber,
            doc.RejectedRed ?? d.RejectedRed,
            doc.DuplicatesAmber ?? d.DuplicatesAmber,
            doc.DuplicatesRed ?? d.DuplicatesRed,
            doc.CoverageAmber ?? d.CoverageAmber,
            doc.CoverageRed ?? d.CoverageRed);
        double[] shares = [t.CompletenessAmber, t.CompletenessRed, t.RejectedAmber, t.RejectedRed, t.DuplicatesAmber, t.DuplicatesRed, t.CoverageAmber, t.CoverageRed];
        if (t.LateRedDays < 0 || shares.Any(s => s is < 0 or > 1 || double.IsNaN(s)))
        {
            throw new ProtocolFormatException(fileName, "scorecard: late_red_days must be 0 or more and every share between 0 and 1.");
        }

        if (t.CompletenessRed > t.CompletenessAmber || t.CoverageRed > t.CoverageAmber || t.RejectedRed < t.RejectedAmber || t.DuplicatesRed < t.DuplicatesAmber)
        {
            throw new ProtocolFormatException(fileName, "scorecard: each red threshold must be at least as far from good as its amber one.");
        }

        return t;
    }

    private static FeedAgreement ReadFeed(string fileName, string feedName, FeedDocument? doc)
    {
        var where = $"feed '{feedName}'";
        var contract = FeedCatalog.Find(feedName)
            ?? throw new ProtocolFormatException(fileName, $"{where} is not a feed the hub has a contract for.");
        if (doc is null)
        {
            throw new ProtocolFormatException(fileName, $"{where} has no settings.");
        }

        var fields = doc.Fields ?? throw new ProtocolFormatException(fileName, $"{where} has no allow-list (fields).");
        foreach (var field in fields.Where(f => contract.Find(f) is null))
        {
            throw new ProtocolFormatException(fileName, $"{where} allows '{field}', which is not a field of its contract.");
        }

        foreach (var required in contract.Fields.Where(f => f.Required && !fields.Contains(f.Name, StringComparer.Ordinal)))
        {
            throw new ProtocolFormatException(fileName, $"{where} does not allow required field '{required.Name}', so no file could be accepted.");
        }

        var action = (doc.UnexpectedField ?? "reject") switch
        {
            "reject" => UnexpectedFieldAction.Reject,
            "drop" => UnexpectedFieldAction.Drop,
            var other => throw new ProtocolFormatException(fileName, $"{where}: unexpected_field must be 'reject' or 'drop', not '{other}'."),
        };

        var rate = doc.ToleratedRowErrorRate ?? 0;
        if (rate is < 0 or > 1 || double.IsNaN(rate))
        {
            throw new ProtocolFormatException(fileName, $"{where}: tolerated_row_error_rate must be between 0 and 1.");
        }

        var retention = doc.Retention ?? throw new ProtocolFormatException(fileName, $"{where} has no retention settings.");
        var rawDays = retention.RawDays ?? throw new ProtocolFormatException(fileName, $"{where}: retention.raw_days is missing.");
        var martDays = retention.MartDays ?? throw new ProtocolFormatException(fileName, $"{where}: retention.mart_days is missing.");
        if (rawDays < 0 || martDays < 0)
        {
            throw new ProtocolFormatException(fileName, $"{where}: retention days cannot be negative.");
        }

        // Governance (timeliness) and the KPI tables ("not received" quarters) both read these, so neither may be guessed.
        var cadence = doc.ExpectedCadence switch
        {
            "monthly" => DeliveryCadence.Monthly,
            "quarterly" => DeliveryCadence.Quarterly,
            null => throw new ProtocolFormatException(fileName, $"{where}: expected_cadence is missing (monthly or quarterly)."),
            var other => throw new ProtocolFormatException(fileName, $"{where}: expected_cadence must be 'monthly' or 'quarterly', not '{other}'."),
        };
        var dueDay = doc.DueDay ?? throw new ProtocolFormatException(fileName, $"{where}: due_day is missing (the day of the month after a period ends by which its delivery is due).");
        if (dueDay is < 1 or > 28)
        {
            throw new ProtocolFormatException(fileName, $"{where}: due_day must be from 1 to 28 (a day every month has).");
        }

        return new FeedAgreement(
            feedName,
            Require(fileName, $"{where} purpose", doc.Purpose),
            [.. fields],
            action,
            rate,
            rawDays,
            martDays,
            Require(fileName, $"{where} disclosure_profile", doc.DisclosureProfile),
            cadence,
            dueDay);
    }

    private static IEnumerable<DisclosureProfileSettings> ReadProfiles(string fileName, string text)
    {
        var doc = Deserialize<ProfilesDocument>(fileName, text);
        if (doc.DisclosureProfiles is null || doc.DisclosureProfiles.Count == 0)
        {
            throw new ProtocolFormatException(fileName, "no disclosure_profiles are defined.");
        }

        foreach (var (name, profile) in doc.DisclosureProfiles)
        {
            var where = $"disclosure profile '{name}'";
            if (profile?.Threshold is not { } threshold || threshold < 0)
            {
                throw new ProtocolFormatException(fileName, $"{where} needs a threshold of 0 or more.");
            }

            if (profile.RoundingBase is <= 1)
            {
                throw new ProtocolFormatException(fileName, $"{where}: rounding_base must be 2 or more, or absent.");
            }

            yield return new DisclosureProfileSettings(
                name,
                threshold,
                profile.SuppressZeros ?? false,
                profile.RoundingBase,
                profile.MinimumDenominator ?? 0);
        }
    }

    private static T Deserialize<T>(string fileName, string text)
        where T : new()
    {
        try
        {
            return Yaml.Deserialize<T>(text) ?? new T();
        }
        catch (YamlException ex)
        {
            throw new ProtocolFormatException(fileName, $"line {ex.Start.Line}: {ex.Message}", ex);
        }
    }

    private static string Require(string fileName, string what, string? value) =>
        string.IsNullOrWhiteSpace(value) ? throw new ProtocolFormatException(fileName, $"{what} is missing.") : value.Trim();

    private static DateOnly ParseDate(string fileName, string what, string? value) =>
        DateOnly.TryParseExact(Require(fileName, what, value), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ProtocolFormatException(fileName, $"{what} must be a date written yyyy-MM-dd.");

    /// <summary>True when <paramref name="name"/> has the shape of a partner's or feed's name (lower-case letters, digits,
    /// hyphens, not starting with a hyphen): the only names landing folders, receipts and agreements are given.</summary>
    internal static bool IsName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex NamePattern();
}

/// <summary>A protocol file is malformed or refers to a feed, field or profile that does not exist.</summary>
public sealed class ProtocolFormatException(string fileName, string problem, Exception? inner = null)
    : Exception($"Protocol file {fileName}: {problem}", inner)
{
    /// <summary>The protocol file at fault.</summary>
    public string FileName { get; } = fileName;
}
