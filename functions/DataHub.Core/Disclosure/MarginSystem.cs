using System.Numerics;

namespace DataHub.Core.Disclosure;

/// <summary>The margin equations of one table and what a reader can work out from them: which unpublished cells
/// are fixed exactly by the published cells, by linear algebra and by the non-negativity of counts.</summary>
/// <remarks>Each equation is total − Σ parts = 0 over cell indices. A reader knows every published cell; an
/// unknown cell is fixed when its unit vector lies in the row space of the equations restricted to the
/// unknowns, or when the bounds that non-negative counts impose on each equation pin it to one value.
/// The two are applied in turn until neither fixes anything new.</remarks>
internal sealed class MarginSystem
{
    // Bounds propagation tightens by at least 1 per pass on a real table; this caps pathological creeping.
    private const int MaxBoundPasses = 200;

    // Stands for +∞ as an upper bound (and its negation for −∞); real counts never come near it.
    private const long Unbounded = long.MaxValue;

    private readonly int[][] _equations;
    private readonly int[][] _equationsOfCell;
    private readonly long[] _values;

    /// <param name="equations">Each equation's cells: the total first, then its parts.</param>
    /// <param name="values">Each cell's true value (what a reader knows when the cell is published).</param>
    public MarginSystem(IReadOnlyList<int[]> equations, long[] values)
    {
        _equations = [.. equations];
        _values = values;
        var byCell = new List<int>[values.Length];
        for (var e = 0; e < _equations.Length; e++)
        {
            foreach (var cell in _equations[e])
            {
                (byCell[cell] ??= []).Add(e);
            }
        }

        _equationsOfCell = [.. byCell.Select(list => list is null ? Array.Empty<int>() : list.ToArray())];
    }

    /// <summary>The equations a cell appears in.</summary>
    public IReadOnlyList<int> EquationsOf(int cell) => _equationsOfCell[cell];

    /// <summary>The cells of an equation, total first.</summary>
    public IReadOnlyList<int> CellsOf(int equation) => _equations[equation];

    /// <summary>Every unknown cell a reader can fix exactly.</summary>
    public SortedSet<int> Recoverable(IReadOnlySet<int> unknown)
    {
        var fixedCells = new SortedSet<int>();
        var seen = new HashSet<int>();
        foreach (var start in unknown.Order())
        {
            if (seen.Add(start))
            {
                var component = ComponentOf(start, unknown);
                seen.UnionWith(component);
                fixedCells.UnionWith(Solve(component, unknown));
            }
        }

        return fixedCells;
    }

    /// <summary>The unknown cells a reader can fix among those linked to this one through equations with unknowns.</summary>
    public SortedSet<int> RecoverableNear(int cell, IReadOnlySet<int> unknown) => [.. Solve(ComponentOf(cell, unknown), unknown)];

    /// <summary>The unknown cells linked to the start through equations that hold unknowns; nothing outside bears on them.</summary>
    public List<int> ComponentOf(int start, IReadOnlySet<int> unknown)
    {
        var component = new List<int> { start };
        var inComponent = new HashSet<int> { start };
        for (var i = 0; i < component.Count; i++)
        {
            foreach (var e in _equationsOfCell[component[i]])
            {
                foreach (var other in _equations[e])
                {
                    if (unknown.Contains(other) && inComponent.Add(other))
                    {
                        component.Add(other);
                    }
                }
            }
        }

        component.Sort();
        return component;
    }

    /// <summary>
    /// The cells whose bounds the equations narrow to one value, when a reader knows each cell only to within
    /// [<paramref name="low"/>, <paramref name="high"/>] (<see cref="long.MaxValue"/> for no upper bound). Cells that start
    /// as one value, or unbounded, are not reported: the first are published exactly, the second are unknown.
    /// </summary>
    public List<int> PinnedIntervals(long[] low, long[] high)
    {
        var published = Enumerable.Range(0, _values.Length).Where(i => low[i] < high[i] && high[i] != Unbounded).ToArray();
        var terms = _equations.Select(e => (Vars: e, Signs: e.Select((_, k) => k == 0 ? 1 : -1).ToArray())).ToArray();
        for (var pass = 0; pass < MaxBoundPasses; pass++)
        {
            var changed = false;
            foreach (var (vars, signs) in terms)
            {
                changed |= Tighten(vars, signs, 0, low, high);
            }

            if (!changed)
            {
                break;
            }
        }

        return [.. published.Where(i => low[i] == high[i])];
    }

    private HashSet<int> Solve(List<int> component, IReadOnlySet<int> unknown)
    {
        var equations = component.SelectMany(c => _equationsOfCell[c]).Distinct().Order().ToArray();
        var determined = new HashSet<int>();
        while (true)
        {
            var open = component.Where(c => !determined.Contains(c)).ToList();
            var found = FixedByElimination(open, equations, unknown, determined);
            found.UnionWith(FixedByBounds(open, equations));
            found.ExceptWith(determined);
            if (found.Count == 0)
            {
                return determined;
            }

            determined.UnionWith(found);
        }
    }

    // Fraction-free Gauss–Jordan over the integers: a column is fixed when its pivot row has no other non-zero entry.
    private HashSet<int> FixedByElimination(List<int> open, int[] equations, IReadOnlySet<int> unknown, HashSet<int> determined)
    {
        var column = new Dictionary<int, int>();
        for (var i = 0; i < open.Count; i++)
        {
            column[open[i]] = i;
        }

        var rows = new List<long[]>();
        foreach (var e in equations)
        {
            var row = new long[open.Count];
            var any = false;
            var cells = _equations[e];
            for (var k = 0; k < cells.Length; k++)
            {
                if (unknown.Contains(cells[k]) && !determined.Contains(cells[k]))
                {
                    row[column[cells[k]]] += k == 0 ? 1 : -1;
                    any = true;
                }
            }

            if (any)
            {
                rows.Add(row);
            }
        }

        List<int> fixedColumns;
        try
        {
            // 64-bit arithmetic is plenty for margin tables once rows are divided by their gcd; overflow is checked.
            fixedColumns = Eliminate([.. rows.Select(r => (long[])r.Clone())], open.Count);
        }
        catch (OverflowException)
        {
            fixedColumns = Eliminate([.. rows.Select(r => r.Select(v => (BigInteger)v).ToArray())], open.Count);
        }

        return [.. fixedColumns.Select(c => open[c])];
    }

    private static List<int> Eliminate<T>(List<T[]> rows, int columns)
        where T : IBinaryInteger<T>
    {
        var pivots = new List<(int Row, int Column)>();
        var next = 0;
        for (var col = 0; col < columns && next < rows.Count; col++)
        {
            var pick = rows.FindIndex(next, r => !T.IsZero(r[col]));
            if (pick < 0)
            {
                continue;
            }

            (rows[next], rows[pick]) = (rows[pick], rows[next]);
            var pivot = rows[next];
            for (var r = 0; r < rows.Count; r++)
            {
                if (r == next || T.IsZero(rows[r][col]))
                {
                    continue;
                }

                var factor = rows[r][col];
                var scale = pivot[col];
                var row = rows[r];
                var gcd = T.Zero;
                for (var j = 0; j < row.Length; j++)
                {
                    row[j] = checked((row[j] * scale) - (pivot[j] * factor));
                    gcd = Gcd(gcd, T.Abs(row[j]));
                }

                if (gcd > T.One)
                {
                    for (var j = 0; j < row.Length; j++)
                    {
                        row[j] /= gcd;
                    }
                }
            }

            pivots.Add((next, col));
            next++;
        }

        return [.. pivots.Where(p => rows[p.Row].Count(v => !T.IsZero(v)) == 1).Select(p => p.Column)];
    }

    private static T Gcd<T>(T a, T b)
        where T : IBinaryInteger<T>
    {
        while (!T.IsZero(b))
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    // Interval propagation with every count ≥ 0: a cell whose lower and upper bounds meet is fixed.
    private HashSet<int> FixedByBounds(List<int> open, int[] equations)
    {
        var local = new Dictionary<int, int>();
        for (var i = 0; i < open.Count; i++)
        {
            local[open[i]] = i;
        }

        // Each equation as Σ sign·x over open cells = rest, with every known cell moved to the right-hand side.
        // Every unknown of an equation is in the component, so a cell that is not open is known to the reader.
        var terms = new List<(int[] Vars, int[] Signs, long Constant)>();
        foreach (var e in equations)
        {
            var cells = _equations[e];
            var vars = new List<int>();
            var signs = new List<int>();
            long rest = 0;
            for (var k = 0; k < cells.Length; k++)
            {
                var sign = k == 0 ? 1 : -1;
                if (local.TryGetValue(cells[k], out var v))
                {
                    vars.Add(v);
                    signs.Add(sign);
                }
                else
                {
                    rest -= sign * _values[cells[k]];
                }
            }

            terms.Add(([.. vars], [.. signs], rest));
        }

        var low = new long[open.Count];
        var high = new long[open.Count];
        Array.Fill(high, Unbounded);
        for (var pass = 0; pass < MaxBoundPasses; pass++)
        {
            var changed = false;
            foreach (var (vars, signs, rest) in terms)
            {
                changed |= Tighten(vars, signs, rest, low, high);
            }

            if (!changed)
            {
                break;
            }
        }

        return [.. Enumerable.Range(0, open.Count).Where(i => high[i] == low[i]).Select(i => open[i])];
    }

    // For Σ sign·x = rest: each x's range from the others' ranges (sums taken once, each term's own share removed).
    private static bool Tighten(int[] vars, int[] signs, long rest, long[] low, long[] high)
    {
        var n = vars.Length;
        Span<long> termMin = n <= 64 ? stackalloc long[n] : new long[n];
        Span<long> termMax = n <= 64 ? stackalloc long[n] : new long[n];
        long sumMin = 0;
        long sumMax = 0;
        var minUnbounded = 0;
        var maxUnbounded = 0;
        for (var t = 0; t < n; t++)
        {
            var (lo, hi) = (low[vars[t]], high[vars[t]]);
            // A term's range: [lo, hi] for +x, [−hi, −lo] for −x; Unbounded stands for ±∞.
            (termMin[t], termMax[t]) = signs[t] > 0 ? (lo, hi) : (hi == Unbounded ? -Unbounded : -hi, -lo);
            minUnbounded += termMin[t] == -Unbounded ? 1 : 0;
            sumMin += termMin[t] == -Unbounded ? 0 : termMin[t];
            maxUnbounded += termMax[t] == Unbounded ? 1 : 0;
            sumMax += termMax[t] == Unbounded ? 0 : termMax[t];
        }

        var changed = false;
        for (var t = 0; t < n; t++)
        {
            var ownMinUnbounded = termMin[t] == -Unbounded;
            var ownMaxUnbounded = termMax[t] == Unbounded;
            var othersMinFinite = minUnbounded - (ownMinUnbounded ? 1 : 0) == 0;
            var othersMaxFinite = maxUnbounded - (ownMaxUnbounded ? 1 : 0) == 0;
            var othersMin = sumMin - (ownMinUnbounded ? 0 : termMin[t]);
            var othersMax = sumMax - (ownMaxUnbounded ? 0 : termMax[t]);

            // sign·x = rest − others.
            long? newLow;
            long? newHigh;
            if (signs[t] > 0)
            {
                newLow = othersMaxFinite ? rest - othersMax : null;
                newHigh = othersMinFinite ? rest - othersMin : null;
            }
            else
            {
                newLow = othersMinFinite ? othersMin - rest : null;
                newHigh = othersMaxFinite ? othersMax - rest : null;
            }

            var v = vars[t];
            if (newLow is { } l && l > low[v])
            {
                low[v] = l;
                changed = true;
            }

            if (newHigh is { } h && h < high[v])
            {
                high[v] = h;
                changed = true;
            }
        }

        return changed;
    }
}
