using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Marts;
using DataHub.Core.Protocols;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>
/// The person and family values a rollup keeps in the secure zone (secure/kpi/v={run}/) are computed from the marts, so they
/// are personal data of every batch the run read: they may not outlive a batch that retention deletes.
/// </summary>
public sealed class PersonTableRetentionTests : IDisposable
{
    private const string Police = "police-da-incidents";

    // Ingested and rolled up in 2025 (the agreements are in force from 2024), judged by retention now: the secure tables'
    // own times are the machine's (now), so only what they were computed from can make them due.
    private readonly ManualClock _clock = new(new DateTimeOffset(2025, 1, 6, 2, 0, 0, TimeSpan.Zero));
    private readonly SeededRollup _hub;

    public PersonTableRetentionTests() => _hub = new SeededRollup(_clock);

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task A_runs_person_tables_go_once_retention_deletes_a_batch_they_were_computed_from_and_a_later_runs_stay()
    {
        var files = SyntheticHub.Generate(new SeedOptions { Families = 12, SchoolsAsXlsx = false, GroundTruth = false }).Files;
        await _hub.IngestAsync(files);
        var first = await _hub.RollUpAsync();
        _clock.Advance(DateTimeOffset.UtcNow - _clock.GetUtcNow() + TimeSpan.FromDays(1));
        var hub = PoliceMartsKeptFor(days: 90);

        var retention = await new EnforceRetention(hub).RunAsync(CancellationToken.None);

        (await new MartCatalog(hub.Store).CommittedAsync(Police, CancellationToken.None)).Should().BeEmpty("the police batch is past its 90 days");
        var firstTables = await SecureTablesAsync(hub, first.RunId);
        firstTables.Should().BeEmpty("the run's person values were computed from the police rows retention deleted");
        var deletions = await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Path!.StartsWith("secure/kpi/", StringComparison.Ordinal)).ToListAsync();
        deletions.Select(e => e.Entry.Path).Should().BeEquivalentTo(retention.Deleted.Where(d => d.Path.StartsWith("secure/kpi/", StringComparison.Ordinal)).Select(d => d.Path)).And.HaveCount(2);
        deletions.Should().OnlyContain(e => e.Entry.Rule == EnforceRetention.DerivedTablesRule && e.Entry.Partner == "police" && e.Entry.Feed == Police);
        var goneBatch = retention.Deleted.Single(d => d.Path.StartsWith($"secure/{Police}/", StringComparison.Ordinal) && d.Path.EndsWith(".json", StringComparison.Ordinal)).Path;
        deletions.Should().OnlyContain(e => e.Entry.BatchId != null && goneBatch.EndsWith("/" + e.Entry.BatchId + ".json", StringComparison.Ordinal), "the event names the batch that went");
        (await hub.Store.ListAsync(first.VersionPath + "/", CancellationToken.None).ToListAsync()).Should().NotBeEmpty("published aggregates are never touched");

        var second = await RollupQuarterFor(hub);
        var again = await new EnforceRetention(hub).RunAsync(CancellationToken.None);

        again.Deleted.Should().BeEmpty("nothing the second run read has gone, and the first run's tables were deleted once");
        (await SecureTablesAsync(hub, second.RunId)).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_rollup_published_while_retention_runs_keeps_its_person_tables_when_it_read_a_batch_committed_after_the_batch_pass()
    {
        var files = SyntheticHub.Generate(new SeedOptions { Families = 12, SchoolsAsXlsx = false, GroundTruth = false }).Files;
        await _hub.IngestAsync(files);
        var first = await _hub.RollUpAsync();
        _clock.Advance(DateTimeOffset.UtcNow - _clock.GetUtcNow() + TimeSpan.FromDays(1));
        var hub = PoliceMartsKeptFor(days: 90);
        var later = SyntheticHub.Generate(new SeedOptions { Families = 13, SchoolsAsXlsx = false, GroundTruth = false }).FilesOf(Police);
        Core.Rollup.RollupOutcome? during = null;
        var racing = hub with
        {
            Store = new CommitsWhenListingReachesKpi(hub.Store, async () =>
            {
                await _hub.IngestAsync(later);
                during = await RollupQuarterFor(hub);
            }),
        };

        await new EnforceRetention(racing).RunAsync(CancellationToken.None);

        during.Should().NotBeNull("the batch and rollup were committed while retention listed the secure zone");
        (await SecureTablesAsync(hub, during!.RunId)).Should().HaveCount(2, "every batch the run read is held: the new police batch was committed after retention judged the batches");
        (await SecureTablesAsync(hub, first.RunId)).Should().BeEmpty("the first run read the police batch retention deleted");
        (await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Path!.Contains(during.RunId, StringComparison.Ordinal)).ToListAsync())
            .Should().BeEmpty("no deletion of the current run's tables was made, so none is recorded");
    }

    [Fact]
    public async Task A_run_that_did_not_read_the_gone_batch_keeps_its_person_tables_in_the_same_retention_run()
    {
        var files = SyntheticHub.Generate(new SeedOptions { Families = 12, SchoolsAsXlsx = false, GroundTruth = false }).Files;
        await _hub.IngestAsync(files.Where(f => f.Feed != Police));
        var withoutPolice = await _hub.RollUpAsync();
        await _hub.IngestAsync(files.Where(f => f.Feed == Police));
        var withPolice = await _hub.RollUpAsync();
        _clock.Advance(DateTimeOffset.UtcNow - _clock.GetUtcNow() + TimeSpan.FromDays(1));
        var hub = PoliceMartsKeptFor(days: 90);

        await new EnforceRetention(hub).RunAsync(CancellationToken.None);

        (await SecureTablesAsync(hub, withPolice.RunId)).Should().BeEmpty("that run read the police batch retention deleted");
        (await SecureTablesAsync(hub, withoutPolice.RunId)).Should().HaveCount(2, "that run read no police batch, and every batch it read is held");
    }

    [Fact]
    public async Task A_run_whose_manifest_cannot_be_read_keeps_its_person_tables_and_retention_says_so()
    {
        var files = SyntheticHub.Generate(new SeedOptions { Families = 12, SchoolsAsXlsx = false, GroundTruth = false }).Files;
        await _hub.IngestAsync(files);
        var first = await _hub.RollUpAsync();
        var manifest = new Core.Rollup.KpiVersions(_hub.Context.Store).ManifestOf(first.RunId);
        await _hub.Context.Store.WriteAsync(manifest, (s, ct) => s.WriteAsync("{\"inputs\": [{\"fe"u8.ToArray(), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        _clock.Advance(DateTimeOffset.UtcNow - _clock.GetUtcNow() + TimeSpan.FromDays(1));
        var errors = new LoggedLines();

        await new EnforceRetention(PoliceMartsKeptFor(days: 90) with { Logging = errors }).RunAsync(CancellationToken.None);

        (await SecureTablesAsync(_hub.Context, first.RunId)).Should().HaveCount(2, "nothing is deleted on a guess");
        errors.Errors.Should().ContainSingle().Which.Should().Contain(manifest).And.Contain(first.RunId);
    }
    /// <summary>A store that, as retention's listing of the secure zone reaches secure/kpi/, lets a batch and a rollup commit first.</summary>
    private sealed class CommitsWhenListingReachesKpi(IObjectStore inner, Func<Task> commit) : DelegatingStore(inner)
    {
        private bool _committed;

        public override async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (prefix != "secure/" || _committed)
            {
                await foreach (var item in base.ListAsync(prefix, cancellationToken))
                {
                    yield return item;
                }

                yield break;
            }

            _committed = true;
            await foreach (var item in base.ListAsync(prefix, cancellationToken))
            {
                if (!item.Path.StartsWith("secure/kpi/", StringComparison.Ordinal))
                {
                    yield return item;
                }
            }

            await commit();
            await foreach (var item in base.ListAsync("secure/kpi/", cancellationToken))
            {
                yield return item;
            }
        }
    }

    private static Task<Core.Rollup.RollupOutcome> RollupQuarterFor(HubContext hub) =>
        Core.Rollup.RollupQuarter.For(hub).RunAsync(new Core.Rollup.RollupRequest(), CancellationToken.None);

    private static async Task<List<string>> SecureTablesAsync(HubContext hub, string runId) =>
        await hub.Store.ListAsync($"secure/kpi/v={runId}/", CancellationToken.None).Select(o => o.Path).ToListAsync();

    // The police agreement with a short mart retention; every other agreement keeps its own.
    private HubContext PoliceMartsKeptFor(int days)
    {
        var protocols = _hub.Context.Protocols;
        var changed = new ProtocolSet(
            protocols.Partners.Select(p => p.Partner != "police" ? p : p with { Feeds = p.Feeds.ToDictionary(f => f.Key, f => f.Value with { MartRetentionDays = days }) }),
            protocols.Profiles.Values);
        return _hub.Context with { Protocols = changed };
    }
}
