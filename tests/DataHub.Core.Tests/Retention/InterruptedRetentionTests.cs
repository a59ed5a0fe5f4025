using DataHub.Core.Audit;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Core.Tests.Ingestion;
using DataHub.Testing;

namespace DataHub.Core.Tests.Retention;

/// <summary>A retention run killed around one of its deletions: the next run records every deletion made, once, and claims none not made.</summary>
public sealed class InterruptedRetentionTests
{
    private const string Csv = HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\n";

    public enum StopAt
    {
        BeforeTheDelete,
        AfterTheDeleteBeforeItsEvent,
        AfterItsEvent,
    }

    [Theory]
    [InlineData(StopAt.BeforeTheDelete)]
    [InlineData(StopAt.AfterTheDeleteBeforeItsEvent)]
    [InlineData(StopAt.AfterItsEvent)]
    public async Task A_run_stopped_around_a_deletion_leaves_it_recorded_exactly_once_after_the_next_run(StopAt stop)
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{fixture.Labels.Label("jan.csv")}";
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var stopping = fixture.Hub with
        {
            Store = new StopsDeleting(fixture.Hub.Store, stop == StopAt.BeforeTheDelete),
            Audit = new StopsRecordingDeletions(fixture.Hub.Audit, stop),
        };

        var killed = () => new EnforceRetention(stopping).RunAsync(default);
        await killed.Should().ThrowAsync<IOException>();
        (await fixture.ListAsync("landing/_processed/")).Should().HaveCount(stop == StopAt.BeforeTheDelete ? 1 : 0);

        await new EnforceRetention(fixture.Hub).RunAsync(default);
        var again = await new EnforceRetention(fixture.Hub).RunAsync(default);

        (await fixture.ListAsync("landing/_processed/")).Should().BeEmpty();
        again.Deleted.Should().BeEmpty();
        var deletions = (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).ToList();
        deletions.Should().ContainSingle("the file was deleted once, and that deletion is recorded once").Which.Entry.Path.Should().Be(archived);
        deletions[0].Entry.Rule.Should().Be(EnforceRetention.RawRule);
    }

    [Theory]
    [InlineData("{\"e_tag\": \"0x1\", \"aft")]
    [InlineData("{\"e_tag\": \"0x1\", \"after\": 3}")]
    public async Task An_unreadable_pending_record_is_moved_aside_and_logged_and_the_run_goes_on(string record)
    {
        using var fixture = new HubFixture();
        await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        const string Planted = "audit/retention-pending/20261122T010000Z-0123.json";
        await fixture.Store.WriteAsync(Planted, (s, ct) => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(record), ct).AsTask(), WriteOptions.Default, default);
        var logs = new LoggedLines();

        var outcome = await new EnforceRetention(fixture.Hub with { Logging = logs }).RunAsync(default);

        outcome.Deleted.Should().ContainSingle("the run goes on past the record it cannot read");
        (await fixture.ListAsync("audit/retention-pending/")).Should().BeEmpty();
        (await fixture.ListAsync("audit/retention-pending-unreadable/")).Should().ContainSingle().Which.Should().EndWith("20261122T010000Z-0123.json");
        fixture.Text("audit/retention-pending-unreadable/20261122T010000Z-0123.json").Should().Be(record, "kept as it was, for an operator to check");
        logs.Errors.Should().ContainSingle().Which.Should().Contain(Planted);
    }

    [Theory]
    [InlineData(AuditKinds.KpiPublished, EnforceRetention.MartRule, "secure/police-da-incidents/gone.parquet")]
    [InlineData(AuditKinds.Deleted, "cleanup.uncommitted_batch", "secure/police-da-incidents/gone.parquet")]
    [InlineData(AuditKinds.Deleted, EnforceRetention.MartRule, "published/kpi/v=20261122T010000Z-1/kpi_values.parquet")]
    public async Task A_pending_record_of_no_retention_deletion_is_set_aside_not_sealed_into_the_audit_log(string kind, string rule, string path)
    {
        using var fixture = new HubFixture();
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var planted = new PendingDeletion("0x1", 0, new AuditEntry(kind, "police", "police-da-incidents", "none", Path: path, Rule: rule, Detail: "Planted."));
        const string Planted = "audit/retention-pending/20261122T010000Z-planted.json";
        await fixture.Store.WriteAsync(Planted, (s, ct) => s.WriteAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(planted, Core.Hub.HubJson.Default.PendingDeletion), ct).AsTask(), WriteOptions.Default, default);
        var logs = new LoggedLines();

        await new EnforceRetention(fixture.Hub with { Logging = logs }).RunAsync(default);

        (await fixture.AuditAsync()).Should().NotContain(e => e.Entry.Path == path, "a record no retention run could have written is not recorded");
        (await fixture.ListAsync("audit/retention-pending/")).Should().BeEmpty();
        (await fixture.ListAsync("audit/retention-pending-unreadable/")).Should().ContainSingle();
        logs.Errors.Should().ContainSingle().Which.Should().Contain(Planted);
    }

    [Fact]
    public async Task A_symbolic_link_among_the_pending_records_is_logged_and_skipped_and_the_run_goes_on()
    {
        using var fixture = new HubFixture();
        await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var outside = Path.Combine(fixture.Root, "outside.json");
        await File.WriteAllTextAsync(outside, "{}");
        Directory.CreateDirectory(Path.Combine(fixture.Root, "audit", "retention-pending"));
        File.CreateSymbolicLink(Path.Combine(fixture.Root, "audit", "retention-pending", "20261122T010000Z-link.json"), outside);
        var logs = new LoggedLines();

        var outcome = await new EnforceRetention(fixture.Hub with { Logging = logs }).RunAsync(default);

        outcome.Deleted.Should().ContainSingle("the run goes on past the link");
        logs.Errors.Should().ContainSingle().Which.Should().Contain("audit/retention-pending/20261122T010000Z-link.json");
        File.ReadAllText(outside).Should().Be("{}");
    }

    [Fact]
    public async Task A_live_runs_pending_record_is_left_to_it_by_another_run()
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{fixture.Labels.Label("jan.csv")}";
        var item = (await fixture.Store.GetAsync(archived, default))!;
        var entry = new AuditEntry(AuditKinds.Deleted, "police", "police-da-incidents", "none", Path: archived, Rule: EnforceRetention.RawRule, Detail: "Deleted by the live run.");
        var live = new PendingDeletion(item.ETag, 0, entry, Core.Hub.ProcessIdentity.Current);
        const string Planted = "audit/retention-pending/20261122T010000Z-live.json";
        await fixture.Store.WriteAsync(Planted, (s, ct) => s.WriteAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(live, Core.Hub.HubJson.Default.PendingDeletion), ct).AsTask(), WriteOptions.Default, default);
        await fixture.Store.DeleteAsync(archived, null, default);

        // The clock stands before the record was written: it is fresh, and its process (this one) is alive.
        await new EnforceRetention(fixture.Hub).RunAsync(default);

        (await fixture.ListAsync("audit/retention-pending/")).Should().ContainSingle().Which.Should().Be(Planted, "the live run removes its own record once it has recorded its event");
        (await fixture.AuditAsync()).Should().NotContain(e => e.Entry.Kind == AuditKinds.Deleted, "the live run records its own deletion");
    }

    [Fact]
    public async Task Two_retention_runs_at_once_record_each_deletion_once_and_leave_no_record()
    {
        using var fixture = new HubFixture();
        foreach (var month in new[] { "jan", "feb", "mar" })
        {
            await fixture.DropAndIngestAsync($"landing/police/police-da-incidents/{month}.csv", Csv.Replace("INC1", "INC-" + month, StringComparison.Ordinal));
        }

        fixture.AdvanceToAge(TimeSpan.FromDays(40));

        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => new EnforceRetention(fixture.Hub).RunAsync(default))));

        (await fixture.ListAsync("landing/_processed/")).Should().BeEmpty();
        var deletions = (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).Select(e => e.Entry.Path).ToList();
        deletions.Should().HaveCount(3).And.OnlyHaveUniqueItems();
        (await fixture.ListAsync("audit/retention-pending/")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_partner_named_raw_file_deleted_by_a_killed_run_is_recorded_by_its_label_and_its_name_is_never_kept()
    {
        using var fixture = new HubFixture();
        const string Name = "Jane Plomquist 17-03-2011.csv";
        const string Raw = "landing/_processed/police/police-da-incidents/" + Name;
        await fixture.Store.WriteAsync(Raw, (s, ct) => s.WriteAsync("x"u8.ToArray(), ct).AsTask(), WriteOptions.Default, default);
        await fixture.Store.WriteAsync("landing/_processed/police/police-da-incidents/Other Person.csv", (s, ct) => s.WriteAsync("y"u8.ToArray(), ct).AsTask(), WriteOptions.Default, default);
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var killed = () => new EnforceRetention(fixture.Hub with { Audit = new StopsRecordingDeletions(fixture.Hub.Audit, StopAt.AfterTheDeleteBeforeItsEvent) }).RunAsync(default);
        await killed.Should().ThrowAsync<IOException>();
        var pending = (await fixture.ListAsync("audit/retention-pending/")).Should().ContainSingle().Subject;
        fixture.Text(pending).Should().NotContain("Plomquist").And.NotContain("17-03-2011");

        await new EnforceRetention(fixture.Hub).RunAsync(default);

        var deletions = (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).ToList();
        deletions.Should().HaveCount(2, "the killed run's deletion is recorded once, and the other file's by the next run");
        deletions.Should().OnlyContain(e => e.Entry.Path!.StartsWith("landing/_processed/~", StringComparison.Ordinal) && !e.Entry.Path.Contains("Plomquist", StringComparison.Ordinal) && !e.Entry.Detail!.Contains("Plomquist", StringComparison.Ordinal));
        deletions.Select(e => e.Entry.Path).Should().OnlyHaveUniqueItems();
        File.ReadAllText(Path.Combine(fixture.Root, "audit", "audit-log.jsonl")).Should().NotContain("Plomquist");
    }

    [Fact]
    public async Task A_killed_runs_deletion_is_recorded_by_the_next_run_though_a_line_inside_the_audit_log_is_damaged()
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{fixture.Labels.Label("jan.csv")}";
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var killed = () => new EnforceRetention(fixture.Hub with { Audit = new StopsRecordingDeletions(fixture.Hub.Audit, StopAt.AfterTheDeleteBeforeItsEvent) }).RunAsync(default);
        await killed.Should().ThrowAsync<IOException>();
        var log = Path.Combine(fixture.Root, "audit", "audit-log.jsonl");
        var lines = File.ReadAllLines(log);
        lines[1] = lines[1].Replace("\"kind\":", "\"note\":\"x\",\"kind\":", StringComparison.Ordinal);
        File.WriteAllLines(log, lines);

        // A strict read of the log stopped every later run at its pending record; the damaged line counts as no deletion.
        await new EnforceRetention(fixture.Hub).RunAsync(default);

        var deletions = await fixture.Hub.Audit.ReadReadableAsync(_ => { }, default).Where(e => e.Entry.Kind == AuditKinds.Deleted).ToListAsync();
        deletions.Should().ContainSingle().Which.Entry.Path.Should().Be(archived);
        (await fixture.ListAsync("audit/retention-pending/")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_killed_runs_deletion_is_not_recorded_when_another_version_now_stands_at_its_path()
    {
        using var fixture = new HubFixture();
        const string Raw = "landing/_processed/police/police-da-incidents/Jane Plomquist 17-03-2011.csv";
        await fixture.Store.WriteAsync(Raw, (s, ct) => s.WriteAsync("x"u8.ToArray(), ct).AsTask(), WriteOptions.Default, default);
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var killed = () => new EnforceRetention(fixture.Hub with { Audit = new StopsRecordingDeletions(fixture.Hub.Audit, StopAt.AfterTheDeleteBeforeItsEvent) }).RunAsync(default);
        await killed.Should().ThrowAsync<IOException>();
        await fixture.Store.WriteAsync(Raw, (s, ct) => s.WriteAsync("a later file"u8.ToArray(), ct).AsTask(), WriteOptions.Default, default);
        var logs = new LoggedLines();

        // The agreements now keep raw files longer: the later file is not due, so only the settling is seen.
        var protocols = fixture.Hub.Protocols;
        var longer = new Core.Protocols.ProtocolSet(protocols.Partners.Select(p => p with { Feeds = p.Feeds.ToDictionary(f => f.Key, f => f.Value with { RawRetentionDays = 400 }) }), protocols.Profiles.Values);
        await new EnforceRetention(fixture.Hub with { Protocols = longer, Logging = logs }).RunAsync(default);

        (await fixture.AuditAsync()).Should().NotContain(e => e.Entry.Kind == AuditKinds.Deleted, "whether the killed run deleted the first version cannot be told");
        logs.Warnings.Should().ContainSingle(w => w.Contains("another version", StringComparison.Ordinal)).Which.Should().Contain("landing/_processed/~").And.NotContain("Plomquist");
        (await fixture.ListAsync("audit/retention-pending/")).Should().BeEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_partner_named_file_a_killed_run_did_not_delete_is_not_recorded_as_deleted_after_the_labels_change(bool rotated)
    {
        using var fixture = new HubFixture();
        const string Raw = "landing/_processed/police/police-da-incidents/Jane Plomquist 17-03-2011.csv";
        await fixture.Store.WriteAsync(Raw, (s, ct) => s.WriteAsync("x"u8.ToArray(), ct).AsTask(), WriteOptions.Default, default);
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var killed = () => new EnforceRetention(fixture.Hub with { Store = new StopsDeleting(fixture.Hub.Store, stop: true) }).RunAsync(default);
        await killed.Should().ThrowAsync<IOException>();

        // The settling run labels under another key, or has none: its label for the file is not the record's.
        Core.Pseudonymisation.IKeyProvider keys = rotated ? new FixedKeys("v2", 9) : new NoKeys();
        await new EnforceRetention(fixture.Hub with { Keys = keys }).RunAsync(default);

        (await fixture.ListAsync("landing/_processed/")).Should().BeEmpty();
        (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).Should().ContainSingle("the file was deleted once, by the settling run");
    }

    [Fact]
    public async Task A_deletion_by_a_killed_run_without_the_key_is_recorded_though_a_sibling_shares_its_withheld_label()
    {
        using var fixture = new HubFixture();
        await fixture.Store.WriteAsync("landing/_processed/police/police-da-incidents/Jane Plomquist 17-03-2011.csv", (s, ct) => s.WriteAsync("x"u8.ToArray(), ct).AsTask(), WriteOptions.Default, default);
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var withheld = fixture.Hub with { Keys = new NoKeys() };
        var killed = () => new EnforceRetention(withheld with { Audit = new StopsRecordingDeletions(fixture.Hub.Audit, StopAt.AfterTheDeleteBeforeItsEvent) }).RunAsync(default);
        await killed.Should().ThrowAsync<IOException>();
        await fixture.Store.WriteAsync("landing/_processed/police/police-da-incidents/Other Person.csv", (s, ct) => s.WriteAsync("a later file"u8.ToArray(), ct).AsTask(), WriteOptions.Default, default);

        // The later file is not due, so only the settling is seen.
        var protocols = fixture.Hub.Protocols;
        var longer = new Core.Protocols.ProtocolSet(protocols.Partners.Select(p => p with { Feeds = p.Feeds.ToDictionary(f => f.Key, f => f.Value with { RawRetentionDays = 400 }) }), protocols.Profiles.Values);
        await new EnforceRetention(withheld with { Protocols = longer }).RunAsync(default);

        (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).Should().ContainSingle("the killed run's deletion was made and must be recorded")
            .Which.Entry.Path.Should().Be("landing/_processed/~file-withheld.csv");
        (await fixture.ListAsync("landing/_processed/")).Should().ContainSingle();
    }
    [Fact]
    public async Task A_run_refused_by_the_audit_log_after_a_deletion_says_what_it_deleted_by_label_and_the_next_run_records_it()
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{fixture.Labels.Label("jan.csv")}";
        fixture.AdvanceToAge(TimeSpan.FromDays(40));

        var run = () => new EnforceRetention(fixture.Hub with { Audit = new AuditTornAt(fixture.Hub.Audit, AuditKinds.Deleted) }).RunAsync(default);

        var refused = (await run.Should().ThrowAsync<AuditChainBrokenException>()).Which;
        refused.Written.Should().Contain("Retention deleted " + archived).And.Contain("did not record");
        refused.Message.Should().NotContain("Nothing was written", "the run had deleted a file").And.NotContain("jan.csv");
        (await fixture.ListAsync("landing/_processed/")).Should().BeEmpty();

        await new EnforceRetention(fixture.Hub).RunAsync(default);
        (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).Should().ContainSingle().Which.Entry.Path.Should().Be(archived);
    }

    /// <summary>A store whose delete of a raw archive entry fails as a killed process would (when asked to).</summary>
    private sealed class StopsDeleting(IObjectStore inner, bool stop) : DelegatingStore(inner)
    {
        public override Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) =>
            stop && path.StartsWith("landing/_processed/", StringComparison.Ordinal)
                ? throw new IOException("killed before the delete")
                : base.DeleteAsync(path, ifMatchETag, cancellationToken);
    }

    /// <summary>An audit log that stops at the first deletion event: before it is written, or just after.</summary>
    private sealed class StopsRecordingDeletions(IAuditLog inner, StopAt stop) : IAuditLog
    {
        public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (entry.Kind != AuditKinds.Deleted)
            {
                return await inner.AppendAsync(entry, cancellationToken);
            }

            if (stop == StopAt.AfterTheDeleteBeforeItsEvent)
            {
                throw new IOException("killed before the event");
            }

            await inner.AppendAsync(entry, cancellationToken);
            throw new IOException("killed after the event");
        }

        public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }
}
