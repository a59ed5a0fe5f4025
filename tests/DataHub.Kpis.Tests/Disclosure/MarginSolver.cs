using System.Numerics;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>The verifier's solver: what a reader can fix exactly from margin equations (each variable → coefficient, summing to
/// zero), known values and starting intervals, by rational Gauss–Jordan elimination and interval bounds in turn.</summary>
internal static class MarginSolver
{
    private const int BoundPasses = 100;

    // Values of unknown variables a reader can fix, by component of unknowns linked through equations. A remainder (the unknown
    // slack of an inequality, in one equation only) is left out of the elimination while it is unknown: a row holding it
    // cannot combine into a unit vector for anything else. Bounds still read every row.
    public static Dictionary<int, BigInteger> Solve(
        List<Dictionary<int, int>> equations, Dictionary<int, BigInteger> known, Dictionary<int, (BigInteger Low, BigInteger? High)> bounds,
        IReadOnlySet<int>? remainders = null)
    {
        var parent = new Dictionary<int, int>();
        int Root(int v)
        {
            while (parent.TryGetValue(v, out var p) && p != v)
            {
                v = p;
            }

            return v;
        }

        foreach (var equation in equations)
        {
            var unknowns = equation.Keys.Where(v => !known.ContainsKey(v)).ToList();
            foreach (var v in unknowns)
            {
                parent.TryAdd(v, v);
            }

            for (var i = 1; i < unknowns.Count; i++)
            {
                var (a, b) = (Root(unknowns[0]), Root(unknowns[i]));
                if (a != b)
                {
                    parent[Math.Max(a, b)] = Math.Min(a, b);
                }
            }
        }

        var solved = new Dictionary<int, BigInteger>();
        foreach (var component in equations
            .Where(e => e.Keys.Any(v => !known.ContainsKey(v)))
            .GroupBy(e => Root(e.Keys.First(v => !known.ContainsKey(v)))))
        {
            foreach (var (variable, value) in SolveComponent([.. component], known, bounds, remainders ?? new HashSet<int>()))
            {
                solved[variable] = value;
            }
        }

        return solved;
    }

    private static Dictionary<int, BigInteger> SolveComponent(
        List<Dictionary<int, int>> equations, Dictionary<int, BigInteger> published, Dictionary<int, (BigInteger Low, BigInteger? High)> intervals,
        IReadOnlySet<int> remainders)
    {
        var fixedValues = new Dictionary<int, BigInteger>();
        bool IsKnown(int v) => published.ContainsKey(v) || fixedValues.ContainsKey(v);
        BigInteger ValueOf(int v) => published.TryGetValue(v, out var p) ? p : fixedValues[v];

        while (true)
        {
            // Rows Σ a·x = b over the variables still unknown, sparse: variable → coefficient.
            var open = equations.SelectMany(e => e.Keys).Where(v => !IsKnown(v)).Distinct().Order().ToList();
            if (open.Count == 0)
            {
                return fixedValues;
            }

            var systemRows = equations.Select(e => new SparseRow(
                e.Where(t => !IsKnown(t.Key)).ToDictionary(t => t.Key, t => (Fraction)t.Value),
                (Fraction)0 - e.Where(t => IsKnown(t.Key)).Aggregate(Fraction.Zero, (s, t) => s + new Fraction(t.Value * ValueOf(t.Key), 1))))
                .Where(r => r.Terms.Count > 0)
                .ToList();
            var reduced = ReducedRowEchelon([.. systemRows.Where(r => !r.Terms.Keys.Any(remainders.Contains))]);

            var newlyFixed = new Dictionary<int, BigInteger>();
            foreach (var row in reduced)
            {
                // In reduced form a pivot row with no other variable fixes its pivot.
                if (row.Terms.Count == 1 && row.Terms.Single() is var (variable, a) && (row.Constant / a).Denominator.IsOne)
                {
                    newlyFixed[variable] = (row.Constant / a).Numerator;
                }
            }

            foreach (var (variable, value) in Bounds([.. systemRows, .. reduced], open, intervals))
            {
                newlyFixed.TryAdd(variable, value);
            }

            if (newlyFixed.Count == 0)
            {
                return fixedValues;
            }

            foreach (var (variable, value) in newlyFixed)
            {
                fixedValues[variable] = value;
            }
        }
    }

    // Incremental Gauss–Jordan on sparse rows: each new row is cleared of the pivots so far, takes its lowest variable as its
    // pivot, and that variable is cleared from every earlier row.
    private static List<SparseRow> ReducedRowEchelon(List<SparseRow> input)
    {
        var rows = new List<SparseRow>();
        var pivotRow = new Dictionary<int, int>();
        foreach (var original in input)
        {
            var terms = new Dictionary<int, Fraction>(original.Terms);
            var constant = original.Constant;
            foreach (var v in terms.Keys.Where(pivotRow.ContainsKey).ToList())
            {
                if (terms.TryGetValue(v, out var factor) && !factor.IsZero)
                {
                    var pivot = rows[pivotRow[v]];
                    foreach (var (w, c) in pivot.Terms)
                    {
                        var next = terms.GetValueOrDefault(w) - factor * c;
                        if (next.IsZero)
                        {
                            terms.Remove(w);
                        }
                        else
                        {
                            terms[w] = next;
                        }
                    }

                    constant -= factor * pivot.Constant;
                }
            }

            if (terms.Count == 0)
            {
                continue;
            }

            var column = terms.Keys.Min();
            var lead = terms[column];
            var normalised = new SparseRow(terms.ToDictionary(t => t.Key, t => t.Value / lead), constant / lead);
            for (var r = 0; r < rows.Count; r++)
            {
                if (rows[r].Terms.TryGetValue(column, out var factor))
                {
                    var updated = new Dictionary<int, Fraction>(rows[r].Terms);
                    foreach (var (w, c) in normalised.Terms)
                    {
                        var next = updated.GetValueOrDefault(w) - factor * c;
                        if (next.IsZero)
                        {
                            updated.Remove(w);
                        }
                        else
                        {
                            updated[w] = next;
                        }
                    }

                    rows[r] = new SparseRow(updated, rows[r].Constant - factor * normalised.Constant);
                }
            }

            pivotRow[column] = rows.Count;
            rows.Add(normalised);
        }

        return rows;
    }

    // Interval propagation from each unknown's starting interval (≥ 0 and whole; a rounded count's interval when published);
    // returns the value of each variable pinned to one integer that did not start as one.
    private static Dictionary<int, BigInteger> Bounds(List<SparseRow> rows, List<int> open, Dictionary<int, (BigInteger Low, BigInteger? High)> intervals)
    {
        var start = open.ToDictionary(v => v, v => intervals.TryGetValue(v, out var i) ? i : (Low: BigInteger.Zero, High: (BigInteger?)null));
        var low = start.ToDictionary(s => s.Key, s => s.Value.Low);
        var high = start.ToDictionary(s => s.Key, s => s.Value.High);
        for (var pass = 0; pass < BoundPasses; pass++)
        {
            var changed = false;
            foreach (var (terms, constant) in rows)
            {
                foreach (var (j, a) in terms)
                {
                    // a·x_j = constant − Σ_{i≠j} a_i·x_i; the sum's range from the other intervals (null = unbounded).
                    Fraction? restLow = constant;
                    Fraction? restHigh = constant;
                    foreach (var (i, ai) in terms)
                    {
                        if (i == j)
                        {
                            continue;
                        }

                        Fraction lo = low[i];
                        Fraction? hi = high[i] is { } h ? (Fraction)h : null;
                        if (ai > Fraction.Zero)
                        {
                            restLow = restLow is null || hi is null ? null : restLow - ai * hi.Value;
                            restHigh -= ai * lo;
                        }
                        else
                        {
                            restLow -= ai * lo;
                            restHigh = restHigh is null || hi is null ? null : restHigh - ai * hi.Value;
                        }
                    }

                    var (fromLow, fromHigh) = a > Fraction.Zero ? (restLow, restHigh) : (restHigh, restLow);
                    if (fromLow is { } l && (l / a).Ceiling() is var newLow && newLow > low[j])
                    {
                        low[j] = newLow;
                        changed = true;
                    }

                    if (fromHigh is { } u && (u / a).Floor() is var newHigh && (high[j] is not { } current || newHigh < current))
                    {
                        high[j] = newHigh;
                        changed = true;
                    }
                }
            }

            if (!changed)
            {
                break;
            }
        }

        return open.Where(v => high[v] == low[v] && start[v].High != start[v].Low).ToDictionary(v => v, v => low[v]);
    }

    // Σ terms = constant.
    private sealed record SparseRow(Dictionary<int, Fraction> Terms, Fraction Constant);
}
