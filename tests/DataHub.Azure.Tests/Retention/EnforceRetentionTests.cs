using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Retention;

[Collection(AzuriteCollection.Name)]
public sealed class EnforceRetentionTests(AzuriteFixture fixture) : IDisposable
{
    // The demo agreements: police-da-incidents keeps raw files 30 days and marts 2555 days; mental-health likewise unless stated.
    private const string Raw = "landing/_processed/police/police-da-incidents/police-0011223344556677/file-0a1b2c3d.csv";
    private const string Quarantined = "quarantine/police/police-da-incidents/feb.csv";
    private const string Unrouted = "quarantine/_unrouted/nobody~feed~x.csv";
    private const string Mart = "secure/police-da-incidents/quarter=2024Q1/police-0011223344556677.parquet";
    private const string Pending = "landing/police/police-da-incidents/mar.csv";
    private const string Published = "published/kpi/current.json";
    private readonly TempFolder _root = new("retention");

    public void Dispose() => _root.Dispose();

    private static async Task SeedAsync(IObjectStore store)
    {
        foreach (var path in new[] { Raw, Quarantined, Unrouted, Pending, Published })
        {
            await store.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("x"), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        }

        await store.WriteAsync(Mart, (s, ct) => s.WriteAsync(new byte[] { 1 }, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
    }

    private static async Task<List<string>> PathsAsync(IObjectStore store, params string[] prefixes)
    {
        var paths = new List<string>();
        foreach (var prefix in prefixes)
        {
            paths.AddRange(await store.ListAsync(prefix, CancellationToken.None).Select(o => o.Path).ToListAsync());
        }

        return paths;
    }

    private HubContext LocalHub(ManualClock clock) => TestHubs.Embedded(_root.Path, clock).Context;

    [Fact]
    public async Task Raw_and_quarantined_files_past_raw_retention_are_deleted_and_audited_marts_kept()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var hub = LocalHub(clock);
        await SeedAsync(hub.Store);
        clock.Advance(TimeSpan.FromDays(31));

        var outcome = await new EnforceRetention(hub).RunAsync(CancellationToken.None);

        outcome.Deleted.Select(d => d.Path).Should().BeEquivalentTo([Raw, Quarantined, Unrouted]);
        (await PathsAsync(hub.Store, "landing/", "secure/", "published/")).Should().BeEquivalentTo([Pending, Mart, Published]);
        var deletions = await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == AuditKinds.Deleted).ToListAsync();
        deletions.Select(e => e.Entry.Path).Should().BeEquivalentTo([Raw, Quarantined, Unrouted]);
        deletions.Single(e => e.Entry.Path == Raw).Entry.Should().Match<AuditEntry>(e =>
            e.Rule == EnforceRetention.RawRule && e.Agreement == "DSA-FS-2024-POL-01" && e.Partner == "police" && e.Counts!["retention_days"] == 30);
        deletions.Single(e => e.Entry.Path == Unrouted).Entry.Agreement.Should().Be("none");
        (await AuditVerifier.VerifyAsync(hub.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Nothing_is_deleted_within_retention()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var hub = LocalHub(clock);
        await SeedAsync(hub.Store);
        clock.Advance(TimeSpan.FromDays(29));

        var outcome = await new EnforceRetention(hub).RunAsync(CancellationToken.None);

        outcome.Deleted.Should().BeEmpty();
        outcome.Examined.Should().Be(4);
        (await PathsAsync(hub.Store, "landing/", "quarantine/", "secure/")).Should().HaveCount(5);
    }

    [Fact]
    public async Task Marts_past_mart_retention_are_deleted_on_azure_storage_too()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var hub = TestHubs.Azure(fixture.Azurite.ConnectionString, fixture.Azurite.KeyRoot, clock);
        await SeedAsync(hub.Store);
        clock.Advance(TimeSpan.FromDays(2556));

        var outcome = await new EnforceRetention(hub).RunAsync(CancellationToken.None);

        outcome.Deleted.Select(d => d.Path).Should().Contain([Raw, Quarantined, Mart]);
        outcome.Deleted.Single(d => d.Path == Mart).Rule.Should().Be(EnforceRetention.MartRule);
        (await hub.Store.GetAsync(Pending, CancellationToken.None)).Should().NotBeNull("unprocessed landing files are never touched");
        (await hub.Store.GetAsync(Published, CancellationToken.None)).Should().NotBeNull("published aggregates are never touched");
        (await hub.Audit.ReadAsync(CancellationToken.None).CountAsync(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Path == Mart)).Should().Be(1);
    }

    [Fact]
    public async Task Retention_command_deletes_and_reports_on_an_embedded_root()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await SeedAsync(LocalHub(clock).Store);
        clock.Advance(TimeSpan.FromDays(40));
        using var output = new StringWriter();

        var code = await DataHub.Host.Program.RunAsync(["retention", "--root", _root.Path, "--protocols", TestHubs.Protocols], new DataHub.Host.Commands.CommandEnvironment(output, output, clock));

        code.Should().Be(0);
        output.ToString().Should().Contain("deleted " + Raw).And.Contain("Retention: examined 4 objects, deleted 3");
    }

    [Fact]
    public async Task A_deletion_a_killed_run_made_on_azure_storage_is_recorded_once_by_the_next_run_and_its_record_removed()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var hub = TestHubs.Azure(fixture.Azurite.ConnectionString, fixture.Azurite.KeyRoot, clock);
        var raw = $"landing/_processed/police/police-da-incidents/Jane Plomquist {Guid.NewGuid():N}.csv";
        await hub.Store.WriteAsync(raw, (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("x"), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        var safe = (await DataHub.Core.Ingestion.FileLabels.CurrentOrWithheldAsync(hub.Keys, CancellationToken.None)).StoredPath(raw, hub.Protocols);
        clock.Advance(TimeSpan.FromDays(31));

        var killed = () => new EnforceRetention(hub with { Audit = new StopsBeforeDeletionEvents(hub.Audit) }).RunAsync(CancellationToken.None);
        await killed.Should().ThrowAsync<IOException>();
        (await hub.Store.GetAsync(raw, CancellationToken.None)).Should().BeNull("the killed run deleted it");

        await new EnforceRetention(hub).RunAsync(CancellationToken.None);

        var deletions = await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Path == safe).ToListAsync();
        deletions.Should().ContainSingle().Which.Entry.Path.Should().NotContain("Plomquist");
        (await PathsAsync(hub.Store, "audit/retention-pending/")).Should().BeEmpty();
    }

    [Fact]
    public async Task Raw_files_past_retention_are_deleted_on_azure_though_a_row_inside_the_audit_table_cannot_be_read()
    {
        // An audit table of this test's own, so the row it damages breaks no other test's chain.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var table = "t" + Guid.NewGuid().ToString("N")[..12];

        // Archived by the hub for a partner whose agreement was since removed: only for such an entry is the audit read.
        var raw = $"landing/_processed/oldpartner/police-da-incidents/oldpartner-{Guid.NewGuid().ToString("N")[..16]}/file-0a1b2c3d.csv";
        var storage = DataHub.Storage.Azure.AzureStorage.ForEmulator(fixture.Azurite.ConnectionString, new DataHub.Storage.Azure.AzureClientSettings());
        var log = storage.AuditLog(new DataHub.Storage.Local.LocalAuditKeyProvider(TestHubs.Keys(fixture.Azurite.KeyRoot)), storage.Anchors(table), clock, table);
        for (var i = 1; i <= 3; i++)
        {
            await log.AppendAsync(new AuditEntry(AuditKinds.Archived, Partner: "oldpartner", Path: i == 1 ? raw : $"landing/_processed/oldpartner/police-da-incidents/b{i}/f.csv"), CancellationToken.None);
        }

        var rows = storage.Tables.GetTableClient(table);
        var row = (await rows.GetEntityAsync<global::Azure.Data.Tables.TableEntity>("chain", "e" + 2L.ToString("D19", System.Globalization.CultureInfo.InvariantCulture))).Value;
        row["Event"] = 4;
        await rows.UpdateEntityAsync(row, row.ETag, global::Azure.Data.Tables.TableUpdateMode.Replace);
        var hub = TestHubs.Azure(fixture.Azurite.ConnectionString, fixture.Azurite.KeyRoot, clock) with { Audit = log };
        await hub.Store.WriteAsync(raw, (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("x"), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(400));

        // The table's reader raises a plain FormatException (not the local log's AuditLineException): it stopped the run.
        await new EnforceRetention(hub).RunAsync(CancellationToken.None);

        (await hub.Store.GetAsync(raw, CancellationToken.None)).Should().BeNull();
        (await log.ReadReadableAsync(_ => { }, CancellationToken.None).CountAsync(e => e.Entry.Kind == AuditKinds.Deleted)).Should().BeGreaterThan(0);
        (await PathsAsync(hub.Store, "audit/retention-pending/")).Should().BeEmpty();
    }

    /// <summary>An audit log that fails, as a killed process would, when asked to record a deletion.</summary>
    private sealed class StopsBeforeDeletionEvents(IAuditLog inner) : IAuditLog
    {
        public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
            entry.Kind == AuditKinds.Deleted ? throw new IOException("killed before the event") : inner.AppendAsync(entry, cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }
}
