using Azure.Data.Tables;
using DataHub.Core.Feeds;
using DataHub.Core.Governance;
using DataHub.Core.Hub;
using DataHub.Core.Report;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.Functions;

/// <summary>The RollupQuarter timer on an audit table damaged inside (not at its end), on an Azurite of its own (the test damages the table).</summary>
public sealed class TimerOnDamagedAuditTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _keys = new("timer-damaged-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task The_rollup_timer_publishes_governance_with_the_chain_broken_at_an_event_given_a_property_inside_the_table()
    {
        const string Quoted = "landing/police/secret-name.csv";
        var clock = ManualClock.On(2026, 11, 22);
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        foreach (var file in SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.Where(f => f.Feed is FeedCatalog.CscPeople or FeedCatalog.PoliceDaIncidents))
        {
            await (await Deliveries.LandAsync(hub.Store, fixture.Azurite.ConnectionString, file)).To(ingest);
        }

        // A property added to the fourth event, as an intruder with write access to the table would.
        var table = new TableServiceClient(fixture.Azurite.ConnectionString).GetTableClient(AzureNames.AuditTable);
        var row = (await table.QueryAsync<TableEntity>("RowKey ne 'head'").ToListAsync())[3];
        row["Event"] = row.GetString("Event")!.Replace("\"kind\":", $"\"reviewed_by\":\"{Quoted}\",\"kind\":", StringComparison.Ordinal);
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        await TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);

        var version = await GovernancePublisher.CurrentVersionAsync(hub.Store, CancellationToken.None);
        version.Should().NotBeNull("the governance tables are published for the board to see the break");
        var activity = await PublishedTable.ReadAsync(hub.Store, version!, "activity", CancellationToken.None);
        var chain = activity.Records().Should().ContainSingle(r => r["activity"] == "audit_chain").Subject;
        chain["status"].Should().Be("broken");
        chain["detail"].Should().Contain("event 4").And.NotContain(Quoted);
        (await hub.Store.ListAsync("published/report/", CancellationToken.None).ToListAsync()).Should().NotBeEmpty("the board report is written from them");
    }
}
