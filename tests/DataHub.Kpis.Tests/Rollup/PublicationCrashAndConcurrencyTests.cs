using System.Security.Cryptography;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Governance;
using DataHub.Core.Hub;
using DataHub.Core.Kpis;
using DataHub.Core.Marts;
using DataHub.Core.Report;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>
/// The publishing side under crashes and concurrency: a rollup (with its governance tables and board report) failing at
/// each of its writes, two publications at once, a board report racing a rollup, and a batch withdrawn while the rollup
/// reads it. After each, what a Power BI reader follows (each area's current.json) names a whole version.
/// </summary>
public sealed class PublicationCrashAndConcurrencyTests : IDisposable
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));
    private readonly SeededRollup _hub;
    private readonly IReadOnlyList<SyntheticFile> _late;

    public PublicationCrashAndConcurrencyTests()
    {
        _hub = new SeededRollup(_clock);
        var files = SyntheticHub.Generate(new SeedOptions { Families = 12, SchoolsAsXlsx = false, GroundTruth = false }).Files;
        _late = [.. files.Where(f => f.Feed == "police-da-incidents")];
        Files = [.. files.Where(f => f.Feed != "police-da-incidents")];
    }

    private IReadOnlyList<SyntheticFile> Files { get; }

    private HubContext Context => _hub.Context;

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task A_rollup_failing_at_any_write_leaves_each_area_on_a_whole_version_and_the_next_run_clears_what_it_left()
    {
        await _hub.IngestAsync(Files);
        var first = await _hub.RollUpAsync();
        var writes = new FailsAt(Context.Store, int.MaxValue);
        await RollupQuarter.For(Context with { Store = writes }).RunAsync(new RollupRequest(), CancellationToken.None);
        writes.Calls.Should().BeGreaterThan(25, "KPI tables, governance tables and the report are each written");

        for (var n = 1; n <= writes.Calls; n++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            var failing = new FailsAt(Context.Store, n);
            var run = () => RollupQuarter.For(Context with { Store = failing }).RunAsync(new RollupRequest(), CancellationToken.None);
            await run.Should().ThrowAsync<IOException>($"write {n} fails");
            await AssertWholeAsync($"after a failure at write {n} ({failing.Failed})");
        }

        // The next run, more than an hour on, publishes and clears every folder the failed runs left without a manifest.
        _clock.Advance(TimeSpan.FromHours(2));
        var next = await _hub.RollUpAsync();
        var (kpi, governance) = await AssertWholeAsync("after the next run");
        kpi.Should().Be(next.VersionPath);
        governance.Should().NotBeNull();
        var folders = (await VersionFoldersAsync("published/")).Concat(await VersionFoldersAsync("secure/kpi/")).ToList();
        var published = new List<string>();
        foreach (var folder in folders)
        {
            var objects = await Context.Store.ListAsync(folder + "/", CancellationToken.None).ToListAsync();
            var manifest = await Context.Store.GetAsync(folder.Replace("secure/", "published/", StringComparison.Ordinal) + "/manifest.json", CancellationToken.None);
            manifest.Should().NotBeNull("every version folder a failed run left is published or marked cleared");
            if (manifest!.Length == 0)
            {
                objects.Should().OnlyContain(o => o.Length == 0, "a folder a failed run left is cleared, its empty manifest marking it");
            }
            else if (folder.StartsWith("published/", StringComparison.Ordinal))
            {
                published.Add(folder);
            }
        }

        published.Should().Contain(next.VersionPath).And.Contain(first.VersionPath);
        var cleared = (await EventsAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).Select(e => e.Entry.Rule).ToList();
        cleared.Should().Contain("rollup.abandoned_version").And.Contain("governance.abandoned_version");
        (await Report()).Should().Contain(Tail(next.VersionPath)).And.Contain(Tail(governance!)).And.EndWith("</html>\n");
        first.VersionPath.Should().NotBe(next.VersionPath);
    }

    [Fact]
    public async Task Of_two_rollups_at_once_the_one_that_started_later_stays_current_whichever_finishes_last()
    {
        await _hub.IngestAsync(Files);
        await _hub.RollUpAsync();

        // The earlier run has read the marts and is about to switch when a police batch arrives and a later run publishes it.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(Context.Store, StoreStep.BeginWrite, p => p == RollupQuarter.CurrentPointer, stall);
        var earlier = Task.Run(() => RollupQuarter.For(Context with { Store = held }).RunAsync(new RollupRequest(), CancellationToken.None));
        await stall.Reached;
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _hub.IngestAsync(_late);
        var later = await _hub.RollUpAsync();
        stall.Release();
        var superseded = await earlier;

        var (kpi, governance) = await AssertWholeAsync("after both runs");
        kpi.Should().Be(later.VersionPath, "the version current holds the police batches the earlier run never read");
        (await InputsAsync(kpi!)).Should().Contain(p => p.StartsWith("secure/police-da-incidents/", StringComparison.Ordinal));
        superseded.SupersededBy.Should().Be(later.VersionPath);
        File.Exists(_hub.Local(superseded.VersionPath + "/manifest.json")).Should().BeTrue("the superseded version is written whole");
        var refused = (await EventsAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.KpiRefused).Subject;
        refused.Entry.Rule.Should().Be(RollupQuarter.SupersededRule);
        refused.Entry.Path.Should().Be(superseded.VersionPath + "/manifest.json");
        (await Report()).Should().Contain(Tail(later.VersionPath)).And.Contain(Tail(governance!));
    }

    [Fact]
    public async Task Governance_tables_from_earlier_inputs_never_replace_those_of_a_rollup_that_started_later()
    {
        await _hub.IngestAsync(Files);
        await _hub.RollUpAsync();

        // The earlier run has switched its KPI tables and is about to switch its governance tables when a later run publishes both.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(Context.Store, StoreStep.BeginWrite, p => p == GovernancePublisher.CurrentPointer, stall);
        var earlier = Task.Run(() => RollupQuarter.For(Context with { Store = held }).RunAsync(new RollupRequest(), CancellationToken.None));
        await stall.Reached;
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _hub.IngestAsync(_late);
        var later = await _hub.RollUpAsync();
        var laterGovernance = await GovernancePublisher.CurrentVersionAsync(Context.Store, CancellationToken.None);
        stall.Release();
        await earlier;

        var (kpi, governance) = await AssertWholeAsync("after both runs");
        kpi.Should().Be(later.VersionPath);
        governance.Should().Be(laterGovernance, "governance tables made from the earlier run's marts and audit events would sit beside the later KPI tables");
        (await EventsAsync()).Should().ContainSingle(e => e.Entry.Kind == GovernancePublisher.RefusedKind);
        (await Report()).Should().Contain(Tail(later.VersionPath)).And.Contain(Tail(laterGovernance!));
    }

    [Fact]
    public async Task A_board_report_rendered_before_a_rollup_switched_the_tables_is_rendered_again_from_the_tables_now_current()
    {
        await _hub.IngestAsync(Files);
        var first = await _hub.RollUpAsync();
        var quarter = Quarter.Parse(first.Quarters[^1]);

        // `datahub report` has rendered from the current tables when a rollup publishes and writes its own report.
        var stall = new Stall();
        var held = new StallingStore(Context.Store, StoreStep.BeginWrite, p => p == BoardReport.PathFor(quarter), stall);
        var report = Task.Run(() => BoardReport.WriteAsync(held, Context.Protocols, quarter, _clock.GetUtcNow(), CancellationToken.None));
        await stall.Reached;
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _hub.IngestAsync(_late);
        var later = await _hub.RollUpAsync();
        stall.Release();
        await report;

        var (_, governance) = await AssertWholeAsync("after the report and the rollup");
        (await Report()).Should().Contain(Tail(later.VersionPath)).And.Contain(Tail(governance!)).And.NotContain(Tail(first.VersionPath));
    }

    [Fact]
    public async Task A_batch_retention_deletes_while_the_rollup_reads_it_is_left_out_whole_and_the_rollup_still_publishes()
    {
        await _hub.IngestAsync([.. Files, .. _late]);
        await _hub.RollUpAsync();
        var police = (await new MartCatalog(Context.Store).CommittedAsync("police-da-incidents", CancellationToken.None)).First();
        police.Files.Should().HaveCountGreaterThan(2);

        // Retention takes the batch (manifest first, then its files) after the rollup listed it and read its first quarter file.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var racing = new DeletesBatchOnRead(Context.Store, police, police.Files[1].Path);
        var outcome = await RollupQuarter.For(Context with { Store = racing }).RunAsync(new RollupRequest(), CancellationToken.None);

        racing.Deleted.Should().BeTrue();
        var (kpi, _) = await AssertWholeAsync("after the rollup");
        kpi.Should().Be(outcome.VersionPath);
        (await InputsAsync(kpi!)).Should().NotContain(police.Files.Select(f => f.Path), "no file of the deleted batch is among the version's inputs, not even the one read before it went")
            .And.Contain(p => p.StartsWith("secure/csc-people/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_a_retry_replaces_while_the_rollup_reads_it_is_read_again_whole_from_the_retrys_files()
    {
        await _hub.IngestAsync([.. Files, .. _late]);
        await _hub.RollUpAsync();
        var police = (await new MartCatalog(Context.Store).CommittedAsync("police-da-incidents", CancellationToken.None)).First();
        police.Files.Should().HaveCountGreaterThan(2);

        // After the rollup listed the batch and read its first quarter file, a retry of the delivery commits its own files,
        // replaces the manifest in one write and, its receipt complete, removes the replaced attempt's files.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var racing = new RetriesBatchOnRead(Context, police, police.Files[1].Path);
        var outcome = await RollupQuarter.For(Context with { Store = racing }).RunAsync(new RollupRequest(), CancellationToken.None);

        racing.Removed.Should().BeEquivalentTo(police.Files.Select(f => f.Path));
        var (kpi, _) = await AssertWholeAsync("after the rollup");
        kpi.Should().Be(outcome.VersionPath);
        var inputs = await InputsAsync(kpi!);
        inputs.Should().NotContain(police.Files.Select(f => f.Path), "no file of the replaced attempt is among the inputs, not even the one read before it went")
            .And.Contain(racing.Retry!.Files.Select(f => f.Path), "the batch is read whole from the attempt that replaced it");
    }

    [Fact]
    public async Task Version_folders_a_governance_publication_left_without_a_manifest_are_cleared_and_audited_by_the_next_one()
    {
        await _hub.IngestAsync(Files);
        await _hub.RollUpAsync();
        var failing = new FailsAt(Context.Store, 1, path => path.StartsWith("published/governance/v=", StringComparison.Ordinal) && path.EndsWith(".csv", StringComparison.Ordinal));
        var marts = await new MartLoader(Context.Store).LoadAsync(CancellationToken.None);
        var publish = () => new GovernancePublisher(Context with { Store = failing }).PublishAsync(marts, _clock.GetUtcNow(), CancellationToken.None);
        await publish.Should().ThrowAsync<IOException>();
        var left = (await VersionFoldersAsync("published/governance/")).Where(f => !File.Exists(_hub.Local(f + "/manifest.json"))).ToList();
        left.Should().ContainSingle();

        _clock.Advance(TimeSpan.FromHours(2));
        await new GovernancePublisher(Context).PublishAsync(marts, _clock.GetUtcNow(), CancellationToken.None);

        (await Context.Store.ListAsync(left[0] + "/", CancellationToken.None).ToListAsync()).Should().ContainSingle()
            .Which.Should().Match<StoredObject>(o => o.Path == left[0] + "/manifest.json" && o.Length == 0, "only the empty manifest marking the folder cleared stays");
        var cleared = (await EventsAsync()).Should().ContainSingle(e => e.Entry.Rule == "governance.abandoned_version").Subject;
        cleared.Entry.Kind.Should().Be(AuditKinds.Deleted);
        cleared.Entry.Path.Should().Be(left[0]);
    }

    [Fact]
    public async Task A_rollup_stalled_before_its_manifest_while_another_run_cleared_its_folder_never_makes_that_folder_current()
    {
        await _hub.IngestAsync(Files);
        var first = await _hub.RollUpAsync();

        // The run has written its tables and is about to write its manifest when it stalls.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(Context.Store, StoreStep.BeginWrite, p => IsManifest(p, "published/kpi/v="), stall);
        var stalled = Task.Run(() => KpiOnly(held).RunAsync(new RollupRequest(), CancellationToken.None));
        await stall.Reached;
        var folder = await UnpublishedFolderAsync("published/kpi/");

        // Past the abandoned age another run clears the stalled run's folder, then fails before it switches.
        _clock.Advance(TimeSpan.FromMinutes(10));
        var clearing = new FailsAt(Context.Store, 1, p => p.StartsWith("secure/kpi/v=", StringComparison.Ordinal) && !p.StartsWith(SecureOf(folder), StringComparison.Ordinal));
        var run = () => KpiOnly(clearing).RunAsync(new RollupRequest(), CancellationToken.None);
        await run.Should().ThrowAsync<IOException>();
        (await Context.Store.GetAsync(SecureOf(folder) + "/person_values.parquet", CancellationToken.None)).Should().BeNull("the other run cleared the folder");

        stall.Release();
        var resumed = await stalled;

        var (kpi, _) = await AssertWholeAsync("after the stalled run resumed");
        kpi.Should().Be(first.VersionPath, "the stalled run's folder was cleared: it is never current");
        resumed.ClearedAsAbandoned.Should().BeTrue();
        resumed.SupersededBy.Should().BeNull();
        var refused = (await EventsAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.KpiRefused).Subject;
        refused.Entry.Path.Should().Be(folder + "/manifest.json");
        refused.Entry.Rule.Should().Be("rollup.version_cleared");
        (await EventsAsync()).Should().ContainSingle(e => e.Entry.Rule == "rollup.abandoned_version").Which.Entry.Path.Should().Be(folder);
        (await Context.Store.ListAsync(folder + "/", CancellationToken.None).Where(o => o.Length > 0).ToListAsync()).Should().BeEmpty("no manifest of the stalled run was written");
    }

    [Fact]
    public async Task A_governance_publication_stalled_before_its_manifest_while_another_cleared_its_folder_never_makes_that_folder_current()
    {
        await _hub.IngestAsync(Files);
        await _hub.RollUpAsync();
        var first = await GovernancePublisher.CurrentVersionAsync(Context.Store, CancellationToken.None);
        var marts = await new MartLoader(Context.Store).LoadAsync(CancellationToken.None);

        _clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(Context.Store, StoreStep.BeginWrite, p => IsManifest(p, "published/governance/v="), stall);
        var read = _clock.GetUtcNow();
        var stalled = Task.Run(() => new GovernancePublisher(Context with { Store = held }, ShortAge).PublishAsync(marts, read, CancellationToken.None));
        await stall.Reached;
        var folder = await UnpublishedFolderAsync("published/governance/");

        _clock.Advance(TimeSpan.FromMinutes(10));
        var clearing = new FailsAt(Context.Store, 1, p => p.StartsWith("published/governance/v=", StringComparison.Ordinal) && p.EndsWith(".csv", StringComparison.Ordinal) && !p.StartsWith(folder + "/", StringComparison.Ordinal));
        var publish = () => new GovernancePublisher(Context with { Store = clearing }, ShortAge).PublishAsync(marts, _clock.GetUtcNow(), CancellationToken.None);
        await publish.Should().ThrowAsync<IOException>();
        (await Context.Store.GetAsync(folder + "/deliveries.csv", CancellationToken.None)).Should().BeNull("the other publication cleared the folder");

        stall.Release();
        var resumed = await stalled;

        var (_, governance) = await AssertWholeAsync("after the stalled publication resumed");
        governance.Should().Be(first, "the stalled publication's folder was cleared: it is never current");
        resumed.ClearedAsAbandoned.Should().BeTrue();
        var refused = (await EventsAsync()).Should().ContainSingle(e => e.Entry.Kind == GovernancePublisher.RefusedKind).Subject;
        refused.Entry.Path.Should().Be(folder + "/manifest.json");
        refused.Entry.Rule.Should().Be("governance.version_cleared");
        (await Context.Store.ListAsync(folder + "/", CancellationToken.None).Where(o => o.Length > 0).ToListAsync()).Should().BeEmpty("no manifest of the stalled publication was written");
    }

    [Fact]
    public async Task A_clearing_that_reaches_a_stalled_runs_folder_after_its_manifest_leaves_that_version_whole()
    {
        await _hub.IngestAsync(Files);
        await _hub.RollUpAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(Context.Store, StoreStep.BeginWrite, p => IsManifest(p, "published/kpi/v="), stall);
        var stalled = Task.Run(() => KpiOnly(held).RunAsync(new RollupRequest(), CancellationToken.None));
        await stall.Reached;
        var folder = await UnpublishedFolderAsync("published/kpi/");

        // Another run finds the folder abandoned and is held just before its first change to it (then fails before it switches).
        _clock.Advance(TimeSpan.FromMinutes(10));
        var clearerHeld = new Stall();
        var reaching = new StallingStore(Context.Store, StoreStep.WriteOrDelete, p => p.StartsWith(folder + "/", StringComparison.Ordinal) || p.StartsWith(SecureOf(folder) + "/", StringComparison.Ordinal), clearerHeld);
        var clearing = new FailsAt(reaching, 1, p => p.StartsWith("secure/kpi/v=", StringComparison.Ordinal) && !p.StartsWith(SecureOf(folder), StringComparison.Ordinal));
        var run = Task.Run(() => KpiOnly(clearing).RunAsync(new RollupRequest(), CancellationToken.None));
        await clearerHeld.Reached;

        // The stalled run resumes first: its manifest is written and its version made current; then the clearing goes on.
        stall.Release();
        var resumed = await stalled;
        clearerHeld.Release();
        await FluentActions.Awaiting(() => run).Should().ThrowAsync<IOException>();

        var (kpi, _) = await AssertWholeAsync("after the clearing went on");
        kpi.Should().Be(resumed.VersionPath).And.Be(folder);
        (await EventsAsync()).Should().NotContain(e => e.Entry.Rule == "rollup.abandoned_version");
    }

    [Fact]
    public async Task Files_a_stalled_run_writes_after_its_folder_was_cleared_are_cleared_by_the_next_run_and_the_folder_is_never_a_version()
    {
        await _hub.IngestAsync(Files);
        await _hub.RollUpAsync();

        // The run stalls after its secure tables, before its published ones.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(Context.Store, StoreStep.BeginWrite, p => p.StartsWith("published/kpi/v=", StringComparison.Ordinal), stall);
        var stalled = Task.Run(() => KpiOnly(held).RunAsync(new RollupRequest(), CancellationToken.None));
        await stall.Reached;
        var secure = (await VersionFoldersAsync("secure/kpi/")).Single(f => !File.Exists(_hub.Local(f.Replace("secure/", "published/", StringComparison.Ordinal) + "/manifest.json")));
        var folder = secure.Replace("secure/", "published/", StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromMinutes(10));
        var clearing = new FailsAt(Context.Store, 1, p => p.StartsWith("secure/kpi/v=", StringComparison.Ordinal) && !p.StartsWith(secure, StringComparison.Ordinal));
        var run = () => KpiOnly(clearing).RunAsync(new RollupRequest(), CancellationToken.None);
        await run.Should().ThrowAsync<IOException>();

        // It resumes and writes every published table into the cleared folder; its manifest is refused.
        stall.Release();
        (await stalled).ClearedAsAbandoned.Should().BeTrue();
        (await RollupQuarter.CurrentVersionAsync(Context.Store, CancellationToken.None)).Should().NotBe(folder);
        (await Context.Store.GetAsync(folder + "/kpi_values.parquet", CancellationToken.None)).Should().NotBeNull("the stalled run wrote its tables after the clearing");

        // The next run clears them (the folder can never be published) and publishes.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var next = await KpiOnly(Context.Store).RunAsync(new RollupRequest(), CancellationToken.None);
        var (kpi, _) = await AssertWholeAsync("after the next run");
        kpi.Should().Be(next.VersionPath);
        (await Context.Store.ListAsync(folder + "/", CancellationToken.None).Where(o => o.Length > 0).ToListAsync()).Should().BeEmpty("what the stalled run wrote is cleared");
        (await EventsAsync()).Where(e => e.Entry.Rule == "rollup.abandoned_version").Should().HaveCount(2, "one clearing each time");
        (await new KpiVersions(Context.Store).AbandonedAsync(_clock.GetUtcNow(), TimeSpan.Zero, CancellationToken.None)).Should().BeEmpty("a cleared folder holding nothing is left as it is");
        (await new KpiVersions(Context.Store).AnchorsAsync(CancellationToken.None).ToListAsync()).Should().NotContain(a => a.Source.StartsWith(folder, StringComparison.Ordinal));
    }

    private RollupSettings ShortAge => RollupSettings.FromProtocols(Context.Protocols) with { AbandonedVersionAge = TimeSpan.FromMinutes(5) };

    // The KPI step alone (no governance tables or report), with a five-minute abandoned age.
    private RollupQuarter KpiOnly(IObjectStore store) => new(store, Context.Audit, Context.Time, ShortAge);

    private static bool IsManifest(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith("/manifest.json", StringComparison.Ordinal);

    private static string SecureOf(string folder) => folder.Replace("published/", "secure/", StringComparison.Ordinal);

    // The one version folder under the prefix without a manifest: the stalled run's.
    private async Task<string> UnpublishedFolderAsync(string prefix) =>
        (await VersionFoldersAsync(prefix)).Single(f => !File.Exists(_hub.Local(f + "/manifest.json")));

    private static string Tail(string version) => version[(version.LastIndexOf('/') + 1)..];

    private async Task<List<AuditEvent>> EventsAsync() => await Context.Audit.ReadAsync(CancellationToken.None).ToListAsync();

    private async Task<string> Report()
    {
        var reports = Directory.EnumerateFiles(_hub.Local("published/report"), "board-report-*.html").ToList();
        reports.Should().ContainSingle();
        return await File.ReadAllTextAsync(reports[0]);
    }

    // The version folders (".../v={run}") holding any object under the prefix.
    private async Task<IReadOnlyList<string>> VersionFoldersAsync(string prefix) =>
        await Context.Store.ListAsync(prefix, CancellationToken.None)
            .Select(o => o.Path[..o.Path.LastIndexOf('/')])
            .Where(folder => folder[(folder.LastIndexOf('/') + 1)..].StartsWith("v=", StringComparison.Ordinal))
            .Distinct()
            .ToListAsync();

    private async Task<IReadOnlyList<string>> InputsAsync(string version)
    {
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(_hub.Local(version + "/manifest.json")));
        return [.. manifest.RootElement.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("path").GetString()!)];
    }

    // What Power BI follows: each area's current.json names a version whose manifest lists only files present as written.
    private async Task<(string? Kpi, string? Governance)> AssertWholeAsync(string because)
    {
        var versions = new List<string?>();
        foreach (var pointer in new[] { RollupQuarter.CurrentPointer, GovernancePublisher.CurrentPointer })
        {
            var version = await CurrentVersion.ReadVersionAsync(Context.Store, pointer, CancellationToken.None);
            versions.Add(version);
            version.Should().NotBeNull(because);
            using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(_hub.Local(version + "/manifest.json")));
            foreach (var output in manifest.RootElement.GetProperty("outputs").EnumerateArray())
            {
                var path = _hub.Local(output.GetProperty("path").GetString()!);
                File.Exists(path).Should().BeTrue($"{because}: {pointer} names a whole version");
                Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))).Should().Be(output.GetProperty("sha256").GetString(), because);
            }
        }

        return (versions[0], versions[1]);
    }

    [Fact]
    public async Task A_rollup_whose_audit_log_breaks_while_it_builds_its_tables_publishes_nothing_and_says_what_it_wrote()
    {
        await _hub.IngestAsync(Files);
        await _hub.RollUpAsync();
        var kpi = await RollupQuarter.CurrentVersionAsync(Context.Store, CancellationToken.None);
        var governance = await GovernancePublisher.CurrentVersionAsync(Context.Store, CancellationToken.None);
        var events = await Context.Audit.ReadAsync(CancellationToken.None).CountAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));

        // The log's end passes the check the run starts with and is torn by the time of the one before its manifest.
        var run = () => RollupQuarter.For(Context with { Audit = new TornAfterFirstCheck(Context.Audit) }).RunAsync(new RollupRequest(), CancellationToken.None);

        var refused = (await run.Should().ThrowAsync<AuditChainBrokenException>()).Which;
        refused.Written.Should().Contain("were written under published/kpi/v=").And.Contain("not published");
        refused.Message.Should().NotContain("Nothing was written", "the run had written its tables");
        (await RollupQuarter.CurrentVersionAsync(Context.Store, CancellationToken.None)).Should().Be(kpi);
        (await GovernancePublisher.CurrentVersionAsync(Context.Store, CancellationToken.None)).Should().Be(governance);
        var folder = refused.Written!.Split(' ').Single(w => w.StartsWith("published/kpi/v=", StringComparison.Ordinal));
        (await Context.Store.GetAsync(folder + "/manifest.json", CancellationToken.None)).Should().BeNull("no manifest: `audit verify` asks no event of the folder, and a later rollup clears it");
        (await Context.Audit.ReadAsync(CancellationToken.None).CountAsync()).Should().Be(events);
    }

    [Fact]
    public async Task A_rollup_whose_audit_log_breaks_after_the_governance_switch_says_the_governance_version_is_current()
    {
        await _hub.IngestAsync(Files);
        await _hub.RollUpAsync();
        var governance = await GovernancePublisher.CurrentVersionAsync(Context.Store, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));

        // The log takes the rollup's own event and breaks before the governance publication's.
        var run = () => RollupQuarter.For(Context with { Audit = new AuditTornAt(Context.Audit, GovernancePublisher.AuditKind) }).RunAsync(new RollupRequest(), CancellationToken.None);

        var refused = (await run.Should().ThrowAsync<AuditChainBrokenException>()).Which;
        var current = await GovernancePublisher.CurrentVersionAsync(Context.Store, CancellationToken.None);
        current.Should().NotBe(governance, "the switch was made before the refused event");
        refused.Written.Should().Contain($"Governance version {current!.Split("v=")[^1]} was made current")
            .And.NotContain("governance tables and board report were not brought up to date");
        refused.Message.Should().NotContain("Nothing was written");
    }

    // An audit log whose end breaks after its first check: the second and later checks refuse as a torn line does.
    private sealed class TornAfterFirstCheck(IAuditLog inner) : IAuditLog
    {
        private int _checks;

        public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => inner.AppendAsync(entry, cancellationToken);

        public Task CheckWritableAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _checks) == 1
                ? inner.CheckWritableAsync(cancellationToken)
                : throw new AuditChainBrokenException("The audit log's last line is torn: a write was cut off (a crash or a full disk).", AuditChainBrokenException.RepairAdvice);

        public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }

    /// <summary>
    /// Retries a committed batch just before one of its files is read, as a retried delivery does: its own files under
    /// another attempt's names, the manifest replaced If-Match, then the replaced files removed as clean-up would.
    /// </summary>
    private sealed class RetriesBatchOnRead(HubContext hub, MartManifest batch, string trigger) : DelegatingStore(hub.Store)
    {
        public MartManifest? Retry { get; private set; }

        public IReadOnlyList<string> Removed { get; private set; } = [];

        public override async Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
        {
            if (path == trigger && Retry is null)
            {
                var attempt = MartSchema.AttemptOf("the retry's claim");
                var files = new List<MartManifestFile>();
                foreach (var file in batch.Files)
                {
                    var own = MartSchema.PathFor(batch.Feed, file.Quarter, batch.BatchId, attempt);
                    await hub.Store.CopyAsync(file.Path, own, cancellationToken);
                    files.Add(file with { Path = own });
                }

                var catalog = new MartCatalog(hub.Store);
                Retry = batch with { Files = files, Attempt = attempt, CommittedAt = batch.CommittedAt.AddMinutes(1) };
                await catalog.CommitAsync(Retry, await hub.Store.GetAsync(batch.Path, cancellationToken), cancellationToken);
                Removed = await new Core.Retention.InterruptedWork(hub).RemoveUnlistedAsync(batch.Feed, batch.Files.Select(f => f.Path), cancellationToken);
            }

            return await base.OpenReadAsync(path, ifMatchETag, cancellationToken);
        }
    }

    /// <summary>Deletes a committed batch as retention does (manifest, then files) just before one of its files is read.</summary>
    private sealed class DeletesBatchOnRead(IObjectStore inner, MartManifest batch, string trigger) : DelegatingStore(inner)
    {
        public bool Deleted { get; private set; }

        public override async Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
        {
            if (path == trigger && !Deleted)
            {
                Deleted = true;
                await base.DeleteAsync(batch.Path, null, cancellationToken);
                foreach (var file in batch.Files)
                {
                    await base.DeleteAsync(file.Path, null, cancellationToken);
                }
            }

            return await base.OpenReadAsync(path, ifMatchETag, cancellationToken);
        }
    }
}
