using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Seeds;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>A hub in a temporary folder under the demo agreements: seeded partner files dropped in landing, ingested, rolled up.</summary>
internal sealed class SeededRollup : IDisposable
{
    private readonly TempFolder _root = new("seeded-rollup");

    /// <summary>A hub on <paramref name="time"/> (default: a clock standing at 02:00 on 22 November 2026).</summary>
    public SeededRollup(TimeProvider? time = null)
    {
        LocalKeyProvider.Create(_root.Path);
        LocalAuditKeyProvider.Create(_root.Path);
        time ??= new FixedTime(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));
        Context = new HubContext(
            new LocalObjectStore(_root.Path),
            new LocalAuditLog(_root.Path, time),
            new LocalReceiptStore(_root.Path),
            new LocalKeyProvider(_root.Path),
            ProtocolFolder.Load(Path.Combine(RepoPaths.Root, "functions", "protocols")),
            time);
    }

    public HubContext Context { get; }

    public string Root => _root.Path;

    public string Local(string path) => ((LocalObjectStore)Context.Store).FullPath(path);

    /// <summary>Drops each file in landing (as <paramref name="content"/> gives it; null leaves it out) and ingests it.</summary>
    public async Task IngestAsync(IEnumerable<SyntheticFile> files, Func<SyntheticFile, byte[]?>? content = null)
    {
        var ingest = new IngestExtract(Context);
        foreach (var file in files)
        {
            if ((content is null ? file.Content : content(file)) is not { } bytes)
            {
                continue;
            }

            var path = "landing/" + file.LandingPath;
            var landed = await Context.Store.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
            await ingest.HandleAsync(path, landed.ETag, CancellationToken.None);
        }
    }

    public Task<RollupOutcome> RollUpAsync() => RollupQuarter.For(Context).RunAsync(new RollupRequest(), CancellationToken.None);

    public void Dispose() => _root.Dispose();
}
