namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>Seeded random kpi-shaped tables: series with two breakdown dimensions whose parts sum to "all",
/// quarters with a published year total, many small counts.</summary>
internal static class RandomTables
{
    public const string YearTotal = "2018";

    public static KpiGrid Grid(Random random, int cohorts = 1, int quarters = 4, int indicators = 2, bool shareDenominators = false)
    {
        var quarterLabels = Enumerable.Range(1, quarters).Select(q => $"2018Q{q}").ToList();
        var teams = Enumerable.Range(0, random.Next(2, 5)).Select(t => $"team:T{t}").ToList();
        string[] ages = ["age:child", "age:adult"];
        var entries = new List<GridEntry>();
        for (var c = 0; c < cohorts; c++)
        {
            for (var i = 0; i < indicators; i++)
            {
                var measures = random.Next(1, 3);
                // A denominator per (quarter, team, age) shared by the indicator's measures when asked.
                var denominators = new Dictionary<(int, string, string), long>();
                for (var m = 0; m < measures; m++)
                {
                    var numerators = new Dictionary<(int, string, string), long>();
                    for (var q = 0; q < quarters; q++)
                    {
                        foreach (var team in teams)
                        {
                            foreach (var age in ages)
                            {
                                var d = shareDenominators && denominators.TryGetValue((q, team, age), out var shared) ? shared : SmallOrLarge(random, 40);
                                denominators[(q, team, age)] = d;
                                numerators[(q, team, age)] = d == 0 ? 0 : random.NextInt64(0, d + 1);
                            }
                        }
                    }

                    var cohort = $"C{c}";
                    var indicator = $"KPI{i:00}";
                    var measure = $"m{m}";
                    // Each quarter's cells are the (team, age) cross; the table publishes the two one-way margins.
                    for (var q = 0; q <= quarters; q++)
                    {
                        var inQuarter = q < quarters ? new[] { q } : Enumerable.Range(0, quarters).ToArray();
                        var label = q < quarters ? quarterLabels[q] : YearTotal;
                        long N(Func<(int Q, string T, string A), bool> f) => numerators.Where(p => inQuarter.Contains(p.Key.Item1) && f(p.Key)).Sum(p => p.Value);
                        long D(Func<(int Q, string T, string A), bool> f) => denominators.Where(p => inQuarter.Contains(p.Key.Item1) && f(p.Key)).Sum(p => p.Value);
                        entries.Add(new GridEntry(cohort, label, indicator, measure, "all", N(_ => true), D(_ => true)));
                        foreach (var team in teams)
                        {
                            entries.Add(new GridEntry(cohort, label, indicator, measure, team, N(k => k.T == team), D(k => k.T == team)));
                        }

                        foreach (var age in ages)
                        {
                            entries.Add(new GridEntry(cohort, label, indicator, measure, age, N(k => k.A == age), D(k => k.A == age)));
                        }
                    }
                }
            }
        }

        return new KpiGrid(entries, new Dictionary<string, IReadOnlyList<string>> { [YearTotal] = quarterLabels }, shareDenominators);
    }

    // Mostly small counts (so suppression has work to do), sometimes zero, sometimes large.
    private static long SmallOrLarge(Random random, int large) => random.Next(10) switch
    {
        0 => 0,
        < 6 => random.Next(1, 8),
        _ => random.Next(8, large),
    };
}
