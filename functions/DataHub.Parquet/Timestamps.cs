namespace DataHub.Parquet;

/// <summary>Parquet's integer dates and times as CLR values; a value outside the CLR's range comes back as null.</summary>
internal static class Timestamps
{
    private static readonly int EpochDay = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>Days since 1970-01-01 as a date.</summary>
    public static DateOnly? Date(int days)
    {
        var number = (long)EpochDay + days;
        return number >= DateOnly.MinValue.DayNumber && number <= DateOnly.MaxValue.DayNumber ? DateOnly.FromDayNumber((int)number) : null;
    }

    /// <summary>Microseconds since 1970-01-01T00:00Z as a UTC time.</summary>
    public static DateTimeOffset? FromMicros(long micros)
    {
        var ticks = (decimal)micros * TimeSpan.TicksPerMicrosecond + DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks ? new DateTimeOffset((long)ticks, TimeSpan.Zero) : null;
    }
}
