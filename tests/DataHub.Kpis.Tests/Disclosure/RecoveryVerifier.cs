using System.Globalization;
using System.Numerics;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>One row of a published kpi_values table, as the verifier reads it.</summary>
/// <param name="Cohort">The cohort label.</param>
/// <param name="Quarter">The quarter label, e.g. "2018Q1".</param>
/// <param name="Indicator">The indicator, e.g. "KPI07".</param>
/// <param name="Measure">The measure, e.g. "unauthorised_absence_rate".</param>
/// <param name="Breakdown">"all" or "{dimension}:{value}"; each dimension's parts sum to "all".</param>
/// <param name="Numerator">The published numerator count, or null.</param>
/// <param name="Denominator">The published denominator count, or null.</param>
/// <param name="Value">The published rate/average, or null.</param>
/// <param name="Marker">"", "[c]", "[u]", "[x]", "[z]" or "[low]".</param>
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

    /// <summary>Exact elimination and bounds (non-negativity, rounding intervals) over the published margins fix it.</summary>
    Margins,

    /// <summary>The row's value is not explained by its published numbers, and only one exact count fits it.</summary>
    Value,
}

/// <summary>A suppressed count a reader can work out exactly.</summary>
/// <param name="Row">The row it belongs to.</param>
/// <param name="Role">Numerator or denominator.</param>
/// <param name="Route">How it was recovered.</param>
/// <param name="RecoveredValue">The value worked out, where the route gives one.</param>
public sealed record RecoverableCell(KpiValueRow Row, CountRole Role, RecoveryRoute Route, BigInteger? RecoveredValue);

/// <summary>How a published row's numbers were made, as the published definitions tell a reader.</summary>
/// <param name="Unit">count, proportion, average_days, session_rate or change.</param>
/// <param name="NumeratorIsCount">The numerator counts people or records (else it sums days or sessions).</param>
/// <param name="DenominatorIsCount">The denominator counts people or records.</param>
/// <param name="Threshold">Counts from 1 to this are withheld.</param>
/// <param name="SuppressZeros">Zeros are withheld too.</param>
/// <param name="RoundingBase">Published counts and sums are rounded half up to this; null for exact.</param>
/// <param name="DenominatorRules">The denominator's own rules when it is published under other ones than the numerator (e.g. a
/// cohort population beside a partner feed's count); null when both share the row's.</param>
public sealed record RowPublication(string Unit, bool NumeratorIsCount, bool DenominatorIsCount, int Threshold, bool SuppressZeros, int? RoundingBase,
    (int Threshold, bool SuppressZeros, int? RoundingBase)? DenominatorRules = null)
{
    /// <summary>The rules a role's count is published under.</summary>
    public RowPublication For(CountRole role) => role == CountRole.Denominator && DenominatorRules is { } d
        ? this with { Threshold = d.Threshold, SuppressZeros = d.SuppressZeros, RoundingBase = d.RoundingBase, DenominatorRules = null }
        : this;
}

/// <summary>What the verifier may assume about a table beyond its breakdown margins.</summary>
/// <param name="DenominatorQuantity">Rows whose denominators map to the same key are one quantity. When null,
/// the verifier infers it: within one cohort and quarter, two measures share their denominators when they publish
/// the same denominator at some breakdown and never different ones.</param>
/// <param name="QuarterTotals">Quarter labels that are published totals of other quarters (e.g. "2018" → four
/// quarters); for every series, role and breakdown the total quarter's count is the sum of the parts'.</param>
/// <param name="NumeratorQuantity">Rows whose numerators map to the same key are one quantity (e.g. the same count in two
/// measures, or a cohort population in every quarter); by default each measure, quarter and breakdown is its own.</param>
/// <param name="Publication">How each row's numbers were made. When null every published count is taken as exact; when given,
/// a published count is known only to lie among the counts that are not small and round to it, and values are attacked too.</param>
/// <param name="Relations">Sums and inequalities a reader knows between quantities, named by the keys
/// <see cref="NumeratorQuantity"/> and <see cref="DenominatorQuantity"/> give (one key is one quantity in either role); a key no
/// row publishes is a quantity nobody shows, known only to be ≥ 0.</param>
public sealed record RecoveryOptions(
    Func<KpiValueRow, string>? DenominatorQuantity = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? QuarterTotals = null,
    Func<KpiValueRow, string>? NumeratorQuantity = null,
    Func<KpiValueRow, RowPublication>? Publication = null,
    IReadOnlyList<QuantityRelation>? Relations = null);

/// <summary>A relation between quantities a reader can rely on: the left side's sum equals the right side's or, with
/// <paramref name="LeftAtLeast"/>, is at least it (e.g. the records carrying one key are at most all of a feed's records).</summary>
/// <param name="Left">Quantity keys summed on the left (a key twice counts twice).</param>
/// <param name="Right">Quantity keys summed on the right; empty for 0.</param>
/// <param name="LeftAtLeast">Left ≥ right (an unknown non-negative remainder), rather than equal.</param>
public sealed record QuantityRelation(IReadOnlyList<string> Left, IReadOnlyList<string> Right, bool LeftAtLeast = false);

/// <summary>The independent check that no exact count can be worked back from a published kpi_values table. It shares no
/// code with DataHub.Core's disclosure or publishing code: it knows only what a reader knows (the rows and the published rules).</summary>
/// <remarks>Each distinct count quantity is one variable. A published count is known exactly, or (with
/// <see cref="RecoveryOptions.Publication"/>) only to within the counts that round to it and are not small; a withheld count is
/// only known to be ≥ 0. The attacks: a withheld count published in another row; a value beside a withheld count; a value that
/// the published numbers do not explain (value × denominator, days ÷ average, after − before), tried against every exact
/// numerator and denominator the rounding allows; and the breakdown margins (and optional quarter totals and relations across
/// rows and tables, an inequality with a remainder of its own, unknown and ≥ 0), by rational Gauss–Jordan
/// elimination and by bounds from the intervals, over the margins and the reduced rows, in turn until nothing changes. A count
/// pinned to one integer by any of them is recovered.</remarks>
public static class RecoveryVerifier
{
    /// <summary>Every count of the table a reader can recover exactly, in row order.</summary>
    public static IReadOnlyList<RecoverableCell> FindRecoverableCells(IReadOnlyList<KpiValueRow> rows, RecoveryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new RecoveryOptions();
        // Explicit keys name quantities whatever role they are published in (a cohort size is one table's count and another's denominator).
        var denominatorKeys = options.DenominatorQuantity is { } explicitKey
            ? rows.Select(r => "Q|" + explicitKey(r)).ToArray()
            : InferDenominatorKeys(rows);
        var numeratorKeys = rows.Select(r => options.NumeratorQuantity is { } key ? "Q|" + key(r) : NumeratorKey(r, r.Quarter, r.Breakdown)).ToArray();

        var variables = new Dictionary<string, int>(StringComparer.Ordinal);
        var bounds = new Dictionary<int, (BigInteger Low, BigInteger? High)>();
        var counts = new HashSet<int>();
        var cellVariable = new int[rows.Count, 2];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var how = options.Publication?.Invoke(row);
            cellVariable[r, 0] = Variable(variables, numeratorKeys[r]);
            cellVariable[r, 1] = Variable(variables, denominatorKeys[r]);
            if (how is null || how.NumeratorIsCount)
            {
                counts.Add(cellVariable[r, 0]);
            }

            if (how is null || how.DenominatorIsCount)
            {
                counts.Add(cellVariable[r, 1]);
            }

            Know(bounds, cellVariable[r, 0], row.Numerator, how, how?.NumeratorIsCount ?? true);
            Know(bounds, cellVariable[r, 1], row.Denominator, how?.For(CountRole.Denominator), how?.DenominatorIsCount ?? true);
        }

        var known = bounds.Where(b => b.Value.High == b.Value.Low).ToDictionary(b => b.Key, b => b.Value.Low);
        var unavailable = new HashSet<int>(Enumerable.Range(0, rows.Count).Where(r => rows[r].Marker is "[x]" or "[z]" && rows[r].Numerator is null)
            .SelectMany(r => new[] { cellVariable[r, 0], cellVariable[r, 1] }).Where(v => !bounds.ContainsKey(v)));
        var equations = Equations(rows, numeratorKeys, denominatorKeys, variables, options.QuarterTotals)
            .Concat(Relations(options.Relations, variables, counts).ToList())
            .Where(e => e.Keys.All(counts.Contains) && !e.Keys.Any(unavailable.Contains)).ToList();
        var remainders = variables.Where(v => v.Key.StartsWith("S|", StringComparison.Ordinal)).Select(v => v.Value).ToHashSet();
        var solved = MarginSolver.Solve(equations, known, bounds, remainders);

        var found = new List<RecoverableCell>();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var how = options.Publication?.Invoke(row);
            foreach (var role in new[] { CountRole.Numerator, CountRole.Denominator })
            {
                var variable = cellVariable[r, (int)role];
                var published = role == CountRole.Numerator ? row.Numerator : row.Denominator;
                if (!counts.Contains(variable) || (published is null && row.Marker != "[c]"))
                {
                    continue;
                }

                if (published is null && known.TryGetValue(variable, out var elsewhere))
                {
                    found.Add(new RecoverableCell(row, role, RecoveryRoute.PublishedElsewhere, elsewhere));
                }
                else if (published is null && row.Value is not null)
                {
                    found.Add(new RecoverableCell(row, role, RecoveryRoute.Rate, null));
                }
                else if (!known.ContainsKey(variable) && solved.TryGetValue(variable, out var value))
                {
                    found.Add(new RecoverableCell(row, role, RecoveryRoute.Margins, value));
                }
            }

            if (how is not null && ValueAttack.Recover(row, how) is { } recovered)
            {
                found.AddRange(recovered);
            }
        }

        // Under rounding, a count worked out exactly is a disclosure unless the rules would have shown it exactly anyway (a zero
        // that is not withheld): it is a withheld count, or a rounded one given back.
        return found
            .Where(f => options.Publication is not { } how || f.RecoveredValue is not { } v
                || Rounding.WouldHide(v, how(f.Row).For(f.Role), f.Role == CountRole.Numerator ? how(f.Row).NumeratorIsCount : how(f.Row).DenominatorIsCount))
            .DistinctBy(f => (f.Row, f.Role)).ToList();
    }

    // Each relation as an equation (left +1, right −1); an inequality gets a remainder of its own, unknown and ≥ 0, on the right.
    private static IEnumerable<Dictionary<int, int>> Relations(IReadOnlyList<QuantityRelation>? relations, Dictionary<string, int> variables, HashSet<int> counts)
    {
        var remainder = 0;
        foreach (var relation in relations ?? [])
        {
            var equation = new Dictionary<int, int>();
            void Term(string key, int sign)
            {
                var v = Variable(variables, key);
                counts.Add(v);
                equation[v] = equation.GetValueOrDefault(v) + sign;
            }

            relation.Left.ToList().ForEach(k => Term("Q|" + k, 1));
            relation.Right.ToList().ForEach(k => Term("Q|" + k, -1));
            if (relation.LeftAtLeast)
            {
                Term("S|" + remainder++.ToString(CultureInfo.InvariantCulture), -1);
            }

            foreach (var zero in equation.Where(e => e.Value == 0).Select(e => e.Key).ToList())
            {
                equation.Remove(zero);
            }

            if (equation.Count > 0)
            {
                yield return equation;
            }
        }
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

    // What a reader knows of a published number: exactly it, or (rounded) the whole numbers that are not small and round to it.
    private static void Know(Dictionary<int, (BigInteger Low, BigInteger? High)> bounds, int variable, long? value, RowPublication? how, bool isCount)
    {
        if (value is not { } v)
        {
            return;
        }

        var (low, high) = how is null ? (v, v) : Rounding.Interval(v, how, isCount);
        if (bounds.TryGetValue(variable, out var earlier))
        {
            if (earlier.High < low || high < earlier.Low)
            {
                throw new ArgumentException("Two rows publish values for what the options call one quantity that cannot both hold.");
            }

            bounds[variable] = (BigInteger.Max(earlier.Low, low), earlier.High is { } h ? BigInteger.Min(h, high) : high);
            return;
        }

        bounds[variable] = (low, high);
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
        IReadOnlyList<KpiValueRow> rows, string[] numeratorKeys, string[] denominatorKeys, Dictionary<string, int> variables,
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

            foreach (var zero in equation.Where(e => e.Value == 0).Select(e => e.Key).ToList())
            {
                equation.Remove(zero);
            }

            if (equation.Count == 0)
            {
                return;
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
                variables[numeratorKeys[r]];
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
}
