using System.Globalization;
using System.Numerics;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>One row of a published kpi_values table (contract C9), as the verifier reads it.</summary>
/// <param name="Cohort">The cohort label.</param>
/// <param name="Quarter">The quarter label, e.g. "2018Q1".</param>
/// <param name="Indicator">The indicator, e.g. "KPI07".</param>
/// <param name="Measure">The measure, e.g. "unauthorised_absence_rate".</param>
/// <param name="Breakdown">"all" or "{dimension}:{value}"; each dimension's parts sum to "all".</param>
/// <param name="Numerator">The published numerator count, or null.</param>
/// <param name="Denominator">The published denominator count, or null.</param>
/// <param name="Value">The published rate/average, or null.</param>
/// <param name="Marker">"", "[c]", "[x]", "[z]" or "[low]".</param>
public sealed record KpiValueRow(
    string Cohort,
    string Quarter,
    string Indicator,
    string Measure,
    string Breakdown,
    long? Numerator,
    long? Denominator,
    double? Value,
    string Marker);

/// <summary>Which count of a row was recovered.</summary>
public enum CountRole
{
    /// <summary>The row's numerator.</summary>
    Numerator,

    /// <summary>The row's denominator.</summary>
    Denominator,
}

/// <summary>How a suppressed count was recovered.</summary>
public enum RecoveryRoute
{
    /// <summary>The same quantity is published unsuppressed in another row.</summary>
    PublishedElsewhere,

    /// <summary>The row publishes a value (rate) beside its suppressed count.</summary>
    Rate,

    /// <summary>Exact elimination and non-negativity bounds over the published margins fix it.</summary>
    Margins,
}

/// <summary>A suppressed count a reader can work out exactly.</summary>
/// <param name="Row">The row it belongs to.</param>
/// <param name="Role">Numerator or denominator.</param>
/// <param name="Route">How it was recovered.</param>
/// <param name="RecoveredValue">The value worked out, where the route gives one.</param>
public sealed record RecoverableCell(KpiValueRow Row, CountRole Role, RecoveryRoute Route, BigInteger? RecoveredValue);

/// <summary>What the verifier may assume about a table beyond C9's breakdown margins.</summary>
/// <param name="DenominatorQuantity">Rows whose denominators map to the same key are one quantity. When null,
/// the verifier infers it: within one cohort and quarter, two measures share their denominators when they publish
/// the same denominator at some breakdown and never different ones.</param>
/// <param name="QuarterTotals">Quarter labels that are published totals of other quarters (e.g. "2018" → four
/// quarters); for every series, role and breakdown the total quarter's count is the sum of the parts'.</param>
public sealed record RecoveryOptions(
    Func<KpiValueRow, string>? DenominatorQuantity = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? QuarterTotals = null);

/// <summary>The independent check of acceptance item 2 (issue 4): tries to recover each suppressed numerator and
/// denominator of a published kpi_values table exactly, sharing no code with DataHub.Core.Disclosure.</summary>
/// <remarks>Each distinct count quantity is one unknown or known variable. Equations are C9's breakdown margins
/// (and optional quarter totals). A suppressed count (null in a <c>[c]</c> row) is recoverable when it is published
/// elsewhere, when its row publishes a value, or when rational Gauss–Jordan elimination shows every solution of the
/// margins agrees on it (it is zero in every null-space vector), or when bounds from non-negative counts — over the
/// margins and over the reduced rows — pin it to one integer. The two methods feed each other until nothing changes.
/// Published values are taken as exact, so a rounded table can give false alarms, never false comfort.</remarks>
public static class RecoveryVerifier
{
    private const int BoundPasses = 100;

    /// <summary>Every suppressed count of the table a reader can recover exactly, in row order.</summary>
    public static IReadOnlyList<RecoverableCell> FindRecoverableCells(IReadOnlyList<KpiValueRow> rows, RecoveryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new RecoveryOptions();
        var denominatorKeys = options.DenominatorQuantity is { } explicitKey
            ? rows.Select(r => "D|" + explicitKey(r)).ToArray()
            : InferDenominatorKeys(rows);

        var variables = new Dictionary<string, int>(StringComparer.Ordinal);
        var known = new Dictionary<int, BigInteger>();
        var cellVariable = new int[rows.Count, 2];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            cellVariable[r, 0] = Variable(variables, NumeratorKey(row, row.Quarter, row.Breakdown));
            cellVariable[r, 1] = Variable(variables, denominatorKeys[r]);
            Know(known, cellVariable[r, 0], row.Numerator);
            Know(known, cellVariable[r, 1], row.Denominator);
        }

        var equations = Equations(rows, denominatorKeys, variables, options.QuarterTotals);
        var solved = Solve(equations, known);

        var found = new List<RecoverableCell>();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Marker != "[c]")
            {
                continue;
            }

            foreach (var role in new[] { CountRole.Numerator, CountRole.Denominator })
            {
                var published = role == CountRole.Numerator ? row.Numerator : row.Denominator;
                if (published is not null)
                {
                    continue;
                }

                var variable = cellVariable[r, (int)role];
                if (known.TryGetValue(variable, out var elsewhere))
                {
                    found.Add(new RecoverableCell(row, role, RecoveryRoute.PublishedElsewhere, elsewhere));
                }
                else if (row.Value is not null)
                {
                    found.Add(new RecoverableCell(row, role, RecoveryRoute.Rate, null));
                }
                else if (solved.TryGetValue(variable, out var value))
                {
                    found.Add(new RecoverableCell(row, role, RecoveryRoute.Margins, value));
                }
            }
        }

        return found;
    }

    private static string NumeratorKey(KpiValueRow row, string quarter, string breakdown) =>
        string.Join('\u001f', "N", row.Cohort, quarter, row.Indicator, row.Measure, breakdown);

    private static int Variable(Dictionary<string, int> variables, string key)
    {
        if (!variables.TryGetValue(key, out var v))
        {
            v = variables.Count;
            variables[key] = v;
        }

        return v;
    }

    private static void Know(Dictionary<int, BigInteger> known, int variable, long? value)
    {
        if (value is not { } v)
        {
            return;
        }

        if (known.TryGetValue(variable, out var earlier) && earlier != v)
        {
            throw new ArgumentException("Two rows publish different values for what the options call one quantity.");
        }

        known[variable] = v;
    }

    // Greedy, in ordinal order, so the grouping does not depend on row order.
    private static string[] InferDenominatorKeys(IReadOnlyList<KpiValueRow> rows)
    {
        var keys = new string[rows.Count];
        foreach (var period in Enumerable.Range(0, rows.Count).GroupBy(i => (rows[i].Cohort, rows[i].Quarter)))
        {
            var series = period
                .GroupBy(i => (rows[i].Indicator, rows[i].Measure))
                .OrderBy(g => g.Key.Indicator, StringComparer.Ordinal).ThenBy(g => g.Key.Measure, StringComparer.Ordinal)
                .Select(g => (Rows: g.ToList(), Published: g.Where(i => rows[i].Denominator is not null)
                    .GroupBy(i => rows[i].Breakdown, StringComparer.Ordinal)
                    .ToDictionary(b => b.Key, b => rows[b.First()].Denominator!.Value, StringComparer.Ordinal)))
                .ToList();
            var clusters = new List<List<Dictionary<string, long>>>();
            foreach (var (members, published) in series)
            {
                var cluster = clusters.FindIndex(c =>
                    c.All(other => published.All(p => !other.TryGetValue(p.Key, out var v) || v == p.Value))
                    && c.Any(other => published.Any(p => other.TryGetValue(p.Key, out var v) && v == p.Value)));
                if (cluster < 0)
                {
                    cluster = clusters.Count;
                    clusters.Add([]);
                }

                clusters[cluster].Add(published);
                foreach (var i in members)
                {
                    keys[i] = string.Join('\u001f', "D", rows[i].Cohort, rows[i].Quarter, cluster.ToString(CultureInfo.InvariantCulture), rows[i].Breakdown);
                }
            }
        }

        return keys;
    }

    // Each equation: variable → coefficient, summing to zero (total +1, parts −1).
    private static List<Dictionary<int, int>> Equations(
        IReadOnlyList<KpiValueRow> rows, string[] denominatorKeys, Dictionary<string, int> variables,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? quarterTotals)
    {
        var distinct = new Dictionary<string, Dictionary<int, int>>(StringComparer.Ordinal);
        void Add(int total, IReadOnlyList<int> parts)
        {
            var equation = new Dictionary<int, int> { [total] = 1 };
            foreach (var p in parts)
            {
                equation[p] = equation.GetValueOrDefault(p) - 1;
            }

            var key = string.Join(',', equation.OrderBy(e => e.Key).Select(e => $"{e.Key}:{e.Value}"));
            distinct.TryAdd(key, equation);
        }

        // The row's variable for a role, looked up by coordinates; null when the table has no such row.
        var byCoordinates = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            byCoordinates[string.Join('\u001f', 0, row.Cohort, row.Quarter, row.Indicator, row.Measure, row.Breakdown)] =
                variables[NumeratorKey(row, row.Quarter, row.Breakdown)];
            byCoordinates[string.Join('\u001f', 1, row.Cohort, row.Quarter, row.Indicator, row.Measure, row.Breakdown)] =
                variables[denominatorKeys[r]];
        }

        int? At(int role, KpiValueRow like, string quarter, string breakdown) =>
            byCoordinates.TryGetValue(string.Join('\u001f', role, like.Cohort, quarter, like.Indicator, like.Measure, breakdown), out var v)
                ? v
                : null;

        foreach (var series in rows.GroupBy(r => (r.Cohort, r.Quarter, r.Indicator, r.Measure)))
        {
            var first = series.First();
            foreach (var role in new[] { 0, 1 })
            {
                if (At(role, first, first.Quarter, "all") is not { } all)
                {
                    continue;
                }

                foreach (var dimension in series
                    .Where(r => r.Breakdown.Contains(':', StringComparison.Ordinal))
                    .GroupBy(r => r.Breakdown[..r.Breakdown.IndexOf(':', StringComparison.Ordinal)], StringComparer.Ordinal))
                {
                    Add(all, [.. dimension.Select(r => r.Breakdown).Distinct(StringComparer.Ordinal).Select(b => At(role, first, first.Quarter, b)!.Value)]);
                }
            }
        }

        foreach (var (totalQuarter, partQuarters) in quarterTotals ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            foreach (var row in rows.Where(r => r.Quarter == totalQuarter))
            {
                foreach (var role in new[] { 0, 1 })
                {
                    var parts = partQuarters.Select(q => At(role, row, q, row.Breakdown)).ToList();
                    if (parts.All(p => p is not null))
                    {
                        Add(At(role, row, totalQuarter, row.Breakdown)!.Value, [.. parts.Select(p => p!.Value)]);
                    }
                }
            }
        }

        return [.. distinct.Values];
    }

    // Values of unknown variables a reader can fix, by component of unknowns linked through equations.
    private static Dictionary<int, BigInteger> Solve(List<Dictionary<int, int>> equations, Dictionary<int, BigInteger> known)
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
            foreach (var (variable, value) in SolveComponent([.. component], known))
            {
                solved[variable] = value;
            }
        }

        return solved;
    }

    private static Dictionary<int, BigInteger> SolveComponent(List<Dictionary<int, int>> equations, Dictionary<int, BigInteger> published)
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

            var bounded = Bounds([.. systemRows, .. reduced], open.Count);
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

    // Interval propagation with every unknown ≥ 0 and whole; returns the value of each column pinned to one integer.
    private static BigInteger?[] Bounds(List<(Fraction[] Coefficients, Fraction Constant)> rows, int columns)
    {
        var low = Enumerable.Repeat(BigInteger.Zero, columns).ToArray();
        var high = new BigInteger?[columns];
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

        return [.. Enumerable.Range(0, columns).Select(c => high[c] == low[c] ? (BigInteger?)low[c] : null)];
    }
}
