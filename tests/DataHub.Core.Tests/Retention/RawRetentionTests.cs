using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Governance;
using DataHub.Core.Ingestion;
using DataHub.Core.Protocols;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Core.Tests.Ingestion;

using DataHub.Testing;

namespace DataHub.Core.Tests.Retention;

/// <summary>Retention of the raw archive, which partners can write into as they can anywhere in landing.</summary>
public sealed class RawRetentionTests
{
    private const string Csv = HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\n";

    [Fact]
    public async Task An_object_a_partner_put_in_the_raw_archive_is_deleted_and_audited_by_its_label_never_its_name()
    {
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        string[] planted =
        [
            "landing/_processed/Jane Smith 1990-04-05/4857773456.csv",
            "landing/_processed/police/police-da-incidents/police-0011223344556677/Jane Smith 4857773456.csv",
        ];
        foreach (var path in planted)
        {
            await hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("x"), ct).AsTask(), WriteOptions.Default, default);
        }

        hub.AdvanceToAge(TimeSpan.FromDays(40));

        var outcome = await new EnforceRetention(hub.Hub).RunAsync(default);

        (await hub.ListAsync("landing/")).Should().BeEmpty("all three are past the police agreement's 30 days of raw retention");
        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{hub.Labels.Label("jan.csv")}";
        var audited = (await hub.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).Select(e => e.Entry.Path).ToList();
        audited.Should().BeEquivalentTo(outcome.Deleted.Select(d => d.Path));
        audited.Should().Contain(archived, "the hub's own archive entry is named as it is").And.HaveCount(3);
        audited.Where(p => p != archived).Should().OnlyContain(p => p!.StartsWith("landing/_processed/~file-", StringComparison.Ordinal));
        var written = string.Join('\n', Directory.EnumerateFiles(hub.Root, "*", SearchOption.AllDirectories).Select(f => f + "\n" + File.ReadAllText(f, Encoding.Latin1)));
        written.Should().NotContain("Jane").And.NotContain("4857773456").And.NotContain("1990-04-05");
        foreach (var rest in planted.Select(p => p["landing/_processed/".Length..]))
        {
            written.Should().NotContain(UnkeyedLabel.Of(rest), "an unkeyed hash of the path can be worked back to it");
            audited.Should().Contain("landing/_processed/~" + hub.Labels.Label(rest));
        }
    }

    [Fact]
    public async Task The_hubs_archived_copy_of_a_partner_whose_protocol_was_removed_is_deleted_by_the_path_it_was_archived_at()
    {
        // The board's deliveries table matches a deletion to the copy by its path: a label-only path matches nothing.
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        await fixture.Store.WriteAsync(
            "landing/_processed/police/police-da-incidents/police-0011223344556677/Jane Smith 4857773456.csv", (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("x"), ct).AsTask(), WriteOptions.Default, default);
        var protocols = fixture.Hub.Protocols;
        var hub = fixture.Hub with { Protocols = new ProtocolSet(protocols.Partners.Where(p => p.Partner != "police"), protocols.Profiles.Values) };
        fixture.AdvanceToAge(TimeSpan.FromDays(40));

        await new EnforceRetention(hub).RunAsync(default);

        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{fixture.Labels.Label("jan.csv")}";
        var audit = await fixture.AuditAsync();
        audit.Where(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Rule == EnforceRetention.RawRule).Select(e => e.Entry.Path)
            .Should().Contain(archived, "the hub archived the file there, as the audit already says").And.HaveCount(2)
            .And.NotContain(p => p!.Contains("Jane", StringComparison.Ordinal), "a path the hub did not archive is still named by its label");
        DeliveryLedger.From(audit).Should().ContainSingle().Which.RetentionDeleted.Should().Contain("raw");
    }

    [Fact]
    public async Task The_audit_is_read_for_archive_names_only_when_an_entry_no_agreement_covers_has_the_hubs_archive_shape()
    {
        // A partner's object in the raw archive that could never be an entry the hub archived is named by its label
        // without reading the whole audit log; an archive-shaped one of a partner with no protocol is looked up.
        using var fixture = new HubFixture();
        await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        await fixture.Store.WriteAsync("landing/_processed/police/police-da-incidents/police-0011223344556677/Jane Smith 4857773456.csv", (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("x"), ct).AsTask(), WriteOptions.Default, default);
        await fixture.Store.WriteAsync("landing/_processed/Jane Smith 1990-04-05/4857773456.csv", (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("x"), ct).AsTask(), WriteOptions.Default, default);
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var counting = new CountsReads(fixture.Hub.Audit);

        await new EnforceRetention(fixture.Hub with { Audit = counting }).RunAsync(default);

        counting.Reads.Should().Be(0, "neither planted object has the shape of an entry the hub archives for a partner with no protocol");
        (await fixture.ListAsync("landing/")).Should().BeEmpty("both are past every agreement's raw retention all the same");

        using var removed = new HubFixture();
        var stored = await removed.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var protocols = removed.Hub.Protocols;
        var withoutPolice = new CountsReads(removed.Hub.Audit);
        var hub = removed.Hub with { Audit = withoutPolice, Protocols = new ProtocolSet(protocols.Partners.Where(p => p.Partner != "police"), protocols.Profiles.Values) };
        removed.AdvanceToAge(TimeSpan.FromDays(40));

        await new EnforceRetention(hub).RunAsync(default);

        withoutPolice.Reads.Should().Be(1, "the hub's archive entry of a partner whose protocol was removed is looked up, once");
        (await removed.AuditAsync()).Should().Contain(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Path == $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{removed.Labels.Label("jan.csv")}");
    }

    /// <summary>Counts the reads of the whole audit log.</summary>
    private sealed class CountsReads(IAuditLog inner) : IAuditLog
    {
        public int Reads { get; private set; }

        public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => inner.AppendAsync(entry, cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken)
        {
            Reads++;
            return inner.ReadAsync(cancellationToken);
        }

        public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }

    [Fact]
    public async Task A_name_no_object_path_may_have_in_the_raw_archive_stops_no_other_deletion()
    {
        using var hub = new HubFixture();
        await hub.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var folder = Directory.CreateDirectory(Path.Combine(hub.Root, "landing", "_processed", "police", "police-da-incidents", "x")).FullName;
        File.WriteAllText(Path.Combine(folder, "Jane\\Smith.csv"), "x");
        hub.AdvanceToAge(TimeSpan.FromDays(40));

        var outcome = await new EnforceRetention(hub.Hub).RunAsync(default);

        outcome.Deleted.Should().ContainSingle("the hub's own archive entry is past its retention and deleted");
        File.Exists(Path.Combine(folder, "Jane\\Smith.csv")).Should().BeTrue("a name the store cannot address is left for an operator");
        (await hub.AuditAsync()).Select(e => e.Entry.Path + " " + e.Entry.Detail).Should().NotContain(t => t.Contains("Jane", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_link_in_the_raw_archive_named_as_the_hubs_own_entries_are_is_removed_and_stops_no_other_deletion()
    {
        using var hub = new HubFixture();
        await hub.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var folder = Directory.CreateDirectory(Path.Combine(hub.Root, "landing", "_processed", "police", "police-da-incidents", "police-0123456789abcdef")).FullName;
        var link = Path.Combine(folder, "file-0123abcd.csv");
        File.CreateSymbolicLink(link, Path.Combine(hub.Root, "nowhere"));
        hub.AdvanceToAge(TimeSpan.FromDays(40));

        var outcome = await new EnforceRetention(hub.Hub).RunAsync(default);

        outcome.Deleted.Should().HaveCount(2, "the hub's own archive entry and the link a partner put beside it are both past the raw retention");
        File.Exists(link).Should().BeFalse();
        new FileInfo(link).LinkTarget.Should().BeNull("the link itself is removed, never what it points to");
    }

    [Fact]
    public async Task A_file_exactly_its_retention_old_is_kept_and_a_moment_older_is_deleted()
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{fixture.Labels.Label("jan.csv")}";
        var written = (await fixture.Store.GetAsync(archived, default))!.LastModified;
        fixture.Clock.Advance(written + TimeSpan.FromDays(30) - fixture.Clock.GetUtcNow());

        var atThirtyDays = await new EnforceRetention(fixture.Hub).RunAsync(default);
        fixture.Clock.Advance(TimeSpan.FromTicks(1));
        var justAfter = await new EnforceRetention(fixture.Hub).RunAsync(default);

        atThirtyDays.Deleted.Should().BeEmpty("30 days old is within the police agreement's 30 days of raw retention");
        justAfter.Deleted.Should().ContainSingle().Which.Path.Should().Be(archived);
    }

    [Fact]
    public async Task An_agreement_keeping_marts_longer_than_a_time_span_can_count_stops_no_other_deletion()
    {
        using var fixture = new HubFixture();
        await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var protocols = fixture.Hub.Protocols;
        var forever = new ProtocolSet(
            protocols.Partners.Select(p => p.Partner != "police" ? p : p with { Feeds = p.Feeds.ToDictionary(f => f.Key, f => f.Value with { MartRetentionDays = 20_000_000 }) }),
            protocols.Profiles.Values);
        var hub = fixture.Hub with { Protocols = forever };
        fixture.AdvanceToAge(TimeSpan.FromDays(40));

        var outcome = await new EnforceRetention(hub).RunAsync(default);

        outcome.Deleted.Should().ContainSingle().Which.Rule.Should().Be(EnforceRetention.RawRule, "the archive entry is past its 30 days; the marts are kept, as agreed");
        (await fixture.ListAsync("landing/_processed/")).Should().BeEmpty();
        (await fixture.ListAsync("secure/police-da-incidents/")).Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("landing/_processed/police/police-da-incidents/police-0011223344556677/file-0a1b2c3d.csv", true)]
    [InlineData("landing/_processed/police/police-da-incidents/police-0011223344556677/file-0a1b2c3d.csv.duplicate-20261122T101500123", true)]
    [InlineData("landing/_processed/police/police-da-incidents/police-0011223344556677/Smith.csv", false)]
    [InlineData("landing/_processed/police/police-da-incidents/smith-0011223344556677/file-0a1b2c3d.csv", false)]
    [InlineData("landing/_processed/jane-smith/police-da-incidents/jane-smith-0011223344556677/file-0a1b2c3d.csv", false)]
    [InlineData("landing/_processed/police/jane-smith/police-0011223344556677/file-0a1b2c3d.csv", false)]
    [InlineData("landing/_processed/Jane Smith.csv", false)]
    public void A_raw_archive_path_is_repeated_only_in_the_shape_the_hub_writes(string path, bool repeated)
    {
        using var hub = new HubFixture();

        var safe = hub.Labels.StoredPath(path, hub.Hub.Protocols);

        if (repeated)
        {
            safe.Should().Be(path);
        }
        else
        {
            safe.Should().Be("landing/_processed/~" + hub.Labels.Label(path["landing/_processed/".Length..]));
        }
    }

    [Fact]
    public async Task A_name_not_UTF8_in_the_raw_archive_is_warned_of_by_its_label_to_be_removed_by_hand()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Logging = logs };
        var folder = Directory.CreateDirectory(Path.Combine(fixture.Root, "landing", "_processed", "police", "police-da-incidents", "x")).FullName;
        var start = new System.Diagnostics.ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", "printf 'x' > \"$0/$(printf 'Ren\\351e.csv')\"", folder])
        {
            start.ArgumentList.Add(argument);
        }

        using (var shell = System.Diagnostics.Process.Start(start)!)
        {
            await shell.WaitForExitAsync();
        }

        fixture.AdvanceToAge(TimeSpan.FromDays(40));

        await new EnforceRetention(hub).RunAsync(default);

        logs.Warnings.Should().ContainSingle(w => w.Contains("remove it by hand", StringComparison.Ordinal)).Which.Should().Contain("landing/_processed/~file-").And.NotContain("Ren");
    }
}
