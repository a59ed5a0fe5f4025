using System.Numerics;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>The verifier's solver: what a reader can fix exactly from margin equations (each variable → coefficient, summing to
/// zero), known values and starting intervals, by rational Gauss–Jordan elimination and interval bounds in turn.</summary>
internal static class MarginSolver
{
    private const int BoundPasses = 100;

    // Values of unknown variables a reader can fix, by component of unknowns linked through equations.
    public static Dictionary<int, BigInteger> Solve(
        List<Dictionary<int, int>> equations, Dictionary<int, BigInteger> known, Dictionary<int, (BigInteger Low, BigInteger? High)> bounds)
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
            foreach (var (variable, value) in SolveComponent([.. component], known, bounds))
            {
                solved[variable] = value;
            }
        }

        return solved;
    }

    private static Dictionary<int, BigInteger> SolveComponent(
        List<Dictionary<int, int>> equations, Dictionary<int, BigInteger> published, Dictionary<int, (BigInteger Low, BigInteger? High)> intervals)
    {
        var fixedValues = new Dictionary<int, BigInteger>();
        bool IsKnown(int v) => published.ContainsKey(v) || fixedValues.ContainsKey(v);
        BigInteger ValueOf(int v) => published.TryGetValue(v, out var p) ? p : fixedValues[v];

        while (true)
        {
            // Rows Σ a·x = b over the variables still unknown.
            var open = equations.SelectMany(e => e.Keys).Where(v => !IsKnown(v)).Distinct().Order().ToList();
            if (open.Count == 0)
            {
                return fixedValues;
            }

            var systemRows = equations.Select(e => (
                Coefficients: open.Select(v => (Fraction)e.GetValueOrDefault(v)).ToArray(),
                Constant: (Fraction)0 - e.Where(t => IsKnown(t.Key)).Aggregate(Fraction.Zero, (s, t) => s + new Fraction(t.Value * ValueOf(t.Key), 1))))
                .ToList();
            var reduced = ReducedRowEchelon(systemRows, open.Count, out var pivotColumns);

            var newlyFixed = new Dictionary<int, BigInteger>();
            var free = Enumerable.Range(0, open.Count).Except(pivotColumns.Values).ToList();
            foreach (var (rowIndex, column) in pivotColumns)
            {
                // The null-space vector of free column f has −reduced[row][f] at this pivot: zero for all f means fixed.
                if (free.All(f => reduced[rowIndex].Coefficients[f].IsZero) && reduced[rowIndex].Constant.Denominator.IsOne)
                {
                    newlyFixed[open[column]] = reduced[rowIndex].Constant.Numerator;
                }
            }

            var bounded = Bounds([.. systemRows, .. reduced], [.. open.Select(v => intervals.TryGetValue(v, out var i) ? i : (BigInteger.Zero, null))]);
            for (var c = 0; c < open.Count; c++)
            {
                if (bounded[c] is { } value)
                {
                    newlyFixed.TryAdd(open[c], value);
                }
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

    private static List<(Fraction[] Coefficients, Fraction Constant)> ReducedRowEchelon(
        List<(Fraction[] Coefficients, Fraction Constant)> input, int columns, out Dictionary<int, int> pivotColumns)
    {
        var rows = input.Select(r => (Coefficients: (Fraction[])r.Coefficients.Clone(), r.Constant)).ToList();
        pivotColumns = [];
        var top = 0;
        for (var c = 0; c < columns && top < rows.Count; c++)
        {
            var pick = -1;
            for (var r = top; r < rows.Count && pick < 0; r++)
            {
                pick = rows[r].Coefficients[c].IsZero ? -1 : r;
            }

            if (pick < 0)
            {
                continue;
            }

            (rows[top], rows[pick]) = (rows[pick], rows[top]);
            var lead = rows[top].Coefficients[c];
            var pivot = (Coefficients: rows[top].Coefficients.Select(x => x / lead).ToArray(), Constant: rows[top].Constant / lead);
            rows[top] = pivot;
            for (var r = 0; r < rows.Count; r++)
            {
                var factor = rows[r].Coefficients[c];
                if (r != top && !factor.IsZero)
                {
                    rows[r] = (rows[r].Coefficients.Select((x, j) => x - factor * pivot.Coefficients[j]).ToArray(), rows[r].Constant - factor * pivot.Constant);
                }
            }

            pivotColumns[top] = c;
            top++;
        }

        return rows;
    }

    // Interval propagation from each unknown's starting interval (≥ 0 and whole; a rounded count's interval when published);
    // returns the value of each column pinned to one integer that did not start as one.
    private static BigInteger?[] Bounds(List<(Fraction[] Coefficients, Fraction Constant)> rows, (BigInteger Low, BigInteger? High)[] start)
    {
        var columns = start.Length;
        var low = start.Select(s => s.Low).ToArray();
        var high = start.Select(s => s.High).ToArray();
        for (var pass = 0; pass < BoundPasses; pass++)
        {
            var changed = false;
            foreach (var (coefficients, constant) in rows)
            {
                for (var j = 0; j < columns; j++)
                {
                    var a = coefficients[j];
                    if (a.IsZero)
                    {
                        continue;
                    }

                    // a·x_j = constant − Σ_{i≠j} a_i·x_i; the sum's range from the other intervals (null = unbounded).
                    Fraction? restLow = constant;
                    Fraction? restHigh = constant;
                    for (var i = 0; i < columns; i++)
                    {
                        var ai = coefficients[i];
                        if (i == j || ai.IsZero)
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

        return [.. Enumerable.Range(0, columns).Select(c => high[c] == low[c] && start[c].High != start[c].Low ? (BigInteger?)low[c] : null)];
    }
}
