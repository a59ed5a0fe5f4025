namespace DataHub.Kpis.Tests.Rollup;

/// <summary>A clock that stands still, so runs are reproducible.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
