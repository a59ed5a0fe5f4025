using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 10: successful completion of substance misuse treatment and no re-presentation within six months (182 days).</summary>
public sealed class Indicator10SubstanceMisuseCompletion : IKpiIndicator
{
    private const string Starts = "KPI10.treatment_starts";
    private const string Closures = ClosuresQuantity;
    private const string Successful = "KPI10.successful_completions";
    private const string Completed = "KPI10.completed_since_fs";
    private const string Feed = "substance-misuse-episodes, csc-people";

    /// <summary>Adults whose treatment closed in the quarter: the denominator of the completion and drop-out (DNA) rates.</summary>
    public const string ClosuresQuantity = "KPI10.treatment_closures";

    /// <summary>Days after a successful closure within which a new treatment start is a re-presentation.</summary>
    public const int RepresentationDays = 182;

    /// <inheritdoc />
    public string Code => "KPI10";

    /// <inheritdoc />
    public string Title => "Substance misuse treatment completed";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Starts, QuantityKind.Count, Feed: FeedCatalog.SubstanceMisuseEpisodes), new(Closures, QuantityKind.Count, Feed: FeedCatalog.SubstanceMisuseEpisodes),
        new(Successful, QuantityKind.Count, Feed: FeedCatalog.SubstanceMisuseEpisodes),
        new(Completed, QuantityKind.Count, Categories: [Category(RepresentationOutcome.NotRepresented), Category(RepresentationOutcome.Represented), Category(RepresentationOutcome.NotYetKnown)],
            Feed: FeedCatalog.SubstanceMisuseEpisodes, Reads: KpiWindow.SinceFsStart),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI10", "treatment_starts", MeasureUnit.Count, Starts, null, null,
            "Adults starting structured treatment in the quarter",
            "Cohort adults with a treatment start date (I25) in the quarter on or after FS start (I50).",
            "I25 I50", Feed, BetterDirection.Neither),
        new("KPI10", "treatment_closures", MeasureUnit.Count, Closures, null, null,
            "Adults whose treatment closed in the quarter",
            "Cohort adults with a treatment closure date (I26) in the quarter on or after FS start (I51).",
            "I26 I51", Feed, BetterDirection.Neither),
        new("KPI10", "successful_completions", MeasureUnit.Count, Successful, null, null,
            "Adults completing treatment successfully in the quarter",
            "Of those closed in the quarter, adults with a closure reason (I27) in the configured successful-completion list (default: the NDTMS 'treatment completed' reasons) (I52).",
            "I27 I52", Feed, BetterDirection.Higher),
        new("KPI10", "successful_completion_rate", MeasureUnit.Proportion, Successful, Closures, null,
            "Share of adults whose treatment closed in the quarter who completed it successfully",
            "Adults completing successfully (I52) over adults whose treatment closed in the quarter (I51): the completion percentage.",
            "I26 I27 I51 I52", Feed, BetterDirection.Higher),
        new("KPI10", "completed_since_fs", MeasureUnit.Count, Completed, null, null,
            "Adults who completed treatment since FS start, by re-presentation outcome",
            "Adults whose latest successful closure since FS start is on or before the quarter end, by outcome at the quarter end: "
            + "re_presented (a new treatment start within 182 days after the closure), not_represented (182 days or more have passed without one), "
            + "not_yet_known (fewer than 182 days have passed) (I28, I53).",
            "I28 I53", Feed, BetterDirection.Higher) { Window = KpiWindow.SinceFsStart },
    ];

    /// <summary>The published category label of an outcome.</summary>
    public static string Category(RepresentationOutcome outcome) => outcome switch
    {
        RepresentationOutcome.NotRepresented => "outcome:not_represented",
        RepresentationOutcome.Represented => "outcome:re_presented",
        _ => "outcome:not_yet_known",
    };

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var successful = context.Options.SuccessfulClosureReasons;
        foreach (var member in context.Members)
        {
            if (member.IsChild)
            {
                continue;
            }

            var episodes = context.Inputs.Episodes.For(member.Person);
            bool started = false, closed = false, succeeded = false;
            DateOnly? latestSuccess = null;
            foreach (var e in episodes)
            {
                started |= e.TreatmentStart is { } s && context.Quarter.Contains(s) && s >= member.FsStart;
                if (e.Closure is not { } c || c < member.FsStart || c > context.QuarterEnd)
                {
                    continue;
                }

                var isSuccess = e.ClosureReason is not null && successful.Contains(e.ClosureReason, StringComparer.Ordinal);
                if (context.Quarter.Contains(c))
                {
                    closed = true;
                    succeeded |= isSuccess;
                }

                if (isSuccess && (latestSuccess is null || c > latestSuccess))
                {
                    latestSuccess = c;
                }
            }

            context.Count(Starts, member, started);
            context.Count(Closures, member, closed);
            context.Count(Successful, member, succeeded);
            if (latestSuccess is { } closure)
            {
                context.Add(Completed, member, 1, Category(Outcome(episodes, closure, context.QuarterEnd)));
            }
        }
    }

    /// <summary>
    /// The outcome at <paramref name="asOf"/> of a successful closure: re-presented when a treatment started in the 182 days
    /// after it (and by <paramref name="asOf"/>); otherwise not known until 182 days have passed.
    /// </summary>
    public static RepresentationOutcome Outcome(ReadOnlySpan<LinkedEpisode> episodes, DateOnly closure, DateOnly asOf)
    {
        foreach (var e in episodes)
        {
            if (e.TreatmentStart is { } s && s > closure && s <= asOf && s.DayNumber - closure.DayNumber <= RepresentationDays)
            {
                return RepresentationOutcome.Represented;
            }
        }

        return asOf.DayNumber - closure.DayNumber >= RepresentationDays ? RepresentationOutcome.NotRepresented : RepresentationOutcome.NotYetKnown;
    }
}

/// <summary>Whether a person re-presented for treatment after a successful completion.</summary>
public enum RepresentationOutcome
{
    /// <summary>182 days have passed with no new treatment start.</summary>
    NotRepresented,

    /// <summary>A new treatment started within 182 days.</summary>
    Represented,

    /// <summary>Fewer than 182 days have passed and no new start yet.</summary>
    NotYetKnown,
}
