namespace DataHub.Testing;

/// <summary>Input files as operators ingest them: extracts a partner delivered earlier, not uploads still under way.</summary>
public static class Delivered
{
    /// <summary>
    /// Sets <paramref name="file"/>'s last write time a day before both now and <paramref name="clock"/>'s now, so that
    /// `datahub ingest` (in a process of its own, or in-process on a test clock that may stand in the past) copies it at
    /// once rather than first waiting for a file just written to settle.
    /// </summary>
    /// <param name="file">The input file, already written.</param>
    /// <param name="clock">The clock the command runs on in-process; null for a command run as its own process.</param>
    /// <returns><paramref name="file"/>.</returns>
    public static string Earlier(string file, TimeProvider? clock = null)
    {
        var now = DateTimeOffset.UtcNow;
        var earlier = (clock is not null && clock.GetUtcNow() < now ? clock.GetUtcNow() : now) - TimeSpan.FromDays(1);
        File.SetLastWriteTimeUtc(file, earlier.UtcDateTime);
        return file;
    }
}
