using DataHub.Core.Hub;
using DataHub.Functions;
using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Storage.Local;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.EndToEnd;

/// <summary>The demo through the Function App on Azurite gives the same marts and KPI tables as the embedded `datahub demo`.</summary>
public sealed class DemoParityTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _root = new("parity");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Demo_through_the_functions_on_azure_storage_gives_the_same_marts_and_kpi_tables_as_the_embedded_demo()
    {
        using var output = new StringWriter();
        var code = await DataHub.Host.Program.RunAsync(["demo", "--root", _root.Path, "--protocols", TestHubs.Protocols], new CommandEnvironment(output, output, ManualClock.On(2026, 11, 22)));
        code.Should().Be(0, output.ToString());

        // The same key as the demo root's, the same files in the demo's order, each delivered to IngestExtract; then the rollup's timer.
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, keyRoot: _root.Path, ManualClock.On(2026, 11, 22));
        var azure = app.GetRequiredService<HubContext>();
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        var files = SyntheticHub.Generate().Files
            .OrderBy(f => f.Partner, StringComparer.Ordinal).ThenBy(f => f.Feed, StringComparer.Ordinal).ThenBy(f => f.FileName, StringComparer.Ordinal);
        foreach (var file in files)
        {
            await (await Functions.Deliveries.LandAsync(azure.Store, fixture.Azurite.ConnectionString, file)).To(ingest);
        }

        await TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);

        var embedded = new LocalObjectStore(_root.Path);
        var localMarts = await HubSnapshot.MartsAsync(embedded);
        var cloudMarts = await HubSnapshot.MartsAsync(azure.Store);
        localMarts.Should().NotBeEmpty();
        cloudMarts.Keys.Should().Equal(localMarts.Keys);
        foreach (var (path, decoded) in localMarts)
        {
            cloudMarts[path].Should().Be(decoded, $"mart {path} should hold the same rows on both hosts");
        }

        var localKpis = await HubSnapshot.KpiTablesAsync(embedded);
        var cloudKpis = await HubSnapshot.KpiTablesAsync(azure.Store);
        localKpis.Keys.Should().Contain(k => k.EndsWith("kpi_values.parquet", StringComparison.Ordinal));
        cloudKpis.Keys.Should().Equal(localKpis.Keys);
        foreach (var (table, decoded) in localKpis)
        {
            cloudKpis[table].Should().Be(decoded, $"KPI table {table} should be the same on both hosts");
        }

        (await HubSnapshot.QuarantineAsync(azure.Store)).Should().Equal(await HubSnapshot.QuarantineAsync(embedded), "the same files are quarantined with the same reports");
    }
}
