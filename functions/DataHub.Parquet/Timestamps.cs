namespace DataHub.Parquet;

/// <summary>Conversions between CLR dates and times and Parquet's integer encodings.</summary>
internal static class Timestamps
{
    public static readonly DateOnly UnixEpochDate = new(1970, 1, 1);

    private const long TicksPerMicrosecond = 10;

    public static long ToMicros(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks >= 0 ? ticks / TicksPerMicrosecond : ((ticks + 1) / TicksPerMicrosecond) - 1;
    }

    /// <summary>False when the value is outside DateTimeOffset's range (year 1–9999).</summary>
    public static bool TryFromMicros(long micros, out DateTimeOffset value)
    {
        const long MinMicros = -62135596800000000; // 0001-01-01
        const long MaxMicros = 253402300799999999; // 9999-12-31T23:59:59.999999
        if (micros is < MinMicros or > MaxMicros)
        {
            value = default;
            return false;
        }

        value = new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + (micros * TicksPerMicrosecond), TimeSpan.Zero);
        return true;
    }

    public static int ToDays(DateOnly value) => value.DayNumber - UnixEpochDate.DayNumber;

    /// <summary>False when the day number is outside DateOnly's range.</summary>
    public static bool TryFromDays(int days, out DateOnly value)
    {
        var number = (long)UnixEpochDate.DayNumber + days;
        if (number < DateOnly.MinValue.DayNumber || number > DateOnly.MaxValue.DayNumber)
        {
            value = default;
            return false;
        }

        value = DateOnly.FromDayNumber((int)number);
        return true;
    }
}
