using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Kpis.Tests.Fixtures;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>Issue 14: a refused rollup is audited, a killed run's version folders are cleared, and each manifest anchors the audit.</summary>
public sealed class RollupAuditTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _root = new("rollup-audit");
    private readonly LocalObjectStore _store;
    private readonly LocalAuditLog _audit;

    public RollupAuditTests()
    {
        _store = new LocalObjectStore(_root.Path);
        LocalAuditKeyProvider.Create(_root.Path);
        _audit = new LocalAuditLog(_root.Path, new FixedTime(Now));
    }

    public void Dispose() => _root.Dispose();

    private RollupQuarter Job() => new(
        _store,
        _audit,
        new FixedTime(Now),
        new RollupSettings { Kpis = new KpiOptions { Cohorts = [BoundaryFixture.Cohort] } });

    private async Task<List<AuditEvent>> EventsAsync() => await _audit.ReadAsync(CancellationToken.None).ToListAsync();

    private Task WriteAsync(string path, string text) =>
        _store.WriteAsync(path, (s, ct) => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct).AsTask(), WriteOptions.Default, CancellationToken.None);

    [Fact]
    public async Task A_rollup_refused_for_a_damaged_mart_is_audited_and_publishes_nothing()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        var mart = Directory.EnumerateFiles(Path.Combine(_root.Path, "secure", "police-da-incidents"), "*.parquet", SearchOption.AllDirectories).First();
        var bytes = await File.ReadAllBytesAsync(mart);
        await File.WriteAllBytesAsync(mart, bytes[..(bytes.Length / 2)]);

        var run = () => Job().RunAsync(new RollupRequest(), CancellationToken.None);
        await run.Should().ThrowAsync<RollupInputException>();
        var refused = (await EventsAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.KpiRefused).Subject;
        refused.Entry.Rule.Should().Be("rollup.input");
        refused.Entry.Detail.Should().Contain("police-da-incidents").And.Contain("Nothing was published");
        (await RollupQuarter.CurrentVersionAsync(_store, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Version_folders_a_killed_run_left_without_a_manifest_are_cleared_and_audited_by_the_next_run()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        const string killed = "20261121T230000Z-abcdef";
        const string running = "20261122T015900Z-123456";
        await WriteAsync($"published/kpi/v={killed}/kpi_values.parquet", "partial");
        await WriteAsync($"secure/kpi/v={killed}/person_values.parquet", "partial");
        await WriteAsync($"published/kpi/v={running}/kpi_values.parquet", "still being written");

        var outcome = await Job().RunAsync(new RollupRequest(), CancellationToken.None);

        var left = await _store.ListAsync("published/kpi/", CancellationToken.None).Select(o => o.Path).ToListAsync();
        left.Where(p => p.Contains(killed, StringComparison.Ordinal)).Should().Equal([$"published/kpi/v={killed}/manifest.json"], "only the empty manifest marking the folder cleared stays");
        (await _store.GetAsync($"published/kpi/v={killed}/manifest.json", CancellationToken.None))!.Length.Should().Be(0);
        (await _store.GetAsync($"secure/kpi/v={killed}/person_values.parquet", CancellationToken.None)).Should().BeNull();
        left.Should().Contain($"published/kpi/v={running}/kpi_values.parquet", "a run younger than an hour may still be writing");
        left.Should().Contain(outcome.VersionPath + "/manifest.json");
        var cleared = (await EventsAsync()).Should().ContainSingle(e => e.Entry.Rule == "rollup.abandoned_version").Subject;
        cleared.Entry.Kind.Should().Be(AuditKinds.Deleted);
        cleared.Entry.Counts!["objects"].Should().Be(2);
    }

    [Fact]
    public async Task Each_manifest_records_the_audit_head_as_an_anchor_that_audit_verify_reads()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        await _audit.AppendAsync(new AuditEntry(AuditKinds.Received, Detail: "before the run"), CancellationToken.None);
        var head = await _audit.GetHeadAsync(CancellationToken.None);

        var outcome = await Job().RunAsync(new RollupRequest(), CancellationToken.None);

        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(_store.FullPath(outcome.VersionPath + "/manifest.json")));
        manifest.RootElement.GetProperty("audit_head").GetProperty("sequence").GetInt64().Should().Be(head!.Sequence);
        var anchors = await new KpiVersions(_store).AnchorsAsync(CancellationToken.None).ToListAsync();
        anchors.Should().ContainSingle().Which.Should().Be(new AuditAnchor(head.Sequence, head.Hash, outcome.VersionPath + "/manifest.json"));

        // Deleting the audit folder leaves the manifest's anchor: verification sees the log is gone.
        Directory.Delete(Path.Combine(_root.Path, "audit"), recursive: true);
        var result = await AuditVerifier.VerifyAsync(_audit, new LocalAuditKeyProvider(_root.Path), anchors, CancellationToken.None);
        result.Intact.Should().BeFalse();
        result.Message.Should().Contain("manifest.json");
    }
}
