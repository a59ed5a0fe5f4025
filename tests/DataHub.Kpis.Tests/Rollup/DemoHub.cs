using DataHub.Core.Hub;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;
using DataHub.Seeds;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>
/// The demo's flow without the command line: the seeded synthetic dataset dropped in landing, ingested by the handler,
/// then rolled up twice under the demo agreements' disclosure profiles. Built once for the tests that read it.
/// </summary>
public sealed class DemoHub : IAsyncLifetime
{
    private readonly SeededRollup _hub = new();

    public HubContext Context => _hub.Context;

    public SyntheticDataset Dataset { get; private set; } = null!;

    public RollupOutcome First { get; private set; } = null!;

    public RollupOutcome Second { get; private set; } = null!;

    /// <summary>The first run's computed (exact, secure) results, for checks that compare the published tables with the truth.</summary>
    public KpiResults Exact { get; private set; } = null!;

    public string Root => _hub.Root;

    public string Local(string path) => _hub.Local(path);

    public async Task InitializeAsync()
    {
        Dataset = SyntheticHub.Generate();
        await _hub.IngestAsync(Dataset.Files);
        First = await _hub.RollUpAsync();
        Second = await _hub.RollUpAsync();

        var settings = RollupSettings.FromProtocols(Context.Protocols);
        var marts = await new MartLoader(Context.Store).LoadAsync(CancellationToken.None);
        Exact = new KpiCalculator(settings.Kpis).Compute(marts.Inputs, First.Quarters.Select(Quarter.Parse).ToArray(), null, DeliveryLog.From(marts.Files, settings.FeedCadences));
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
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
