using Azure.Data.Tables;
using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Hub;
using DataHub.Core.Rollup;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.Functions;

/// <summary>The RollupQuarter timer on an audit table whose end is broken, on an Azurite of its own (the test damages the table).</summary>
public sealed class TimerOnBrokenAuditTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _keys = new("timer-broken-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task The_rollup_timer_refuses_an_audit_table_with_events_cut_from_its_end_before_it_publishes_anything()
    {
        var clock = ManualClock.On(2026, 11, 22);
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        foreach (var file in SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.Where(f => f.Feed is FeedCatalog.CscPeople or FeedCatalog.PoliceDaIncidents))
        {
            await (await Deliveries.LandAsync(hub.Store, fixture.Azurite.ConnectionString, file)).To(ingest);
        }

        // The last event cut from the table as an intruder with write access would; the head still names it.
        var table = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(AzureNames.AuditTable);
        var last = await table.QueryAsync<TableEntity>("RowKey ne 'head'").LastAsync();
        await table.DeleteEntityAsync(last.PartitionKey, last.RowKey);
        var events = await hub.Audit.ReadAsync(CancellationToken.None).CountAsync();

        var run = () => TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);

        // The Functions host is told the failure by its type only (HostFailures); what was written is checked below.
        (await run.Should().ThrowAsync<TimerRunFailedException>()).Which.ErrorType.Should().Be(nameof(AuditChainBrokenException));
        (await hub.Store.ListAsync("published/", CancellationToken.None).ToListAsync()).Should().BeEmpty("no KPI or governance version, pointer or report is written on a table that cannot record it");
        (await hub.Store.ListAsync("secure/kpi/", CancellationToken.None).ToListAsync()).Should().BeEmpty();
        (await RollupQuarter.CurrentVersionAsync(hub.Store, CancellationToken.None)).Should().BeNull();
        (await hub.Audit.ReadAsync(CancellationToken.None).CountAsync()).Should().Be(events, "nothing is sealed onto a broken end");
    }
}
