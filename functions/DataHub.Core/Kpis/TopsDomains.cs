namespace DataHub.Core.Kpis;

/// <summary>The five TOPS domains, how to read each from a form, and which direction is better (docs/kpi-definitions.md).</summary>
public static class TopsDomains
{
    /// <summary>One TOPS domain.</summary>
    /// <param name="Name">Measure name stem, e.g. <c>substance_use_days</c>.</param>
    /// <param name="Title">Words for titles.</param>
    /// <param name="Score">Reads the domain's score from a form.</param>
    /// <param name="Better">Lower is better for days of use; higher for the others.</param>
    /// <param name="ToolkitCodes">Initial/latest/end score codes and improved/declined count codes.</param>
    public sealed record Domain(string Name, string Title, Func<LinkedTopsForm, int> Score, BetterDirection Better, string ToolkitCodes);

    /// <summary>Days of substance use (indicator 12).</summary>
    public static Domain SubstanceUse { get; } = new("substance_use_days", "days of substance use", f => f.SubstanceUseDays, BetterDirection.Lower, "I32 I33 I34 I56 I57");

    /// <summary>The social functioning domains (indicator 13).</summary>
    public static IReadOnlyList<Domain> SocialFunctioning { get; } =
    [
        new("psychological_wellbeing", "psychological wellbeing", f => f.PsychologicalWellbeing, BetterDirection.Higher, "I35 I36 I37 I58 I59"),
        new("physical_health", "physical health", f => f.PhysicalHealth, BetterDirection.Higher, "I38 I39 I40 I60 I61"),
        new("paid_work_days", "days of paid work", f => f.PaidWorkDays, BetterDirection.Higher, "I41 I42 I43 I62 I63"),
        new("quality_of_life", "quality of life", f => f.QualityOfLife, BetterDirection.Higher, "I44 I45 I46 I64 I65"),
    ];

    /// <summary>The quantity id of a domain's change counts within an indicator.</summary>
    public static string QuantityId(string indicator, Domain domain) => indicator + "." + domain.Name + "_change";

    /// <summary>The quantity of a domain: people compared, with improved/unchanged/declined parts.</summary>
    public static QuantityDefinition Quantity(string indicator, Domain domain) =>
        new(QuantityId(indicator, domain), QuantityKind.Count, Categories: ScoreChange.Categories, Feed: Feeds.FeedCatalog.SubstanceMisuseTops, Reads: KpiWindow.SinceFsStart);

    /// <summary>The published measure of a domain.</summary>
    public static MeasureDefinition Measure(string indicator, Domain domain) =>
        new(indicator, domain.Name + "_change", MeasureUnit.Count, QuantityId(indicator, domain), null, null,
            $"Adults whose {domain.Title} improved, stayed the same or declined",
            "Cohort adults in a treatment episode that was open on their FS start date or began within the configured window after it (365 days by default). Episodes are read "
            + "from the TOPS stages (a start form opens one, an exit form closes it; forms of one day in the order exit, start, review). "
            + $"The baseline is that episode's start form, compared with its latest form (review or exit) by the quarter end; {(domain.Better == BetterDirection.Lower ? "fewer" : "higher")} is better. "
            + "all = adults compared, with the improved, unchanged and declined parts.",
            domain.ToolkitCodes, "substance-misuse-tops, csc-people", domain.Better)
        {
            Window = KpiWindow.SinceFsStart,
        };

    /// <summary>Adds each adult member's change in the domains between their initial and latest TOPS form.</summary>
    public static void Compute(QuarterContext context, string indicator, IReadOnlyList<Domain> domains)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(domains);
        foreach (var member in context.Members)
        {
            if (member.IsChild)
            {
                continue;
            }

            var forms = context.Inputs.TopsForms.For(member.Person);
            if (ScoreChange.BaselineAndLatest(forms, f => f.FormDate, f => f.Stage, member.FsStart, context.QuarterEnd, context.Options.EpisodeStartWindowDays) is not { } pair)
            {
                continue;
            }

            foreach (var domain in domains)
            {
                context.Add(QuantityId(indicator, domain), member, 1,
                    ScoreChange.Compare(domain.Score(forms[pair.Baseline]), domain.Score(forms[pair.Latest]), domain.Better));
            }
        }
    }
}
