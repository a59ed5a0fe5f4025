using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Seeds;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>
/// The demo's flow without the command line: the seeded synthetic dataset dropped in landing, ingested by the handler,
/// then rolled up twice under the demo agreements' disclosure profiles. Built once for the tests that read it.
/// </summary>
public sealed class DemoHub : IAsyncLifetime
{
    private readonly TempFolder _root = new("demo-rollup");

    public HubContext Context { get; private set; } = null!;

    public SyntheticDataset Dataset { get; private set; } = null!;

    public RollupOutcome First { get; private set; } = null!;

    public RollupOutcome Second { get; private set; } = null!;

    /// <summary>The first run's computed (exact, secure) results, for checks that compare the published tables with the truth.</summary>
    public KpiResults Exact { get; private set; } = null!;

    public string Root => _root.Path;

    public string Local(string path) => ((LocalObjectStore)Context.Store).FullPath(path);

    public async Task InitializeAsync()
    {
        LocalKeyProvider.Create(_root.Path);
        LocalAuditKeyProvider.Create(_root.Path);
        var time = new FixedTime(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));
        Context = new HubContext(
            new LocalObjectStore(_root.Path),
            new LocalAuditLog(_root.Path, time),
            new LocalReceiptStore(_root.Path),
            new LocalKeyProvider(_root.Path),
            ProtocolFolder.Load(Path.Combine(RepoPaths.Root, "functions", "protocols")),
            time);
        Dataset = SyntheticHub.Generate();
        var ingest = new IngestExtract(Context);
        foreach (var file in Dataset.Files)
        {
            var path = "landing/" + file.LandingPath;
            var landed = await Context.Store.WriteAsync(path, (s, ct) => s.WriteAsync(file.Content, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
            await ingest.HandleAsync(path, landed.ETag, CancellationToken.None);
        }

        First = await RollupQuarter.For(Context).RunAsync(new RollupRequest(), CancellationToken.None);
        Second = await RollupQuarter.For(Context).RunAsync(new RollupRequest(), CancellationToken.None);

        var settings = RollupSettings.FromProtocols(Context.Protocols);
        var marts = await new MartLoader(Context.Store).LoadAsync(CancellationToken.None);
        Exact = new KpiCalculator(settings.Kpis).Compute(marts.Inputs, First.Quarters.Select(Quarter.Parse).ToArray(), null, DeliveryLog.From(marts.Files, settings.FeedCadences));
    }

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The test classes that read the demo's tables share one <see cref="DemoHub"/> (it is built once).</summary>
[CollectionDefinition(Name)]
public sealed class DemoCollection : ICollectionFixture<DemoHub>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "demo hub";
}
