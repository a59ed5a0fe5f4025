using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Governance;
using DataHub.Core.Hub;
using DataHub.Core.Retention;
using DataHub.Core.Rollup;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.Functions;

/// <summary>RollupQuarter and EnforceRetention as the worker runs them, on their own Azurite (the rollup reads every mart there).</summary>
public sealed class TimerFunctionTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _keys = new("timer-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Timer_functions_publish_the_kpi_tables_and_delete_expired_files_each_audited()
    {
        // Retention compares the clock with the stores' own write times, so the clock starts at the real now.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        foreach (var file in SyntheticHub.Generate().Files.Where(f => f.Feed is FeedCatalog.CscPeople or FeedCatalog.PoliceDaIncidents))
        {
            await (await Deliveries.LandAsync(hub.Store, fixture.Azurite.ConnectionString, file)).To(ingest);
        }

        await TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo { IsPastDue = true }, CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(31));
        await TestHubs.Function<EnforceRetentionFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);

        var version = await RollupQuarter.CurrentVersionAsync(hub.Store, CancellationToken.None);
        version.Should().NotBeNull();
        (await hub.Store.ListAsync(version + "/", CancellationToken.None).Select(o => o.Path[(version!.Length + 1)..]).ToListAsync())
            .Should().Contain(["kpi_values.parquet", "kpi_values.csv", "manifest.json"]);
        (await GovernancePublisher.CurrentVersionAsync(hub.Store, CancellationToken.None)).Should().NotBeNull("the timer publishes the governance tables after the KPI tables");
        (await hub.Store.ListAsync("published/report/board-report-", CancellationToken.None).ToListAsync()).Should().ContainSingle("and writes the board report to blob storage");
        var audit = await hub.Audit.ReadAsync(CancellationToken.None).ToListAsync();
        audit.Should().ContainSingle(e => e.Entry.Kind == RollupQuarter.AuditKind);

        // The police agreement keeps processed raw files 30 days: the archived extract is gone, and its deletion audited.
        var deleted = audit.Where(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Rule == EnforceRetention.RawRule).Select(e => e.Entry.Path).ToList();
        deleted.Should().ContainSingle(p => p!.StartsWith("landing/_processed/police/", StringComparison.Ordinal));
        (await hub.Store.GetAsync(deleted.Single(p => p!.StartsWith("landing/_processed/police/", StringComparison.Ordinal))!, CancellationToken.None)).Should().BeNull();
        (await hub.Store.ListAsync("secure/", CancellationToken.None).AnyAsync()).Should().BeTrue("marts are kept for their own, longer retention");
        (await AuditVerifier.VerifyAsync(hub.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }
}
