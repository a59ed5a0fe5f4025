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

/// <summary>The RollupQuarter timer on an audit table damaged inside (not at its end), each case on an Azurite of its own (the test damages the table).</summary>
public sealed class TimerOnDamagedAuditTests : IDisposable
{
    private readonly TempFolder _keys = new("timer-damaged-keys");

    public void Dispose() => _keys.Dispose();

    [Theory]
    [InlineData("property_added")]
    [InlineData("stored_as_a_number")]
    public async Task The_rollup_timer_publishes_governance_with_the_chain_broken_at_an_event_damaged_inside_the_table(string damage)
    {
        const string Quoted = "landing/police/secret-name.csv";
        await using var azurite = await Azurite.StartNewAsync();
        var clock = ManualClock.On(2026, 11, 22);
        await using var app = TestHubs.FunctionApp(azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        foreach (var file in SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.Where(f => f.Feed is FeedCatalog.CscPeople or FeedCatalog.PoliceDaIncidents))
        {
            await (await Deliveries.LandAsync(hub.Store, azurite.ConnectionString, file)).To(ingest);
        }

        // A property added to the fourth event, as an intruder with write access to the table would, or the event stored
        // as a number (another property type), as an edit in Storage Explorer can.
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzureNames.AuditTable);
        var row = (await table.QueryAsync<TableEntity>("RowKey ne 'head'").ToListAsync())[3];
        row["Event"] = damage == "property_added"
            ? row.GetString("Event")!.Replace("\"kind\":", $"\"reviewed_by\":\"{Quoted}\",\"kind\":", StringComparison.Ordinal)
            : 4;
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        await TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);

        var version = await GovernancePublisher.CurrentVersionAsync(hub.Store, CancellationToken.None);
        version.Should().NotBeNull("the governance tables are published for the board to see the break");
        var activity = await PublishedTable.ReadAsync(hub.Store, version!, "activity", CancellationToken.None);
        var chain = activity.Records().Should().ContainSingle(r => r["activity"] == "audit_chain").Subject;
        chain["status"].Should().Be("broken");
        chain["detail"].Should().MatchRegex(@"event [34]\b", "the bad event, or the one the unreadable row follows, is named").And.NotContain(Quoted).And.Contain("1 audit line(s) that cannot be read were left out");

        // Built from every event that could be read, not from none: all but the damaged one, the rollup's own included.
        using var manifest = System.Text.Json.JsonDocument.Parse(await ReadTextAsync(hub, version + "/manifest.json"));
        var m = manifest.RootElement;
        m.GetProperty("audit_events").GetInt32().Should().Be(m.GetProperty("last_sequence").GetInt32() - 1);
        m.GetProperty("audit_lines_unreadable").GetInt32().Should().Be(1);
        (await PublishedTable.ReadAsync(hub.Store, version!, "deliveries", CancellationToken.None)).Records().Should().NotBeEmpty("the deliveries the readable events record are published");
        var report = (await hub.Store.ListAsync("published/report/", CancellationToken.None).ToListAsync()).Should().ContainSingle("the board report is written from them").Subject;
        (await ReadTextAsync(hub, report.Path)).Should().Contain("role=\"alert\"", "the report opens with the broken chain").And.NotContain(Quoted);
    }

    private static async Task<string> ReadTextAsync(HubContext hub, string path)
    {
        await using var stream = await hub.Store.OpenReadAsync(path, null, CancellationToken.None);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
