namespace DataHub.Core.Protocols;

/// <summary>One partner's data-sharing agreement, as versioned in functions/protocols/{partner}.yaml.</summary>
/// <param name="Partner">The partner's landing folder name, e.g. "police".</param>
/// <param name="AgreementId">The agreement's reference, cited in every audit event about this partner's files.</param>
/// <param name="LawfulBasis">The lawful basis the agreement records (UK GDPR articles, statute).</param>
/// <param name="ValidFrom">First day the agreement is in force.</param>
/// <param name="ValidTo">Last day the agreement is in force.</param>
/// <param name="Feeds">The feeds the partner may send, by feed name.</param>
public sealed record PartnerProtocol(
    string Partner,
    string AgreementId,
    string LawfulBasis,
    DateOnly ValidFrom,
    DateOnly ValidTo,
    IReadOnlyDictionary<string, FeedAgreement> Feeds)
{
    /// <summary>True when <paramref name="day"/> falls within the agreement's validity (both ends inclusive).</summary>
    public bool InForceOn(DateOnly day) => day >= ValidFrom && day <= ValidTo;

    /// <summary>The partner's name in words, e.g. "Children's social care" (the file's <c>name:</c>); null when the file gives none.</summary>
    public string? Name { get; init; }

    /// <summary>Who the partner is, for readers: its name with its code in brackets, e.g. "Children's social care (csc)", or the code alone.</summary>
    public string DisplayName => Name is null ? Partner : $"{Name} ({Partner})";

    /// <summary>The thresholds the governance scorecard rates this partner's feeds against (the file's <c>scorecard:</c> block).</summary>
    public ScorecardThresholds Scorecard { get; init; } = ScorecardThresholds.Default;
}

/// <summary>
/// Where the data-quality scorecard turns amber and red for one agreement's feeds. Shares are 0–1; a delivery later than its
/// due date is amber up to <paramref name="LateRedDays"/> days late and red beyond (or when not received at all).
/// </summary>
/// <param name="LateRedDays">Days after the due date beyond which a late delivery is red.</param>
/// <param name="CompletenessAmber">Linkage completeness (share of stored rows carrying a linkage key) below this is amber.</param>
/// <param name="CompletenessRed">Below this it is red.</param>
/// <param name="RejectedAmber">A share of rows rejected above this is amber.</param>
/// <param name="RejectedRed">Above this it is red.</param>
/// <param name="DuplicatesAmber">A share of duplicate rows and files above this is amber.</param>
/// <param name="DuplicatesRed">Above this it is red.</param>
/// <param name="CoverageAmber">Cohort coverage (share of cohort people the feed reaches) below this is amber.</param>
/// <param name="CoverageRed">Below this it is red.</param>
public sealed record ScorecardThresholds(
    int LateRedDays,
    double CompletenessAmber,
    double CompletenessRed,
    double RejectedAmber,
    double RejectedRed,
    double DuplicatesAmber,
    double DuplicatesRed,
    double CoverageAmber,
    double CoverageRed)
{
    /// <summary>The thresholds used when a protocol file has no <c>scorecard:</c> block (README lists them).</summary>
    public static ScorecardThresholds Default { get; } = new(30, 0.95, 0.80, 0.01, 0.05, 0.01, 0.05, 0.10, 0.02);
}

/// <summary>What an agreement allows for one feed: why it is shared, which fields, how strict, how long it is kept.</summary>
/// <param name="Feed">The feed name (landing folder name).</param>
/// <param name="Purpose">The purpose the data is shared for.</param>
/// <param name="AllowedFields">The contract field names the partner may send.</param>
/// <param name="UnexpectedField">What to do with a column outside <paramref name="AllowedFields"/>.</param>
/// <param name="ToleratedRowErrorRate">The share of rows (0–1) that may be rejected before the whole file is quarantined.</param>
/// <param name="RawRetentionDays">Days the raw landed file is kept after processing.</param>
/// <param name="MartRetentionDays">Days the pseudonymised mart rows are kept.</param>
/// <param name="DisclosureProfile">The name of the disclosure profile applied to outputs made from this feed.</param>
/// <param name="ExpectedCadence">How often the partner sends the feed: one delivery per month or per quarter.</param>
/// <param name="DueDay">The day of the month after a period ends by which that period's delivery is due (1–28).</param>
public sealed record FeedAgreement(
    string Feed,
    string Purpose,
    IReadOnlyList<string> AllowedFields,
    UnexpectedFieldAction UnexpectedField,
    double ToleratedRowErrorRate,
    int RawRetentionDays,
    int MartRetentionDays,
    string DisclosureProfile,
    DeliveryCadence ExpectedCadence,
    int DueDay)
{
    /// <summary>True when the contract field is on the allow-list.</summary>
    public bool Allows(string field) => AllowedFields.Contains(field, StringComparer.Ordinal);

    /// <summary>The day the delivery for the period containing <paramref name="day"/> is due: <see cref="DueDay"/> of the month after the period ends.</summary>
    public DateOnly DueDateFor(DateOnly day)
    {
        var next = ExpectedCadence.PeriodOf(day).End.AddDays(1);
        return new DateOnly(next.Year, next.Month, DueDay);
    }
}

/// <summary>How often a partner is expected to deliver a feed; each delivery is expected to cover one whole period.</summary>
public enum DeliveryCadence
{
    /// <summary>One delivery per calendar month.</summary>
    Monthly,

    /// <summary>One delivery per calendar quarter (January–March, …).</summary>
    Quarterly,
}

/// <summary>The calendar periods of a <see cref="DeliveryCadence"/>.</summary>
public static class DeliveryCadences
{
    /// <summary>The text used in protocol files: <c>monthly</c> or <c>quarterly</c>.</summary>
    public static string ToText(this DeliveryCadence cadence) => cadence == DeliveryCadence.Monthly ? "monthly" : "quarterly";

    /// <summary>The first and last day of the period (month or quarter) containing <paramref name="day"/>.</summary>
    public static (DateOnly Start, DateOnly End) PeriodOf(this DeliveryCadence cadence, DateOnly day)
    {
        var firstMonth = cadence == DeliveryCadence.Monthly ? day.Month : ((day.Month - 1) / 3 * 3) + 1;
        var start = new DateOnly(day.Year, firstMonth, 1);
        return (start, start.AddMonths(cadence == DeliveryCadence.Monthly ? 1 : 3).AddDays(-1));
    }
}

/// <summary>What to do when a file carries a column the agreement does not allow.</summary>
public enum UnexpectedFieldAction
{
    /// <summary>Quarantine the whole file (the default: receiving data outside an agreement is itself a breach).</summary>
    Reject,

    /// <summary>Ignore the column: its cells are never read into a row, stored or pseudonymised.</summary>
    Drop,
}

/// <summary>A named set of disclosure-control settings, referenced by feed agreements; the disclosure module applies it.</summary>
/// <param name="Name">The profile name, e.g. "standard".</param>
/// <param name="Threshold">Counts from 1 to this value are suppressed.</param>
/// <param name="SuppressZeros">Whether zero counts are suppressed too.</param>
/// <param name="RoundingBase">Published counts are rounded to this base (e.g. 5); null for no rounding.</param>
/// <param name="MinimumDenominator">Rates whose denominator is below this are suppressed.</param>
public sealed record DisclosureProfileSettings(
    string Name,
    int Threshold,
    bool SuppressZeros,
    int? RoundingBase,
    int MinimumDenominator);
