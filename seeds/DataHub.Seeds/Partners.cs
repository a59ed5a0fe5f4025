using DataHub.Core.Feeds;

namespace DataHub.Seeds;

/// <summary>The demo partners (landing folder names) and the feeds each sends.</summary>
public static class Partners
{
    /// <summary>Children's social care: the cohort feed, child protection plans and looked-after periods.</summary>
    public const string Csc = "csc";

    /// <summary>The police force: domestic abuse incidents.</summary>
    public const string Police = "police";

    /// <summary>The integrated care board: aggregate health figures.</summary>
    public const string Icb = "icb";

    /// <summary>The substance misuse service: episodes and TOPS forms.</summary>
    public const string SubstanceMisuse = "substance-misuse";

    /// <summary>The schools (via the education service): attendance.</summary>
    public const string Schools = "schools";

    /// <summary>The domestic abuse programme provider.</summary>
    public const string DaProgrammes = "da-programmes";

    /// <summary>The mental health (talking therapies) service.</summary>
    public const string MentalHealth = "mental-health";

    /// <summary>Every partner with its feeds.</summary>
    public static IReadOnlyList<(string Partner, IReadOnlyList<string> Feeds)> All { get; } =
    [
        (Csc, [FeedCatalog.CscPeople, FeedCatalog.CscCpPlans, FeedCatalog.CscClaPeriods]),
        (Police, [FeedCatalog.PoliceDaIncidents]),
        (Icb, [FeedCatalog.HealthAggregates]),
        (SubstanceMisuse, [FeedCatalog.SubstanceMisuseEpisodes, FeedCatalog.SubstanceMisuseTops]),
        (Schools, [FeedCatalog.SchoolAttendance]),
        (DaProgrammes, [FeedCatalog.DaProgrammes]),
        (MentalHealth, [FeedCatalog.MentalHealthScores]),
    ];

    /// <summary>The partner that sends a feed.</summary>
    public static string For(string feed) => All.First(p => p.Feeds.Contains(feed)).Partner;
}

/// <summary>A cohort: the families whose FS start date falls in the window.</summary>
/// <param name="Label">The label partners are sent and send back (health-aggregates' cohort column), e.g. "C1".</param>
/// <param name="Name">The window in words.</param>
/// <param name="Start">The first day of the window.</param>
/// <param name="End">The last day of the window.</param>
public sealed record CohortWindow(string Label, string Name, DateOnly Start, DateOnly End)
{
    /// <summary>True when the date falls in the window.</summary>
    public bool Contains(DateOnly date) => date >= Start && date <= End;
}
