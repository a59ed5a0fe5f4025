namespace DataHub.Core.Kpis;

/// <summary>Accumulates quantities per breakdown for one cohort and quarter, and keeps each member's contribution for the secure zone.</summary>
internal sealed class QuantityTally(bool keepContributions = true)
{
    private readonly Dictionary<string, Dictionary<string, long>> _sums = new(StringComparer.Ordinal);
    private readonly List<MemberContribution> _contributions = [];

    public IReadOnlyList<MemberContribution> Contributions => _contributions;

    public void Add(string quantity, CohortMember member, long value, string? category)
    {
        var sums = For(quantity);
        Increment(sums, Breakdown.All, value);
        Increment(sums, member.TeamBreakdown, value);
        if (category is not null)
        {
            Increment(sums, category, value);
        }

        if (keepContributions)
        {
            _contributions.Add(new MemberContribution(member, category is null ? quantity : quantity + "|" + category, value));
        }
    }

    public void AddAggregate(string quantity, string breakdown, long value)
    {
        var sums = For(quantity);
        Increment(sums, breakdown, value);
        if (!string.Equals(breakdown, Breakdown.All, StringComparison.Ordinal))
        {
            Increment(sums, Breakdown.All, value);
        }
    }

    public long Get(string quantity, string breakdown) =>
        _sums.TryGetValue(quantity, out var sums) && sums.TryGetValue(breakdown, out var v) ? v : 0;

    private Dictionary<string, long> For(string quantity)
    {
        if (!_sums.TryGetValue(quantity, out var sums))
        {
            sums = new Dictionary<string, long>(StringComparer.Ordinal);
            _sums[quantity] = sums;
        }

        return sums;
    }

    private static void Increment(Dictionary<string, long> sums, string key, long value)
    {
        sums.TryGetValue(key, out var current);
        sums[key] = current + value;
    }
}

/// <summary>One member's contribution to one quantity.</summary>
internal readonly record struct MemberContribution(CohortMember Member, string Quantity, long Value);
