namespace DataHub.Core.Kpis;

/// <summary>A family's total of a quantity in a cohort and quarter (secure zone only).</summary>
public sealed record FamilyValue(string Cohort, string? Quarter, string FamilyKey, string Quantity, long Value);

/// <summary>Sums person contributions per family; a person in several of the cohort's families counts in each, and a record two
/// members share (an incident) counts once per family.</summary>
public static class FamilyValues
{
    /// <summary>The family totals, ordered by cohort, quarter, family and quantity.</summary>
    public static IReadOnlyList<FamilyValue> From(IEnumerable<PersonValue> personValues)
    {
        ArgumentNullException.ThrowIfNull(personValues);
        var sums = new Dictionary<(string Cohort, string? Quarter, string Family, string Quantity), long>();
        var counted = new HashSet<(string Cohort, string? Quarter, string Family, string Quantity, long Record)>();
        foreach (var v in personValues)
        {
            foreach (var family in v.Member.FamilyKeys)
            {
                if (v.Record is { } record && !counted.Add((v.Cohort, v.Quarter, family, v.Quantity, record)))
                {
                    continue;
                }

                var key = (v.Cohort, v.Quarter, family, v.Quantity);
                sums.TryGetValue(key, out var current);
                sums[key] = current + v.Value;
            }
        }

        return sums
            .Select(s => new FamilyValue(s.Key.Cohort, s.Key.Quarter, s.Key.Family, s.Key.Quantity, s.Value))
            .OrderBy(f => f.Cohort, StringComparer.Ordinal).ThenBy(f => f.Quarter, StringComparer.Ordinal)
            .ThenBy(f => f.FamilyKey, StringComparer.Ordinal).ThenBy(f => f.Quantity, StringComparer.Ordinal)
            .ToArray();
    }
}
