namespace DataHub.Core.Kpis;

/// <summary>Indicator 18: completion of domestic abuse intervention programmes by cohort adults, victims and perpetrators alike.</summary>
public sealed class Indicator18DaProgrammeCompletion : IKpiIndicator
{
    private const string Starts = "KPI18.programme_starts";
    private const string Ends = "KPI18.programme_ends";
    private const string Completed = "KPI18.programmes_completed";
    private const string Feed = "da-programmes, csc-people";

    /// <inheritdoc />
    public string Code => "KPI18";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Starts, QuantityKind.Count), new(Ends, QuantityKind.Count), new(Completed, QuantityKind.Count),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI18", "programme_starts", MeasureUnit.Count, Starts, null, null,
            "Adults starting a DA programme in the quarter",
            "Cohort adults with a programme start date (I47) in the quarter, on or after FS start (I66, starts).",
            "I47 I66", Feed, BetterDirection.Neither),
        new("KPI18", "programme_ends", MeasureUnit.Count, Ends, null, null,
            "Adults whose DA programme ended in the quarter",
            "Cohort adults with a programme end date (I48) in the quarter, on or after FS start (I67).",
            "I48 I67", Feed, BetterDirection.Neither),
        new("KPI18", "completion_rate", MeasureUnit.Proportion, Completed, Ends, null,
            "Share of ending DA programmes that were completed",
            "Of the adults whose programme ended in the quarter, those with an outcome (I49) of completed.",
            "I48 I49", Feed, BetterDirection.Higher),
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (member.IsChild)
            {
                continue;
            }

            bool started = false, ended = false, completed = false;
            foreach (var p in context.Inputs.Programmes.For(member.Person))
            {
                started |= context.Quarter.Contains(p.Start) && p.Start >= member.FsStart;
                if (p.End is { } end && context.Quarter.Contains(end) && end >= member.FsStart)
                {
                    ended = true;
                    completed |= p.Completed;
                }
            }

            context.Count(Starts, member, started);
            context.Count(Ends, member, ended);
            context.Count(Completed, member, completed);
        }
    }
}
