namespace DataHub.Testing;

/// <summary>A clock that stands still until moved: "today" for agreement checks, times for audit events.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    // UTC ticks, read and moved atomically: a test may move the clock while a command it started reads it.
    private long _ticks = now.UtcTicks;

    /// <summary>A clock at noon UTC on the given day.</summary>
    public static ManualClock On(int year, int month, int day) => new(new DateTimeOffset(year, month, day, 12, 0, 0, TimeSpan.Zero));

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
