using DataHub.Core.Ingestion;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Azure.Tests.EndToEnd;

/// <summary>Acceptance 1: the demo on Azurite blobs and tables gives the same marts and KPI tables, row for row, as the embedded run.</summary>
public sealed class DemoParityTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("parity");
    private Azurite? _azurite;

    public async Task InitializeAsync() => _azurite = await Azurite.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        _root.Dispose();
    }

    [Fact]
    public async Task Demo_on_azure_storage_gives_the_same_marts_and_kpi_tables_as_the_embedded_run()
    {
        var dataset = SyntheticHub.Generate();
        using var embedded = TestHubs.Embedded(_root.Path, ManualClock.On(2026, 11, 22));
        var azure = TestHubs.Azure(_azurite!.ConnectionString, keyRoot: _root.Path, ManualClock.On(2026, 11, 22));

        var local = await HubSnapshot.RunDemoAsync(embedded.Context, dataset);
        var cloud = await HubSnapshot.RunDemoAsync(azure, dataset);

        cloud.Select(o => (o.LandingPath, o.Status, o.BatchId, o.RowsAccepted, o.RowsRejected))
            .Should().Equal(local.Select(o => (o.LandingPath, o.Status, o.BatchId, o.RowsAccepted, o.RowsRejected)));
        local.Should().Contain(o => o.Status == IngestStatus.Stored || o.Status == IngestStatus.StoredWithRowErrors);

        var localMarts = await HubSnapshot.MartsAsync(embedded.Context.Store);
        var cloudMarts = await HubSnapshot.MartsAsync(azure.Store);
        localMarts.Should().NotBeEmpty();
        cloudMarts.Keys.Should().Equal(localMarts.Keys);
        foreach (var (path, decoded) in localMarts)
        {
            cloudMarts[path].Should().Be(decoded, $"mart {path} should hold the same rows on both hosts");
        }

        var localKpis = await HubSnapshot.KpiTablesAsync(embedded.Context.Store);
        var cloudKpis = await HubSnapshot.KpiTablesAsync(azure.Store);
        localKpis.Keys.Should().Contain(k => k.EndsWith("kpi_values.parquet", StringComparison.Ordinal));
        cloudKpis.Keys.Should().Equal(localKpis.Keys);
        foreach (var (table, decoded) in localKpis)
        {
            cloudKpis[table].Should().Be(decoded, $"KPI table {table} should be the same on both hosts");
        }
    }
}
