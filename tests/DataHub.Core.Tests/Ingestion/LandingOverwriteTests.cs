using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>
/// A partner overwriting a landed file (same name) before or while the hub ingests it: every version is either ingested
/// whole or recorded by a <c>superseded</c> audit event naming only its safe path, and no batch mixes two versions.
/// </summary>
public sealed class LandingOverwriteTests
{
    // A name as a partner might choose it: it must never reach the audit.
    private const string Path = "landing/police/police-da-incidents/Zoe Smith 1990-04-05.csv";

    private static string Row(int n) => $"INC{n},2018-03-31,victim,Zoë{n},Smith,1990-04-05,F,Y,N";

    private static byte[] Police(int first, int count) =>
        Encoding.UTF8.GetBytes(HubFixture.PoliceHeader + "\n" + string.Concat(Enumerable.Range(first, count).Select(i => Row(i) + "\n")));

    private static string Sha(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task A_version_replaced_before_the_hub_read_it_is_audited_as_superseded_by_its_safe_path()
    {
        using var fixture = new HubFixture();
        var first = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Police(1, 10), ct).AsTask(), WriteOptions.Default, default);
        var second = Police(100, 12);
        await RewriteInPlaceAsync(fixture, second);

        var outcome = await new IngestExtract(fixture.Hub).HandleAsync(Path, first.ETag, default);

        outcome.Status.Should().Be(IngestStatus.Ignored);
        outcome.Rule.Should().Be(IngestExtract.SupersededRule);
        (await fixture.ListAsync("secure/")).Should().BeEmpty();
        var audit = await fixture.AuditAsync();
        var superseded = audit.Should().ContainSingle(e => e.Entry.Kind == AuditKinds.Superseded).Subject.Entry;
        superseded.Rule.Should().Be(IngestExtract.SupersededRule);
        superseded.Path.Should().Be(fixture.Labels.LandingPath(Path, fixture.Hub.Protocols));
        (superseded.Partner, superseded.Feed).Should().Be(("police", "police-da-incidents"));
        superseded.FileSha256.Should().BeNull("the hub never read the replaced version");
        AuditText(audit).Should().NotContain("Zoe Smith").And.NotContain("1990-04-05");

        // The version now in landing is the partner's latest file: it is handled on its own and stored whole.
        var current = await fixture.Store.GetAsync(Path, default);
        var stored = await new IngestExtract(fixture.Hub).HandleAsync(Path, current!.ETag, default);
        stored.Status.Should().Be(IngestStatus.Stored);
        stored.Sha256.Should().Be(Sha(second));
        stored.RowsAccepted.Should().Be(12);
    }

    [Fact]
    public async Task A_file_rewritten_in_place_while_it_is_ingested_stores_nothing_of_that_attempt_and_the_new_version_is_then_stored_whole()
    {
        using var fixture = new HubFixture();
        var original = Police(1, 20_000);
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(original, ct).AsTask(), WriteOptions.Default, default);
        var replacement = Police(500_000, 30_000);
        var rewrite = new OnFirstProgress(() => RewriteInPlaceAsync(fixture, replacement).GetAwaiter().GetResult());

        var outcome = await new IngestExtract(fixture.Hub, rewrite).HandleAsync(Path, landed.ETag, default);

        rewrite.Done.Should().BeTrue("the partner rewrote the file while its rows were read");
        outcome.Status.Should().Be(IngestStatus.Ignored);
        outcome.Rule.Should().Be(IngestExtract.LandingChangedRule);
        (await fixture.ListAsync("secure/")).Should().BeEmpty("no batch may hold rows of two versions, or of a version its SHA-256 does not name");
        (await fixture.ListAsync("quarantine/")).Should().BeEmpty();
        (await fixture.ListAsync("landing/_processed/")).Should().BeEmpty();
        var audit = await fixture.AuditAsync();
        var superseded = audit.Should().ContainSingle(e => e.Entry.Kind == AuditKinds.Superseded).Subject.Entry;
        superseded.Rule.Should().Be(IngestExtract.LandingChangedRule);
        superseded.FileSha256.Should().Be(Sha(original), "the version that was lost is named by the hash the hub took of it");
        superseded.Path.Should().Be(fixture.Labels.LandingPath(Path, fixture.Hub.Protocols));
        audit.Should().NotContain(e => e.Entry.Kind == AuditKinds.Failed, "a partner's rewrite is not a failed attempt of the hub");
        var receipt = await fixture.Hub.Receipts.GetAsync(new ReceiptKey("police", "police-da-incidents", Sha(original)), default);
        receipt!.FailedAttempts.Should().Be(0);
        AuditText(audit).Should().NotContain("Zoe Smith");

        var current = await fixture.Store.GetAsync(Path, default);
        var stored = await new IngestExtract(fixture.Hub).HandleAsync(Path, current!.ETag, default);
        stored.Status.Should().Be(IngestStatus.Stored);
        stored.Sha256.Should().Be(Sha(replacement));
        stored.RowsAccepted.Should().Be(30_000);
        var archive = (await fixture.ListAsync("landing/_processed/")).Should().ContainSingle().Subject;
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(archive))).Should().Equal(replacement);
    }

    [Fact]
    public async Task A_file_appended_to_while_it_is_ingested_stores_nothing_of_that_attempt_and_the_grown_file_is_then_stored_whole()
    {
        using var fixture = new HubFixture();
        var original = Police(1, 20_000);
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(original, ct).AsTask(), WriteOptions.Default, default);
        var more = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(900_000, 5_000).Select(i => Row(i) + "\n")));
        var append = new OnFirstProgress(() =>
        {
            using var stream = new FileStream(fixture.Store.FullPath(Path), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            stream.Write(more);
        });

        var outcome = await new IngestExtract(fixture.Hub, append).HandleAsync(Path, landed.ETag, default);

        append.Done.Should().BeTrue();
        outcome.Rule.Should().Be(IngestExtract.LandingChangedRule);
        (await fixture.ListAsync("secure/")).Should().BeEmpty("the first 20,000 rows alone are not what the partner sent");
        (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.Superseded);

        var current = await fixture.Store.GetAsync(Path, default);
        var stored = await new IngestExtract(fixture.Hub).HandleAsync(Path, current!.ETag, default);
        stored.Status.Should().Be(IngestStatus.Stored);
        stored.RowsAccepted.Should().Be(25_000, "the grown file is stored once, whole");
        stored.Sha256.Should().Be(Sha([.. original, .. more]));
    }

    [Fact]
    public async Task A_file_replaced_by_rename_while_it_is_ingested_is_stored_as_the_version_claimed_and_the_new_one_on_its_own()
    {
        using var fixture = new HubFixture();
        var original = Police(1, 20_000);
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(original, ct).AsTask(), WriteOptions.Default, default);
        var replacement = Police(500_000, 10);
        var replace = new OnFirstProgress(() => fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(replacement, ct).AsTask(), WriteOptions.Default, default).GetAwaiter().GetResult());

        var outcome = await new IngestExtract(fixture.Hub, replace).HandleAsync(Path, landed.ETag, default);

        replace.Done.Should().BeTrue();
        outcome.Status.Should().Be(IngestStatus.Stored, "the handle the hub hashed still reads the version it claimed");
        outcome.Sha256.Should().Be(Sha(original));
        outcome.RowsAccepted.Should().Be(20_000);
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(Path))).Should().Equal(replacement, "the new version stays in landing for its own turn");
    }

    // A folder no agreement names: ingest refuses the file in it as misplaced and moves it to quarantine/_unrouted.
    private const string Misplaced = "landing/police/not-a-feed/Zoe Smith 1990-04-05.csv";

    [Fact]
    public async Task A_misplaced_file_replaced_before_it_is_moved_is_audited_as_superseded_and_the_new_version_moved_on_its_own()
    {
        using var fixture = new HubFixture();
        var first = await fixture.Store.WriteAsync(Misplaced, (s, ct) => s.WriteAsync(Police(1, 10), ct).AsTask(), WriteOptions.Default, default);
        var second = Police(100, 12);
        var replacing = new ReplacedAt(fixture.Store, Misplaced, second, onGet: true);

        var outcome = await new IngestExtract(fixture.Hub with { Store = replacing }).HandleAsync(Misplaced, first.ETag, default);

        replacing.Done.Should().BeTrue("the partner replaced the file after the hub found it and before it moved it");
        outcome.Status.Should().Be(IngestStatus.Ignored, outcome.Message);
        outcome.Rule.Should().Be(IngestExtract.SupersededRule);
        (await fixture.ListAsync("quarantine/_unrouted/")).Should().BeEmpty("the version the hub found is gone; the new one is not moved under its audit event");
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(Misplaced))).Should().Equal(second);
        var audit = await fixture.AuditAsync();
        audit.Should().NotContain(e => e.Entry.Kind == AuditKinds.PathRefused, "nothing was moved");
        var superseded = audit.Should().ContainSingle(e => e.Entry.Kind == AuditKinds.Superseded).Subject.Entry;
        superseded.Path.Should().Be(fixture.Labels.LandingPath(Misplaced, fixture.Hub.Protocols));
        AuditText(audit).Should().NotContain("Zoe Smith").And.NotContain("1990-04-05");

        var current = await fixture.Store.GetAsync(Misplaced, default);
        var moved = await new IngestExtract(fixture.Hub).HandleAsync(Misplaced, current!.ETag, default);
        moved.Status.Should().Be(IngestStatus.Quarantined);
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(moved.QuarantinePath!))).Should().Equal(second);
        (await fixture.ListAsync("landing/")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_misplaced_file_replaced_while_it_is_moved_keeps_the_version_read_in_quarantine_and_the_audit_says_the_new_one_stays()
    {
        using var fixture = new HubFixture();
        var original = Police(1, 10);
        var first = await fixture.Store.WriteAsync(Misplaced, (s, ct) => s.WriteAsync(original, ct).AsTask(), WriteOptions.Default, default);
        var second = Police(100, 12);
        var replacing = new ReplacedAt(fixture.Store, Misplaced, second, onGet: false);

        var outcome = await new IngestExtract(fixture.Hub with { Store = replacing }).HandleAsync(Misplaced, first.ETag, default);

        replacing.Done.Should().BeTrue("the partner replaced the file after the hub copied it and before it removed it");
        outcome.Status.Should().Be(IngestStatus.Quarantined, outcome.Message);
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(outcome.QuarantinePath!))).Should().Equal(original, "what is kept is the version the hub found");
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(Misplaced))).Should().Equal(second, "the new version is not removed unread");
        var moved = (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused).Subject.Entry;
        moved.Path.Should().Be(outcome.QuarantinePath);
        moved.Detail.Should().Contain("replaced in landing").And.Contain("handled on its own");
        outcome.Message.Should().Contain("replaced in landing");
    }

    [Fact]
    public async Task A_misplaced_file_replaced_before_the_hub_looks_it_up_is_audited_superseded_and_the_new_version_is_moved_once_by_its_own_event()
    {
        using var fixture = new HubFixture();
        var first = await fixture.Store.WriteAsync(Misplaced, (s, ct) => s.WriteAsync(Police(1, 10), ct).AsTask(), WriteOptions.Default, default);
        var second = Police(100, 12);
        var latest = await fixture.Store.WriteAsync(Misplaced, (s, ct) => s.WriteAsync(second, ct).AsTask(), WriteOptions.Default, default);
        latest.ETag.Should().NotBe(first.ETag);

        var told = await new IngestExtract(fixture.Hub).HandleAsync(Misplaced, first.ETag, default);

        told.Status.Should().Be(IngestStatus.Ignored, told.Message);
        told.Rule.Should().Be(IngestExtract.SupersededRule);
        (await fixture.ListAsync("quarantine/")).Should().BeEmpty("the version the hub was told of is gone; the new one is not moved under its handling");
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(Misplaced))).Should().Equal(second);

        var moved = await new IngestExtract(fixture.Hub).HandleAsync(Misplaced, latest.ETag, default);
        moved.Status.Should().Be(IngestStatus.Quarantined, moved.Message);
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(moved.QuarantinePath!))).Should().Equal(second);

        // The first version's event delivered again (a sweep, a queue's second delivery): the path is empty, handled already.
        var again = await new IngestExtract(fixture.Hub).HandleAsync(Misplaced, first.ETag, default);
        again.Status.Should().Be(IngestStatus.Ignored, again.Message);
        (await fixture.ListAsync("quarantine/_refused/")).Should().BeEmpty("a file the hub moved already is not refused as a delivery of its own");
        var audit = await fixture.AuditAsync();
        audit.Select(e => e.Entry.Kind).Should().Equal([AuditKinds.Superseded, AuditKinds.PathRefused], "one event for each version: the first superseded, the second moved");
        AuditText(audit).Should().NotContain("Zoe Smith").And.NotContain("1990-04-05");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_misplaced_file_another_handler_moves_first_is_left_to_its_event_and_recorded_once(bool changedForMissing)
    {
        using var fixture = new HubFixture();
        var landed = await fixture.Store.WriteAsync(Misplaced, (s, ct) => s.WriteAsync(Police(1, 10), ct).AsTask(), WriteOptions.Default, default);
        var racing = new MovedByAnotherHandler(fixture.Hub, Misplaced, changedForMissing);

        var outcome = await new IngestExtract(fixture.Hub with { Store = racing }).HandleAsync(Misplaced, landed.ETag, default);

        racing.Moved.Should().NotBeNull("the other handler moved the file after this one found it");
        outcome.Status.Should().Be(IngestStatus.Ignored, outcome.Message);
        outcome.Rule.Should().BeNull("the file was handled, not replaced");
        (await fixture.ListAsync("quarantine/_unrouted/")).Should().BeEquivalentTo([racing.Moved!.QuarantinePath!, racing.Moved.ReportPath!.Replace(".json", ".csv", StringComparison.Ordinal), racing.Moved.ReportPath!], "one copy: the other handler's");
        var audit = await fixture.AuditAsync();
        audit.Should().ContainSingle("one file, one delivery: the other handler's move").Which.Entry.Kind.Should().Be(AuditKinds.PathRefused);
    }

    [Fact]
    public async Task A_misplaced_file_gone_from_landing_before_the_hub_removes_it_keeps_its_copy_and_the_event_says_another_handler_moved_it()
    {
        using var fixture = new HubFixture();
        var landed = await fixture.Store.WriteAsync(Misplaced, (s, ct) => s.WriteAsync(Police(1, 10), ct).AsTask(), WriteOptions.Default, default);
        var gone = new GoneBeforeRemoval(fixture.Store, Misplaced);

        var outcome = await new IngestExtract(fixture.Hub with { Store = gone }).HandleAsync(Misplaced, landed.ETag, default);

        outcome.Status.Should().Be(IngestStatus.Quarantined, outcome.Message);
        (await fixture.Store.GetAsync(outcome.QuarantinePath!, default)).Should().NotBeNull("the copy of the version found is kept");
        var moved = (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused).Subject.Entry;
        moved.Detail.Should().Contain("removed from landing meanwhile by another of the hub's handlers").And.NotContain("replaced", "nothing replaced it");
    }

    [Fact]
    public async Task A_misplaced_file_the_store_will_not_remove_from_landing_is_audited_with_its_copy_and_moved_later_to_that_same_copy()
    {
        using var fixture = new HubFixture();
        var content = Police(1, 10);
        var landed = await fixture.Store.WriteAsync(Misplaced, (s, ct) => s.WriteAsync(content, ct).AsTask(), WriteOptions.Default, default);

        var first = await new IngestExtract(fixture.Hub with { Store = new RemovalRefused(fixture.Store, Misplaced) }).HandleAsync(Misplaced, landed.ETag, default);

        first.Status.Should().Be(IngestStatus.Failed, "the file is still in landing, to be tried again");
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(Misplaced))).Should().Equal(content);
        var failed = (await fixture.AuditAsync()).Should().ContainSingle().Subject.Entry;
        failed.Kind.Should().Be(AuditKinds.Failed);
        failed.Rule.Should().Be(IngestExtract.UnroutedNotRemovedRule);
        failed.Detail.Should().Contain($"copied to {first.QuarantinePath}").And.Contain("could not be removed from landing").And.Contain("UnauthorizedAccessException");

        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var again = await new IngestExtract(fixture.Hub).HandleAsync(Misplaced, landed.ETag, default);

        again.Status.Should().Be(IngestStatus.Quarantined, again.Message);
        again.QuarantinePath.Should().Be(first.QuarantinePath, "the copy is named by the version, so the later attempt overwrites it");
        (await fixture.ListAsync("quarantine/_unrouted/")).Where(p => !p.Contains(".report.", StringComparison.Ordinal)).Should().ContainSingle("copies of one version never pile up");
        (await fixture.ListAsync("landing/")).Should().BeEmpty();
        var audit = await fixture.AuditAsync();
        audit.Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused).Which.Entry.Path.Should().Be(again.QuarantinePath);
        AuditText(audit).Should().NotContain("Zoe Smith").And.NotContain("1990-04-05");
    }

    /// <summary>A store over which the partner writes a new version to one landing path, once: as the hub finds it (its properties read) or just before the hub removes it.</summary>
    private sealed class ReplacedAt(IObjectStore store, string path, byte[] content, bool onGet) : DelegatingStore(store)
    {
        private readonly IObjectStore _partner = store;

        public bool Done { get; private set; }

        public override async Task<StoredObject?> GetAsync(string asked, CancellationToken cancellationToken)
        {
            var found = await base.GetAsync(asked, cancellationToken);
            if (onGet && asked == path && found is not null)
            {
                await ReplaceAsync();
            }

            return found;
        }

        public override async Task<bool> DeleteAsync(string asked, string? ifMatchETag, CancellationToken cancellationToken)
        {
            if (!onGet && asked == path)
            {
                await ReplaceAsync();
            }

            return await base.DeleteAsync(asked, ifMatchETag, cancellationToken);
        }

        private async Task ReplaceAsync()
        {
            if (!Done)
            {
                Done = true;
                await _partner.WriteAsync(path, (s, ct) => s.WriteAsync(content, ct).AsTask(), WriteOptions.Default, default);
            }
        }
    }

    /// <summary>
    /// A store on which another of the hub's handlers moves one landing path's file to quarantine just after this one finds
    /// it; with <paramref name="changedForMissing"/> a pinned read of the missing file fails as Azure's does (a 404 under a
    /// condition is reported as a changed object), else as not found.
    /// </summary>
    private sealed class MovedByAnotherHandler(HubContext hub, string path, bool changedForMissing) : DelegatingStore(hub.Store)
    {
        public IngestOutcome? Moved { get; private set; }

        public override async Task<StoredObject?> GetAsync(string asked, CancellationToken cancellationToken)
        {
            var found = await base.GetAsync(asked, cancellationToken);
            if (asked == path && found is not null && Moved is null)
            {
                Moved = await new IngestExtract(hub).HandleAsync(path, found.ETag, cancellationToken);
            }

            return found;
        }

        public override async Task<Stream> OpenReadAsync(string asked, string? ifMatchETag, CancellationToken cancellationToken)
        {
            if (changedForMissing && asked == path && ifMatchETag is not null && await base.GetAsync(asked, cancellationToken) is null)
            {
                throw new ObjectChangedException(asked);
            }

            return await base.OpenReadAsync(asked, ifMatchETag, cancellationToken);
        }
    }

    /// <summary>A store on which one landing path's file is removed (by another of the hub's handlers) just before the hub removes it.</summary>
    private sealed class GoneBeforeRemoval(IObjectStore store, string path) : DelegatingStore(store)
    {
        public override async Task<bool> DeleteAsync(string asked, string? ifMatchETag, CancellationToken cancellationToken)
        {
            if (asked == path)
            {
                await base.DeleteAsync(asked, null, cancellationToken);
            }

            return await base.DeleteAsync(asked, ifMatchETag, cancellationToken);
        }
    }

    /// <summary>A store that refuses to remove one landing path's file (a permission fault), as a store can.</summary>
    private sealed class RemovalRefused(IObjectStore store, string path) : DelegatingStore(store)
    {
        public override Task<bool> DeleteAsync(string asked, string? ifMatchETag, CancellationToken cancellationToken) =>
            asked == path ? throw new UnauthorizedAccessException("Access to the path is denied.") : base.DeleteAsync(asked, ifMatchETag, cancellationToken);
    }

    // Truncates and rewrites the same file (same inode), as `cp` over an existing file or an editor saving in place does.
    private static async Task RewriteInPlaceAsync(HubFixture fixture, byte[] content)
    {
        var full = fixture.Store.FullPath(Path);
        var before = File.GetLastWriteTimeUtc(full);
        await using (var stream = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            await stream.WriteAsync(content);
        }

        // A file system with coarse timestamps could give the rewrite the time of the original write: make it later.
        if (File.GetLastWriteTimeUtc(full) <= before)
        {
            File.SetLastWriteTimeUtc(full, before.AddSeconds(1));
        }
    }

    private static string AuditText(IEnumerable<AuditEvent> events) =>
        string.Join("\n", events.Select(e => System.Text.Json.JsonSerializer.Serialize(e.Entry)));
}
