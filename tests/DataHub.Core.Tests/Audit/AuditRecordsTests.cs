using DataHub.Core.Audit;
using DataHub.Core.Marts;
using DataHub.Core.Receipts;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Audit;

/// <summary>`audit verify` holds the hub's durable records (batch manifests, receipts, published versions) against the log.</summary>
public sealed class AuditRecordsTests : IDisposable
{
    private const string Feed = "police-da-incidents";
    private static readonly string Sha = new('b', 64);
    private static readonly string BatchId = "police-" + Sha[..16];
    private readonly TempFolder _root = new("audit-records");
    private readonly ManualClock _clock = ManualClock.On(2026, 11, 22);

    public AuditRecordsTests() => LocalAuditKeyProvider.Create(_root.Path);

    public void Dispose() => _root.Dispose();

    private LocalAuditLog Log() => new(_root.Path, _clock);

    private LocalObjectStore Store() => new(_root.Path);

    private LocalReceiptStore Receipts() => new(_root.Path);

    private Task<AuditVerification> VerifyAsync(IReceiptStore? receipts = null)
    {
        var log = Log();
        return new AuditTrail(log, new LocalAuditKeyProvider(_root.Path), log.Anchors, Store(), receipts ?? Receipts(), _clock).VerifyAsync(default);
    }

    private Task<AuditVerification> VerifyNowAsync(IAuditLog? log = null)
    {
        var local = Log();
        return new AuditTrail(log ?? local, new LocalAuditKeyProvider(_root.Path), local.Anchors, Store(), Receipts(), _clock).VerifyAsync(default);
    }

    private async Task<string> PublishWithoutEventAsync()
    {
        await AppendAsync(AuditKinds.KeyCreated);
        const string Run = "20261122T000000Z-abcdef";
        await Store().WriteAsync($"published/kpi/v={Run}/manifest.json", (s, ct) => s.WriteAsync("{}"u8.ToArray(), ct).AsTask(), new WriteOptions(), default);
        await CurrentVersion.SwitchAsync(Store(), RollupQuarter.CurrentPointer, new CurrentVersion($"published/kpi/v={Run}", Run, Sha, _clock.GetUtcNow()), default);
        return Run;
    }

    private Task AppendAsync(string kind, string? path = null) =>
        Log().AppendAsync(new AuditEntry(kind, "police", Feed, "DSA-1", Sha, path ?? "landing/police/police-da-incidents/file-1.csv", BatchId), default);

    private async Task<(ReceiptKey Key, ClaimOwner Owner)> ReceivedAndClaimedAsync()
    {
        await AppendAsync(AuditKinds.Received);
        var key = new ReceiptKey("police", Feed, Sha);
        var owner = ClaimOwner.New();
        await Receipts().TryClaimAsync(key, new ClaimRequest("landing/police/police-da-incidents/file-1.csv", owner, _clock.GetUtcNow(), TimeSpan.FromMinutes(5)), default);
        return (key, owner);
    }

    private Task CommitManifestAsync()
    {
        var manifest = new MartManifest(BatchId, Feed, "police", Sha, _clock.GetUtcNow(), 0, 0, []);
        return Store().WriteAsync(manifest.Path, (s, ct) => s.WriteAsync(manifest.ToJson(), ct).AsTask(), new WriteOptions(), default);
    }

    [Theory]
    [InlineData(AuditKinds.Archived)]
    [InlineData(AuditKinds.Quarantined)]
    [InlineData(AuditKinds.Duplicate)]
    [InlineData(AuditKinds.InProgress)]
    [InlineData(AuditKinds.Failed)]
    [InlineData(AuditKinds.Superseded)]
    [InlineData(AuditKinds.Poisoned)]
    [InlineData(AuditKinds.Deleted)]
    [InlineData(AuditKinds.KpiPublished)]
    [InlineData(AuditKinds.KpiRefused)]
    [InlineData("governance_published")]
    [InlineData("governance_refused")]
    [InlineData(AuditKinds.KeyRotated)]
    [InlineData(AuditKinds.AuditRepaired)]
    public void Every_kind_that_can_end_a_command_is_anchored(string kind) =>
        AuditAnchoring.EndsStep(kind).Should().BeTrue();

    [Theory]
    [InlineData(AuditKinds.Received)]
    [InlineData(AuditKinds.ProtocolDecision)]
    [InlineData(AuditKinds.Validated)]
    [InlineData(AuditKinds.Pseudonymised)]
    [InlineData(AuditKinds.Written)]
    [InlineData(AuditKinds.Reported)]
    public void Steps_always_followed_by_another_event_of_their_command_are_not_anchored(string kind) =>
        AuditAnchoring.EndsStep(kind).Should().BeFalse();

    [Fact]
    public async Task A_batch_committed_by_an_open_attempt_is_a_note_until_its_receipt_completes_without_its_event()
    {
        // A crash between a batch's commit and its commit event leaves this state; the attempt that takes the claim over
        // redoes and records it. Once the receipt says stored, though, the commit event must be in the log.
        var (key, owner) = await ReceivedAndClaimedAsync();
        await CommitManifestAsync();

        var open = await VerifyAsync();
        open.Intact.Should().BeTrue(open.Message);
        open.Notes.Should().Contain(n => n.Contains($"batch {BatchId} ({Feed}) has no commit event yet", StringComparison.Ordinal));

        await Receipts().CompleteAsync(key, owner, ReceiptRules.Stored, BatchId, default);
        var completed = await VerifyAsync();
        completed.Intact.Should().BeFalse();
        completed.Message.Should().Contain($"batch {BatchId} ({Feed})").And.Contain($"the receipt of police/{Feed} content {Sha[..16]} (stored as batch {BatchId})");
    }

    [Fact]
    public async Task A_stored_batch_with_its_commit_event_verifies_clean()
    {
        var (key, owner) = await ReceivedAndClaimedAsync();
        await CommitManifestAsync();
        await AppendAsync(AuditKinds.Written, MartManifest.PathFor(Feed, BatchId));
        await Receipts().CompleteAsync(key, owner, ReceiptRules.Stored, BatchId, default);
        await AppendAsync(AuditKinds.Archived);

        var result = await VerifyAsync();
        result.Intact.Should().BeTrue(result.Message);
        result.Notes.Should().BeEmpty();
    }

    [Fact]
    public async Task A_published_version_without_its_publication_event_is_a_break_naming_the_version()
    {
        await AppendAsync(AuditKinds.KeyCreated);
        const string Run = "20261122T000000Z-abcdef";
        await Store().WriteAsync($"published/kpi/v={Run}/manifest.json", (s, ct) => s.WriteAsync("{}"u8.ToArray(), ct).AsTask(), new WriteOptions(), default);
        await CurrentVersion.SwitchAsync(Store(), RollupQuarter.CurrentPointer, new CurrentVersion($"published/kpi/v={Run}", Run, Sha, _clock.GetUtcNow()), default);
        _clock.Advance(TimeSpan.FromMinutes(10));

        var result = await VerifyAsync();
        result.Intact.Should().BeFalse();
        result.Message.Should().Contain($"KPI version {Run}");

        await Log().AppendAsync(new AuditEntry(AuditKinds.KpiPublished, Path: $"published/kpi/v={Run}/manifest.json"), default);
        (await VerifyAsync()).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task A_version_never_made_current_without_its_event_is_a_note_as_a_rollup_killed_before_its_switch_leaves_it()
    {
        await AppendAsync(AuditKinds.KeyCreated);
        const string Current = "20261122T000000Z-abcdef", Stopped = "20261122T010000Z-123456";
        foreach (var run in new[] { Current, Stopped })
        {
            await Store().WriteAsync($"published/kpi/v={run}/manifest.json", (s, ct) => s.WriteAsync("{}"u8.ToArray(), ct).AsTask(), new WriteOptions(), default);
        }

        await CurrentVersion.SwitchAsync(Store(), RollupQuarter.CurrentPointer, new CurrentVersion($"published/kpi/v={Current}", Current, Sha, _clock.GetUtcNow()), default);
        await Log().AppendAsync(new AuditEntry(AuditKinds.KpiPublished, Path: $"published/kpi/v={Current}/manifest.json"), default);

        var result = await VerifyAsync();

        result.Intact.Should().BeTrue(result.Message);
        result.Notes.Should().Contain(n => n.Contains($"KPI version {Stopped}", StringComparison.Ordinal) && n.Contains("never made current", StringComparison.Ordinal)
            && n.Contains("is never cleared, so this note stays as long as the folder does", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_claimed_and_committed_while_receipts_are_listed_is_not_a_break()
    {
        // The ingest claims after the receipt listing passed its key and commits before the log is read; its commit event
        // comes later. Listing manifests before receipts means such a batch is either unseen or seen with its receipt open.
        await AppendAsync(AuditKinds.KeyCreated);
        var receipts = new ListingThen(Receipts(), async () =>
        {
            await ReceivedAndClaimedAsync();
            await CommitManifestAsync();
        });

        var result = await VerifyAsync(receipts);

        result.Intact.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task A_batch_whose_receipt_the_listing_missed_is_a_note_while_its_receipt_is_open()
    {
        // Before a batch is called unaccounted its receipt is read again: open, the attempt that finishes it records it.
        await ReceivedAndClaimedAsync();
        await CommitManifestAsync();

        var result = await VerifyAsync(new ListingThen(Receipts(), () => Task.CompletedTask, listNothing: true));

        result.Intact.Should().BeTrue(result.Message);
        result.Notes.Should().Contain(n => n.Contains($"batch {BatchId} ({Feed}) has no commit event yet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_damaged_batch_manifest_is_a_break_naming_it_and_the_feeds_other_batches_are_still_checked()
    {
        await AppendAsync(AuditKinds.KeyCreated);
        await CommitManifestAsync();
        var damaged = $"secure/{Feed}/{MartManifest.Folder}/police-{new string('c', 16)}.json";
        await Store().WriteAsync(damaged, (s, ct) => s.WriteAsync("{not a manifest"u8.ToArray(), ct).AsTask(), new WriteOptions(), default);

        var result = await VerifyAsync();

        result.Intact.Should().BeFalse();
        result.Message.Should().Contain($"the batch manifest {damaged} cannot be read").And.Contain($"batch {BatchId} ({Feed})");
    }

    [Fact]
    public async Task A_manifests_folder_the_store_denies_is_a_storage_failure_with_what_to_grant_never_a_break_read_as_tampering()
    {
        await AppendAsync(AuditKinds.KeyCreated);
        await CommitManifestAsync();
        var log = Log();
        var denying = new DeniesListingOf(Store(), $"secure/{Feed}/{MartManifest.Folder}");
        var trail = new AuditTrail(log, new LocalAuditKeyProvider(_root.Path), log.Anchors, denying, Receipts(), _clock);

        var failed = (await trail.Invoking(t => t.VerifyAsync(default)).Should().ThrowAsync<DamagedManifestException>()).Which;

        failed.IsAccessDenied.Should().BeTrue();
        failed.Message.Should().Contain("grant the hub its role").And.NotContain("altered");
    }

    [Fact]
    public async Task An_unreadable_receipt_is_a_break_naming_its_key_and_verify_still_checks_the_rest()
    {
        await ReceivedAndClaimedAsync();
        var other = new string('d', 64);
        var path = Path.Combine(_root.Path, "receipts", "police", Feed, other + ".json");
        await File.WriteAllTextAsync(path, "{\"Key\": ");

        var result = await VerifyAsync();

        result.Intact.Should().BeFalse();
        result.Message.Should().Contain($"the receipt of police/{Feed} content {other[..16]} cannot be read").And.NotContain(other[..17]);
    }

    [Fact]
    public async Task A_batch_without_its_event_whose_receipt_is_damaged_is_a_break_not_an_abort()
    {
        // The receipt is re-read before the batch is called unaccounted: a damaged one must not stop the verification.
        await AppendAsync(AuditKinds.KeyCreated);
        await CommitManifestAsync();
        var path = Path.Combine(_root.Path, "receipts", "police", Feed, Sha + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "{\"Key\": ");

        var result = await VerifyAsync();

        result.Intact.Should().BeFalse();
        result.Message.Should().Contain($"batch {BatchId} ({Feed})").And.Contain($"the receipt of police/{Feed} content {Sha[..16]} cannot be read");
    }

    [Fact]
    public async Task A_batch_withdrawn_by_a_takeover_after_the_manifests_were_listed_is_not_a_break()
    {
        // An earlier attempt committed and died; the takeover quarantines the content, withdrawing the manifest (its deleted
        // event), and completes the receipt as quarantined, all between the manifest listing and the receipt listing.
        // An earlier file's archive is anchored first, as on any working hub (the anchors are read before the records).
        await Log().AppendAsync(new AuditEntry(AuditKinds.Archived, "police", Feed, "DSA-1", new string('e', 64), "landing/police/police-da-incidents/file-0.csv", "police-" + new string('e', 16)), default);
        var (key, _) = await ReceivedAndClaimedAsync();
        await CommitManifestAsync();
        var receipts = new ListingThen(Receipts(), meanwhileFirst: true, meanwhile: async () =>
        {
            var takeover = ClaimOwner.New();
            _clock.Advance(TimeSpan.FromMinutes(10));
            await Receipts().TryClaimAsync(key, new ClaimRequest("landing/police/police-da-incidents/file-1.csv", takeover, _clock.GetUtcNow(), TimeSpan.FromMinutes(5)), default);
            (await new MartCatalog(Store()).WithdrawAsync(Feed, BatchId, default)).Should().BeTrue();
            await AppendAsync(AuditKinds.Deleted, MartManifest.PathFor(Feed, BatchId));
            await AppendAsync(AuditKinds.Quarantined);
            await Receipts().CompleteAsync(key, takeover, ReceiptRules.Quarantined, BatchId, default);
        });

        var result = await VerifyAsync(receipts);

        result.Intact.Should().BeTrue(result.Message);
    }

    [Theory]
    [InlineData("police", "Jane-Doe-2011-03-02")]
    [InlineData("Jane Doe", "")]
    public async Task A_stray_receipt_named_like_a_person_is_a_break_that_does_not_repeat_its_name(string partner, string file)
    {
        // Anyone can leave a file in the receipt store; its folder or file name reaches the board's audit_chain row if repeated.
        await AppendAsync(AuditKinds.KeyCreated);
        var path = Path.Combine(_root.Path, "receipts", partner, Feed, (file.Length == 0 ? new string('d', 64) : file) + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "{\"Key\": ");

        var result = await VerifyAsync();

        result.Intact.Should().BeFalse();
        result.Message.Should().Contain(ReceiptNames.Stray).And.NotContain("Jane").And.NotContain("Doe");
    }

    [Fact]
    public async Task A_stray_batch_manifest_named_like_a_person_is_a_break_that_does_not_repeat_its_name()
    {
        await AppendAsync(AuditKinds.KeyCreated);
        var stray = $"secure/{Feed}/{MartManifest.Folder}/Jane-Doe-2011-03-02.json";
        await Store().WriteAsync(stray, (s, ct) => s.WriteAsync("{not a manifest"u8.ToArray(), ct).AsTask(), new WriteOptions(), default);

        var result = await VerifyAsync();

        result.Intact.Should().BeFalse();
        result.Message.Should().Contain("an object not named as the hub names manifests").And.NotContain("Jane").And.NotContain("Doe");
    }

    [Fact]
    public async Task A_stray_receipt_naming_a_batch_like_a_person_is_a_break_that_does_not_repeat_the_batch()
    {
        var (key, owner) = await ReceivedAndClaimedAsync();
        await Receipts().CompleteAsync(key, owner, ReceiptRules.Stored, "Jane-Doe-2011", default);

        var result = await VerifyAsync();

        result.Intact.Should().BeFalse();
        result.Message.Should().Contain("stored as a batch not named as the hub names batches").And.NotContain("Jane").And.NotContain("Doe");
    }

    [Fact]
    public async Task A_version_switched_inside_a_repaired_loss_is_a_note_though_its_run_started_before_the_loss()
    {
        // The loss window is judged by when the version was made current, not by when its run began reading.
        await AppendAsync(AuditKinds.KeyCreated);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await AppendAsync(AuditKinds.Received);
        _clock.Advance(TimeSpan.FromMinutes(5));
        const string Run = "20261121T230000Z-abcdef";
        await Store().WriteAsync($"published/kpi/v={Run}/manifest.json", (s, ct) => s.WriteAsync("{}"u8.ToArray(), ct).AsTask(), new WriteOptions(), default);
        await CurrentVersion.SwitchAsync(Store(), RollupQuarter.CurrentPointer, new CurrentVersion($"published/kpi/v={Run}", Run, Sha, _clock.GetUtcNow()), default);
        var bytes = await File.ReadAllBytesAsync(Log().LogPath);
        await File.WriteAllBytesAsync(Log().LogPath, bytes[..^40]);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await Log().RepairAsync((await VerifyAsync()).EndLoss!, default);

        var result = await VerifyAsync();

        result.Intact.Should().BeTrue(result.Message);
        result.Notes.Should().Contain(n => n.Contains($"KPI version {Run} has no event: it was made at the time of a loss", StringComparison.Ordinal));
    }

    /// <summary>Receipts whose listing runs <paramref name="meanwhile"/> (an ingest) once it has passed every receipt.</summary>
    /// <remarks>With <paramref name="meanwhileFirst"/>, it runs before the listing begins (after the manifests were listed).</remarks>
    private sealed class ListingThen(IReceiptStore inner, Func<Task> meanwhile, bool listNothing = false, bool meanwhileFirst = false) : IReceiptStore
    {
        public Task<ClaimResult> TryClaimAsync(ReceiptKey key, ClaimRequest request, CancellationToken cancellationToken) => inner.TryClaimAsync(key, request, cancellationToken);

        public Task<Receipt?> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt?> change, CancellationToken cancellationToken) => inner.UpdateAsync(key, change, cancellationToken);

        public Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public async IAsyncEnumerable<Receipt> ListAsync(Action<string> unreadable, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (meanwhileFirst)
            {
                await meanwhile();
            }

            await foreach (var receipt in inner.ListAsync(unreadable, cancellationToken))
            {
                if (!listNothing)
                {
                    yield return receipt;
                }
            }

            if (!meanwhileFirst)
            {
                await meanwhile();
            }
        }

        public Task RunFencedAsync(ReceiptKey key, ClaimOwner owner, DateTimeOffset now, Func<CancellationToken, Task> step, CancellationToken cancellationToken) =>
            inner.RunFencedAsync(key, owner, now, step, cancellationToken);
    }

    [Fact]
    public async Task A_version_switched_moments_ago_without_its_event_yet_is_a_note_and_a_break_once_time_has_passed()
    {
        // A rollup switches its pointer and then writes kpi_published: a verify in between must not report a break.
        var run = await PublishWithoutEventAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));

        var moments = await VerifyNowAsync();
        moments.Intact.Should().BeTrue(moments.Message);
        moments.Notes.Should().Contain(n => n.Contains($"KPI version {run}", StringComparison.Ordinal) && n.Contains("published moments ago", StringComparison.Ordinal));

        _clock.Advance(TimeSpan.FromMinutes(10));
        var later = await VerifyNowAsync();
        later.Intact.Should().BeFalse();
        later.Message.Should().Contain($"KPI version {run}");
    }

    [Fact]
    public async Task A_publication_event_written_while_the_log_was_read_is_found_by_reading_its_tail_again()
    {
        var run = await PublishWithoutEventAsync();
        var log = new WritingAfterFirstRead(Log(), () => Log().AppendAsync(new AuditEntry(AuditKinds.KpiPublished, Path: $"published/kpi/v={run}/manifest.json"), default));

        var result = await VerifyNowAsync(log);

        result.Intact.Should().BeTrue(result.Message);
        result.Notes.Should().NotContain(n => n.Contains($"KPI version {run}", StringComparison.Ordinal));
        result.EventsChecked.Should().Be(2);
    }

    [Fact]
    public async Task A_publication_event_on_the_re_read_that_does_not_chain_is_a_break_not_accepted()
    {
        // The tail read again is checked as the first reading was: an event there that does not chain is not the publication.
        var run = await PublishWithoutEventAsync();
        var log = new WritingAfterFirstRead(Log(), async () =>
        {
            var written = await Log().AppendAsync(new AuditEntry(AuditKinds.KpiPublished, Path: $"published/kpi/v={run}/manifest.json"), default);
            var lines = await File.ReadAllLinesAsync(Log().LogPath);
            lines[^1].Should().Contain(written.PreviousHash);
            lines[^1] = lines[^1].Replace(written.PreviousHash, new string('f', 64), StringComparison.Ordinal);
            await File.WriteAllLinesAsync(Log().LogPath, lines);
        });

        var result = await VerifyNowAsync(log);

        result.Intact.Should().BeFalse();
        result.BrokenAt.Should().Be(2);
        result.Message.Should().Contain("event 2 does not chain to the event before it");
    }

    /// <summary>A log that writes <paramref name="meanwhile"/> (a rollup's publication event) once its first reading ends.</summary>
    private sealed class WritingAfterFirstRead(IAuditLog inner, Func<Task> meanwhile) : IAuditLog
    {
        private bool _written;

        public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => inner.AppendAsync(entry, cancellationToken);

        public async IAsyncEnumerable<AuditEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var e in inner.ReadAsync(cancellationToken))
            {
                yield return e;
            }

            if (!_written)
            {
                _written = true;
                await meanwhile();
            }
        }

        public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }

    /// <summary>Denies the hub any listing under <paramref name="folder"/>, as a folder or container it holds no access to.</summary>
    private sealed class DeniesListingOf(IObjectStore inner, string folder) : DelegatingStore(inner)
    {
        public override IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) =>
            prefix.StartsWith(folder, StringComparison.Ordinal)
                ? throw new ObjectUnreachableException(prefix, UnreachableCause.AccessDenied, "grant the hub its role")
                : base.ListAsync(prefix, cancellationToken);
    }
}
