using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Hub;
using DataHub.Core.Rollup;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.Functions;

/// <summary>The timer's RollupQuarter and an operator's rollup at once on blob storage (their own Azurite: the audit table is theirs).</summary>
public sealed class RollupRaceTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _keys = new("race-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Of_two_rollups_at_once_on_blob_storage_the_one_that_started_later_stays_current()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        var files = SyntheticHub.Generate(new SeedOptions { Families = 12, SchoolsAsXlsx = false, GroundTruth = false }).Files;
        foreach (var file in files.Where(f => f.Feed == FeedCatalog.CscPeople))
        {
            await (await Deliveries.LandAsync(hub.Store, fixture.Azurite.ConnectionString, file)).To(ingest);
        }

        // An operator's run has read the marts and judged the pointer when police batches arrive and the timer's run publishes them.
        var stall = new Stall();
        var held = new StallingStore(hub.Store, StoreStep.BeginWrite, p => p == RollupQuarter.CurrentPointer, stall);
        var earlier = Task.Run(() => RollupQuarter.For(hub with { Store = held }).RunAsync(new RollupRequest(), CancellationToken.None));
        await stall.Reached;
        clock.Advance(TimeSpan.FromMinutes(1));
        foreach (var file in files.Where(f => f.Feed == FeedCatalog.PoliceDaIncidents))
        {
            await (await Deliveries.LandAsync(hub.Store, fixture.Azurite.ConnectionString, file)).To(ingest);
        }

        await TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);
        var timer = await RollupQuarter.CurrentVersionAsync(hub.Store, CancellationToken.None);
        stall.Release();
        var superseded = await earlier;

        superseded.SupersededBy.Should().Be(timer);
        (await RollupQuarter.CurrentVersionAsync(hub.Store, CancellationToken.None)).Should().Be(timer, "the timer's run read the police batches");
        (await hub.Store.GetAsync(superseded.VersionPath + "/manifest.json", CancellationToken.None)).Should().NotBeNull("the superseded version is whole, never current");
        (await hub.Audit.ReadAsync(CancellationToken.None).ToListAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.KpiRefused)
            .Which.Entry.Rule.Should().Be(RollupQuarter.SupersededRule);
    }
}
