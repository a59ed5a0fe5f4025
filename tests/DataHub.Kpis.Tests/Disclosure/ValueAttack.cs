using System.Numerics;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>What a reader can tell of a published number from the published rules alone (the verifier's own arithmetic).</summary>
internal static class Rounding
{
    /// <summary>The whole numbers that publish as <paramref name="value"/>: they round half up to it and, for counts, are not small.</summary>
    public static (BigInteger Low, BigInteger High) Interval(long value, RowPublication how, bool isCount)
    {
        if (how.RoundingBase is not { } b)
        {
            return (value, value);
        }

        BigInteger? low = null, high = null;
        for (var x = Math.Max(0, value - b); x <= value + b; x++)
        {
            var rounds = (x * 2 + b) / (2L * b) * b == value;
            var small = x == 0 ? how.SuppressZeros : x <= how.Threshold;
            if (rounds && !(isCount && small))
            {
                low ??= x;
                high = x;
            }
        }

        return low is { } l ? (l, high!.Value) : (value, value);
    }

    /// <summary>True when the rules would not show this exact count as it is: it is withheld, or it would be shown rounded.</summary>
    public static bool WouldHide(BigInteger exact, RowPublication how, bool isCount)
    {
        var x = (long)exact;
        if (isCount && (x == 0 ? how.SuppressZeros : x <= how.Threshold))
        {
            return true;
        }

        if (how.RoundingBase is not { } b)
        {
            return false;
        }

        var shown = (x * 2 + b) / (2L * b) * b;
        return Interval(shown, how, isCount) != (exact, exact);
    }
}

/// <summary>
/// The value attacks: a value the row's published numbers do not explain was made from something else, e.g. exact counts.
/// Every exact numerator and denominator the rounding allows is tried (value × denominator, days ÷ average, after − before);
/// when all that fit share one count, that count is recovered.
/// </summary>
internal static class ValueAttack
{
    public static IReadOnlyList<RecoverableCell>? Recover(KpiValueRow row, RowPublication how)
    {
        if (row.Value is not { } value || row.Numerator is not { } n || Explained(row, how.Unit, value, n))
        {
            return null;
        }

        var numerators = Range(Rounding.Interval(n, how, how.NumeratorIsCount));
        if (how.Unit == "count" || row.Denominator is not { } d)
        {
            var fits = numerators.Where(x => Close((double)x, value)).ToList();
            return fits.Count == 1 && how.NumeratorIsCount ? [new RecoverableCell(row, CountRole.Numerator, RecoveryRoute.Value, fits[0])] : null;
        }

        var pairs = (from x in numerators
                     from y in Range(Rounding.Interval(d, how.For(CountRole.Denominator), how.DenominatorIsCount))
                     where how.Unit == "change" ? Close((double)(x - y), value) : !y.IsZero && Close((double)x / (double)y, value)
                     select (x, y)).ToList();
        if (pairs.Count == 0)
        {
            return null;
        }

        var found = new List<RecoverableCell>();
        if (how.NumeratorIsCount && pairs.Select(p => p.x).Distinct().Count() == 1)
        {
            found.Add(new RecoverableCell(row, CountRole.Numerator, RecoveryRoute.Value, pairs[0].x));
        }

        if (how.DenominatorIsCount && pairs.Select(p => p.y).Distinct().Count() == 1)
        {
            found.Add(new RecoverableCell(row, CountRole.Denominator, RecoveryRoute.Value, pairs[0].y));
        }

        return found;
    }

    private static bool Explained(KpiValueRow row, string unit, double value, long n) => unit switch
    {
        "count" => Close(n, value),
        "change" => row.Denominator is { } d && Close(n - d, value),
        _ => row.Denominator is { } d && d != 0 && Close((double)n / d, value),
    };

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));

    private static IEnumerable<BigInteger> Range((BigInteger Low, BigInteger High) interval)
    {
        for (var x = interval.Low; x <= interval.High; x++)
        {
            yield return x;
        }
    }
}
