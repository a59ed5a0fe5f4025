namespace DataHub.Core.Kpis;

/// <summary>What an indicator sees while computing one cohort's quarter, and where it adds its contributions.</summary>
public sealed class QuarterContext
{
    private readonly QuantityTally _tally;

    internal QuarterContext(KpiInputs inputs, KpiOptions options, CohortDefinition cohort, Quarter quarter, IReadOnlyList<CohortMember> members, QuantityTally tally)
    {
        Inputs = inputs;
        Options = options;
        Cohort = cohort;
        Quarter = quarter;
        QuarterStart = quarter.Start;
        QuarterEnd = quarter.End;
        QuartersSinceFsStart = quarter.QuartersSince(cohort.FirstQuarter);
        Members = members;
        _tally = tally;
    }

    /// <summary>The linked records.</summary>
    public KpiInputs Inputs { get; }

    /// <summary>The configurable rules.</summary>
    public KpiOptions Options { get; }

    /// <summary>The cohort being computed.</summary>
    public CohortDefinition Cohort { get; }

    /// <summary>The quarter being computed.</summary>
    public Quarter Quarter { get; }

    /// <summary>First day of the quarter.</summary>
    public DateOnly QuarterStart { get; }

    /// <summary>Last day of the quarter.</summary>
    public DateOnly QuarterEnd { get; }

    /// <summary>The quarter's place relative to the cohort's first quarter (0); negative in the baseline year before it.</summary>
    public int QuartersSinceFsStart { get; }

    /// <summary>The cohort's distinct people.</summary>
    public IReadOnlyList<CohortMember> Members { get; }

    /// <summary>Adds a member's contribution to a quantity (to <c>all</c>, the member's team and the category, if any); zero adds nothing.</summary>
    public void Add(string quantity, CohortMember member, long value, string? category = null)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (value != 0)
        {
            _tally.Add(quantity, member, value, category);
        }
    }

    /// <summary>Adds 1 when <paramref name="condition"/> holds: the usual "people who …" count.</summary>
    public void Count(string quantity, CohortMember member, bool condition)
    {
        if (condition)
        {
            Add(quantity, member, 1);
        }
    }

    /// <summary>Counts a record (e.g. an incident) once for the cohort however many members share it: the first member to count it
    /// (the lowest person index, as members are visited in that order) carries it in the team breakdown.</summary>
    public void CountOnce(string quantity, CohortMember member, long record)
    {
        ArgumentNullException.ThrowIfNull(member);
        _tally.AddOnce(quantity, member, record);
    }

    /// <summary>Adds an already-aggregate figure to one breakdown cell (health aggregates, family counts).</summary>
    public void AddAggregate(string quantity, string breakdown, long value) => _tally.AddAggregate(quantity, breakdown, value);

    /// <summary>Marks a quantity as not available for this cohort and quarter (published <c>[x]</c>, never 0): the partner sent no figure for it.</summary>
    public void MarkUnavailable(string quantity) => _tally.MarkUnavailable(quantity);

    /// <summary>Marks one breakdown part of a quantity (and so its total) as not available.</summary>
    public void MarkUnavailable(string quantity, string breakdown) => _tally.MarkUnavailable(quantity, breakdown);
}
