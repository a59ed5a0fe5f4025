using System.Numerics;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>An exact rational number for the recovery verifier's elimination (kept apart from the module's integer arithmetic).</summary>
public readonly struct Fraction : IComparable<Fraction>, IEquatable<Fraction>
{
    /// <summary>Creates the fraction numerator / denominator in lowest terms with a positive denominator.</summary>
    public Fraction(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("A fraction cannot have a zero denominator.");
        }

        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        Numerator = numerator / gcd;
        _denominator = denominator / gcd;
    }

    /// <summary>The numerator in lowest terms.</summary>
    public BigInteger Numerator { get; }

    /// <summary>The denominator in lowest terms, always positive (1 for the default value).</summary>
    public BigInteger Denominator => _denominator.IsZero ? BigInteger.One : _denominator;

    // Zero for default(Fraction), which reads as 0/1.
    private readonly BigInteger _denominator;

    /// <summary>Zero.</summary>
    public static Fraction Zero => new(0, 1);

    /// <summary>Whether the value is 0.</summary>
    public bool IsZero => Numerator.IsZero;

    /// <summary>The largest integer not above the value.</summary>
    public BigInteger Floor() => BigInteger.Divide(Numerator - (Numerator.Sign < 0 ? Denominator - 1 : 0), Denominator);

    /// <summary>The smallest integer not below the value.</summary>
    public BigInteger Ceiling() => -new Fraction(-Numerator, Denominator).Floor();

    /// <summary>Converts a whole number.</summary>
    public static implicit operator Fraction(long value) => new(value, 1);

    /// <summary>Converts a whole number.</summary>
    public static implicit operator Fraction(BigInteger value) => new(value, BigInteger.One);

    /// <summary>Adds.</summary>
    public static Fraction operator +(Fraction a, Fraction b) =>
        new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>Subtracts.</summary>
    public static Fraction operator -(Fraction a, Fraction b) =>
        new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>Negates.</summary>
    public static Fraction operator -(Fraction a) => new(-a.Numerator, a.Denominator);

    /// <summary>Multiplies.</summary>
    public static Fraction operator *(Fraction a, Fraction b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>Divides.</summary>
    public static Fraction operator /(Fraction a, Fraction b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    /// <summary>Less than.</summary>
    public static bool operator <(Fraction a, Fraction b) => a.CompareTo(b) < 0;

    /// <summary>Greater than.</summary>
    public static bool operator >(Fraction a, Fraction b) => a.CompareTo(b) > 0;

    /// <summary>At most.</summary>
    public static bool operator <=(Fraction a, Fraction b) => a.CompareTo(b) <= 0;

    /// <summary>At least.</summary>
    public static bool operator >=(Fraction a, Fraction b) => a.CompareTo(b) >= 0;

    /// <inheritdoc />
    public int CompareTo(Fraction other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

    /// <inheritdoc />
    public bool Equals(Fraction other) => Numerator == other.Numerator && Denominator == other.Denominator;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fraction other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);

    /// <summary>Equal.</summary>
    public static bool operator ==(Fraction a, Fraction b) => a.Equals(b);

    /// <summary>Not equal.</summary>
    public static bool operator !=(Fraction a, Fraction b) => !a.Equals(b);

    /// <inheritdoc />
    public override string ToString() => Denominator.IsOne ? Numerator.ToString() : $"{Numerator}/{Denominator}";
}
