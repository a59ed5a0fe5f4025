using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 11: engagement with substance misuse services: assessments, no-engagement after assessment, and drop-out after engaging.</summary>
public sealed class Indicator11SubstanceMisuseEngagement : IKpiIndicator
{
    private const string Assessed = "KPI11.initial_assessments";
    private const string NoEngagement = "KPI11.assessments_no_engagement";
    private const string Dropouts = "KPI11.treatment_dropouts";
    private const string Feed = "substance-misuse-episodes, csc-people";

    /// <inheritdoc />
    public string Code => "KPI11";

    /// <inheritdoc />
    public string Title => "Engagement with substance misuse treatment";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Assessed, QuantityKind.Count, Feed: FeedCatalog.SubstanceMisuseEpisodes), new(NoEngagement, QuantityKind.Count, Feed: FeedCatalog.SubstanceMisuseEpisodes),
        new(Dropouts, QuantityKind.Count, Feed: FeedCatalog.SubstanceMisuseEpisodes),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI11", "initial_assessments", MeasureUnit.Count, Assessed, null, null,
            "Adults assessed in the quarter",
            "Cohort adults with an assessment (triage) dated in the quarter on or after FS start (I29, I54).",
            "I29 I54", Feed, BetterDirection.Neither),
        new("KPI11", "no_engagement_rate", MeasureUnit.Proportion, NoEngagement, Assessed, null,
            "Share of assessed adults who did not engage (pre-engagement drop-out)",
            "Of the adults assessed in the quarter, those with an assessment outcome of no engagement (I30, I55).",
            "I30 I55", Feed, BetterDirection.Lower),
        new("KPI11", "treatment_dropouts", MeasureUnit.Count, Dropouts, null, null,
            "Adults who dropped out of treatment in the quarter (post-engagement)",
            "Cohort adults with a treatment closure in the quarter, on or after FS start, whose reason is in the configured drop-out list (default: dropped out, declined) (I31).",
            "I27 I31", Feed, BetterDirection.Lower),
        new("KPI11", "dna_rate", MeasureUnit.Proportion, Dropouts, Indicator10SubstanceMisuseCompletion.ClosuresQuantity, null,
            "Share of adults whose treatment closed in the quarter who dropped out (DNA rate)",
            "Adults who dropped out after engaging (I31) over adults whose treatment closed in the quarter (I51). The feed records no "
            + "appointments, so not attending is read from the closure reason: the configured drop-out list (default: dropped out, declined).",
            "I27 I31 I51", Feed, BetterDirection.Lower),
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var disengaged = context.Options.DisengagedClosureReasons;
        foreach (var member in context.Members)
        {
            if (member.IsChild)
            {
                continue;
            }

            bool assessed = false, noEngagement = false, dropped = false;
            foreach (var e in context.Inputs.Episodes.For(member.Person))
            {
                if (context.Quarter.Contains(e.AssessmentDate) && e.AssessmentDate >= member.FsStart)
                {
                    assessed = true;
                    noEngagement |= e.AssessedNoEngagement;
                }

                dropped |= e.Closure is { } c && context.Quarter.Contains(c) && c >= member.FsStart
                    && e.ClosureReason is not null && disengaged.Contains(e.ClosureReason, StringComparer.Ordinal);
            }

            context.Count(Assessed, member, assessed);
            context.Count(NoEngagement, member, noEngagement);
            context.Count(Dropouts, member, dropped);
        }
    }
}
