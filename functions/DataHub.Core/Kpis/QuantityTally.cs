namespace DataHub.Core.Kpis;

/// <summary>Accumulates quantities per breakdown for one cohort and quarter, and keeps each member's contribution for the secure zone.</summary>
internal sealed class QuantityTally(bool keepContributions = true)
{
    private readonly Dictionary<string, Dictionary<string, long>> _sums = new(StringComparer.Ordinal);
    private readonly HashSet<(string Quantity, long Record)> _counted = [];
    private readonly HashSet<string> _unavailable = new(StringComparer.Ordinal);
    private readonly HashSet<(string Quantity, string Breakdown)> _unavailableParts = [];
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
            _contributions.Add(new MemberContribution(member, category is null ? quantity : quantity + "|" + category, value, null));
        }
    }

    // The first member to count a record gets it in the cohort and team totals; every member keeps it as their own
    // contribution, so family totals can count it once per family.
    public void AddOnce(string quantity, CohortMember member, long record)
    {
        if (_counted.Add((quantity, record)))
        {
            var sums = For(quantity);
            Increment(sums, Breakdown.All, 1);
            Increment(sums, member.TeamBreakdown, 1);
        }

        if (keepContributions)
        {
            _contributions.Add(new MemberContribution(member, quantity, 1, record));
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

    public void MarkUnavailable(string quantity) => _unavailable.Add(quantity);

    // A part not available makes the total not available too.
    public void MarkUnavailable(string quantity, string breakdown)
    {
        _unavailableParts.Add((quantity, breakdown));
        _unavailableParts.Add((quantity, Breakdown.All));
    }

    /// <summary>The quantity's value in a breakdown; null when it has been marked unavailable.</summary>
    public long? Get(string quantity, string breakdown) =>
        _unavailable.Contains(quantity) || _unavailableParts.Contains((quantity, breakdown)) ? null
        : _sums.TryGetValue(quantity, out var sums) && sums.TryGetValue(breakdown, out var v) ? v : 0;

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

/// <summary>One member's contribution to one quantity; <paramref name="Record"/> names the record for distinct counts.</summary>
internal readonly record struct MemberContribution(CohortMember Member, string Quantity, long Value, long? Record);
