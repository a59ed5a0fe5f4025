using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 18: DA intervention programmes of cohort adults: people starting and ending one, and the completion rate of
/// programmes ended in the quarter, split by victim and perpetrator programmes.</summary>
public sealed class Indicator18DaProgrammeCompletion : IKpiIndicator
{
    private const string Starts = "KPI18.programme_starts";
    private const string Ends = "KPI18.programme_ends";
    private const string Ended = "KPI18.programmes_ended";
    private const string Completed = "KPI18.programmes_completed";
    private const string Feed = "da-programmes, csc-people";

    /// <summary>The role parts: every programme is attended as victim or as perpetrator, so the parts add up to all.</summary>
    public static IReadOnlyList<string> Roles { get; } = ["role:victim", "role:perpetrator"];

    /// <inheritdoc />
    public string Code => "KPI18";

    /// <inheritdoc />
    public string Title => "Domestic abuse programmes";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Starts, QuantityKind.Count, Feed: FeedCatalog.DaProgrammes), new(Ends, QuantityKind.Count, Feed: FeedCatalog.DaProgrammes),
        new(Ended, QuantityKind.Count, Categories: Roles, Feed: FeedCatalog.DaProgrammes),
        new(Completed, QuantityKind.Count, Categories: Roles, Feed: FeedCatalog.DaProgrammes),
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
        new("KPI18", "completion_rate", MeasureUnit.Proportion, Completed, Ended, null,
            "Share of DA programmes ended in the quarter that were completed, for victims and for perpetrators",
            "Programmes of cohort adults that ended in the quarter (on or after FS start) with an outcome (I49) of completed, over all such "
            + "programmes; role:victim and role:perpetrator split them by the role the adult attended in, and add up to all.",
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

            bool started = false, ended = false;
            foreach (var p in context.Inputs.Programmes.For(member.Person))
            {
                started |= context.Quarter.Contains(p.Start) && p.Start >= member.FsStart;
                if (p.End is { } end && context.Quarter.Contains(end) && end >= member.FsStart)
                {
                    ended = true;
                    var role = p.Perpetrator ? Roles[1] : Roles[0];
                    context.Add(Ended, member, 1, role);
                    context.Add(Completed, member, p.Completed ? 1 : 0, role);
                }
            }

            context.Count(Starts, member, started);
            context.Count(Ends, member, ended);
        }
    }
}
