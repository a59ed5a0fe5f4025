using System.Collections.Concurrent;
using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>
/// The raw archive's copy of a stored file is written while its batch commits and made visible only after the receipt, where
/// archiving always was: a way out before the receipt leaves nothing of it, and a copy that failed fails as archiving did.
/// </summary>
public sealed class ArchiveCopyTests
{
    private const string Landed = ClaimRecoveryTests.Path;

    private const string Archive = $"{LandingPath.Container}/{LandingPath.ProcessedFolder}/";

    private static readonly byte[] Content = Encoding.UTF8.GetBytes(ClaimRecoveryTests.Content);

    // How long a step waits for the archive's copy before taking it that the copy is not made before that step.
    private static readonly TimeSpan CopyWait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_archive_copy_is_written_while_the_batch_commits_and_made_visible_only_after_the_receipt_is_complete()
    {
        using var fixture = new HubFixture();
        var steps = new ConcurrentQueue<string>();
        var archive = new ArchiveWatch(fixture.Store, Content.Length, steps);
        IReadOnlyList<string>? archivedAtReceipt = null;
        string[]? filesAtReceipt = null;
        var receipts = new BeforeCompletion(fixture.Hub.Receipts, async () =>
        {
            await archive.CopiedWithinAsync(CopyWait);
            archivedAtReceipt = await fixture.ListAsync(Archive);
            filesAtReceipt = FilesUnder(fixture, Archive);
            steps.Enqueue("receipt");
        });

        var outcome = await IngestAsync(fixture, archive, receipts);

        outcome.Status.Should().Be(IngestStatus.Stored, outcome.Message);
        steps.Should().Equal(["copied", "receipt", "committed"], "the copy is written before the receipt and committed after it");
        archivedAtReceipt.Should().BeEmpty("nothing of the copy is visible before the receipt is complete");
        filesAtReceipt.Should().ContainSingle("the copy waits in one temporary file").Which.Should().Contain("/.tmp-");
        var archived = (await fixture.ListAsync(Archive)).Should().ContainSingle().Subject;
        (await File.ReadAllBytesAsync(fixture.Store.FullPath(archived))).Should().Equal(Content);
        FilesUnder(fixture, Archive).Should().ContainSingle("the temporary file became the archived copy");
        (await fixture.ListAsync("landing/police/")).Should().BeEmpty();
        var events = await fixture.AuditAsync();
        events.Single(e => e.Entry.Kind == AuditKinds.Archived).Entry.Path.Should().Be(archived);
    }

    [Fact]
    public async Task A_file_quarantined_after_its_rows_were_read_abandons_the_archive_copy_written_beside_them_before_its_own_copy()
    {
        using var fixture = new HubFixture();
        var rejected = Encoding.UTF8.GetBytes(HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-13-05,F,Y,N\nINC2,2018-07-01,victim,Ann,Jones,1991-13-06,F,N,N\n");
        var landed = await fixture.Store.WriteAsync(Landed, (s, ct) => s.WriteAsync(rejected, ct).AsTask(), WriteOptions.Default, default);
        var archive = new ArchiveWatch(fixture.Store, rejected.Length);
        string[]? archiveFilesAtQuarantine = null;
        var quarantine = new BeforeQuarantine(archive, () =>
        {
            archiveFilesAtQuarantine ??= FilesUnder(fixture, Archive);
            return Task.CompletedTask;
        });

        // The rows are judged (their validated event) only once the copy beside them has been written whole.
        var audit = new BeforeAudit(fixture.Hub.Audit, AuditKinds.Validated, () => archive.CopiedWithinAsync(CopyWait));
        var outcome = await new IngestExtract(fixture.Hub with { Store = quarantine, Audit = audit }).HandleAsync(Landed, landed.ETag, default);

        outcome.Status.Should().Be(IngestStatus.Quarantined, outcome.Message);
        outcome.Rule.Should().Be("rows.above_tolerance");
        archive.Copied.Should().BeTrue("the copy is written beside the rows, before the file is judged");
        archiveFilesAtQuarantine.Should().BeEmpty("the copy is abandoned before the file's own copy into quarantine is made");
        (await fixture.ListAsync(Archive)).Should().BeEmpty();
        FilesUnder(fixture, Archive).Should().BeEmpty("the abandoned copy's temporary file is deleted before the ingest returns");
        var feed = System.IO.Path.Combine(fixture.Root, Archive, "police", "police-da-incidents");
        (Directory.Exists(feed) ? Directory.GetDirectories(feed) : []).Should().BeEmpty("no folder is left named after a batch never stored");
        (await fixture.AuditAsync()).Should().NotContain(e => e.Entry.Kind == AuditKinds.Archived);
    }

    [Fact]
    public async Task A_file_refused_at_its_header_starts_no_archive_copy()
    {
        using var fixture = new HubFixture();
        var outside = Encoding.UTF8.GetBytes(HubFixture.PoliceHeader + ",nhs_number\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N,9434765919\n");
        var landed = await fixture.Store.WriteAsync(Landed, (s, ct) => s.WriteAsync(outside, ct).AsTask(), WriteOptions.Default, default);
        var archive = new ArchiveWatch(fixture.Store, outside.Length);

        var outcome = await new IngestExtract(fixture.Hub with { Store = archive }).HandleAsync(Landed, landed.ETag, default);

        outcome.Status.Should().Be(IngestStatus.Quarantined, outcome.Message);
        outcome.Rule.Should().Be(DataHub.Core.Protocols.ProtocolRules.FieldOutsideAgreement);
        archive.Begun.Should().Be(0, "a file refused at its header is quarantined without a raw archive's copy begun beside it");
        Directory.Exists(System.IO.Path.Combine(fixture.Root, Archive)).Should().BeFalse();
    }

    [Fact]
    public async Task A_commit_that_fails_after_the_archive_copy_was_written_leaves_no_archive_object_and_no_temporary_file()
    {
        using var fixture = new HubFixture();
        var archive = new ArchiveWatch(fixture.Store, Content.Length);
        var manifestRefused = new ManifestCommitFails(archive, archive.CopiedWithinAsync);

        var outcome = await IngestAsync(fixture, manifestRefused, fixture.Hub.Receipts);

        outcome.Status.Should().Be(IngestStatus.Failed);
        archive.Copied.Should().BeTrue("the copy was written while the batch committed, before the commit failed");
        await NothingArchivedAsync(fixture);
        (await new MartCatalog(fixture.Store).CommittedAsync("police-da-incidents", default)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_claim_lost_at_the_receipt_after_the_archive_copy_was_written_leaves_no_archive_object_and_no_temporary_file()
    {
        using var fixture = new HubFixture();
        var archive = new ArchiveWatch(fixture.Store, Content.Length);
        var receipts = new BeforeCompletion(fixture.Hub.Receipts, async () =>
        {
            await archive.CopiedWithinAsync(CopyWait);
            throw new ClaimLostException();
        });

        var outcome = await IngestAsync(fixture, archive, receipts);

        outcome.Status.Should().Be(IngestStatus.InProgress);
        outcome.Rule.Should().Be(IngestExtract.TakenOverRule);
        archive.Copied.Should().BeTrue("the copy was written before the receipt");
        await NothingArchivedAsync(fixture);
        (await new MartCatalog(fixture.Store).CommittedAsync("police-da-incidents", default)).Should().BeEmpty("the late commit is withdrawn");
    }

    [Theory]
    [InlineData(false, "The batch is stored; archiving the landing copy failed (IOException) and is done when it is seen again.")]
    [InlineData(true, "The batch is stored; the landing copy was replaced or changed before it could be archived, so the raw archive does not hold this version.")]
    public async Task An_archive_copy_that_fails_while_the_batch_commits_is_audited_as_an_archive_failure_after_the_receipt_and_the_batch_stays_stored(bool landingChanged, string detail)
    {
        using var fixture = new HubFixture();
        var steps = new ConcurrentQueue<string>();
        var archive = new ArchiveWatch(fixture.Store, Content.Length, steps, landingChanged ? () => new ObjectChangedException(Landed) : () => new IOException("No space left on device."));
        var receipts = new BeforeCompletion(fixture.Hub.Receipts, async () =>
        {
            await archive.CopiedWithinAsync(CopyWait);
            steps.Enqueue("receipt");
        });

        var logs = new LoggedLines();
        var outcome = await IngestAsync(fixture, archive, receipts, logs: logs);

        outcome.Status.Should().Be(IngestStatus.Stored, "the rows are stored whatever became of the copy");
        logs.Warnings.Should().NotContain(w => w.Contains("raw archive's", StringComparison.Ordinal), "the failure is audited where it was taken, not told again as an abandoned copy's");
        steps.Should().Equal(["failed", "receipt"], "the copy failed while the batch committed, and the receipt was completed all the same");
        (await fixture.Hub.Receipts.GetAsync(new ReceiptKey("police", "police-da-incidents", outcome.Sha256!), default))!.State.Should().Be(ReceiptState.Completed);
        (await new MartCatalog(fixture.Store).CommittedAsync("police-da-incidents", default)).Should().ContainSingle();
        var events = (await fixture.AuditAsync()).Select(e => e.Entry).ToList();
        var failed = events.Should().ContainSingle(e => e.Kind == AuditKinds.Failed).Subject;
        failed.Rule.Should().Be(IngestExtract.ArchiveFailedRule);
        failed.Detail.Should().Be(detail);
        events[^1].Should().BeSameAs(failed, "the failure is recorded where archiving is, after the receipt is complete");
        events.Should().NotContain(e => e.Kind == AuditKinds.Archived);
        (await fixture.ListAsync("landing/police/")).Should().Equal([Landed], "the landing copy stays, archived when it is seen again");
        FilesUnder(fixture, Archive).Should().BeEmpty();
    }

    [Fact]
    public async Task A_claim_lost_whose_abandoned_archive_copy_cannot_be_removed_is_still_a_takeover()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var removal = new ArchiveDisposeFails(fixture.Store);
        var archive = new ArchiveWatch(removal, Content.Length);
        var receipts = new BeforeCompletion(fixture.Hub.Receipts, async () =>
        {
            await archive.CopiedWithinAsync(CopyWait);
            throw new ClaimLostException();
        });

        var outcome = await new IngestExtract(fixture.Hub with { Store = archive, Receipts = receipts, Logging = logs }).HandleAsync(Landed, (await LandAsync(fixture)).ETag, default);

        removal.Disposed.Should().BeTrue("the abandoned copy's write was disposed, and its removal failed");
        logs.Warnings.Should().ContainSingle(w => w.Contains("the raw archive's unfinished copy could not be removed (UnauthorizedAccessException)", StringComparison.Ordinal))
            .Which.Should().NotContain(Path.GetFileName(Landed), "the file is named by its label");
        outcome.Status.Should().Be(IngestStatus.InProgress, "the takeover stays the error the attempt ends with");
        outcome.Rule.Should().Be(IngestExtract.TakenOverRule);
        (await fixture.ListAsync(Archive)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_commit_that_fails_while_the_archive_copy_is_still_being_written_cancels_the_copy_and_leaves_nothing_of_it()
    {
        using var fixture = new HubFixture();
        var archive = new ArchiveBlocks(fixture.Store);
        var manifestRefused = new ManifestCommitFails(archive, archive.BlockedWithinAsync);

        var outcome = await IngestAsync(fixture, manifestRefused, fixture.Hub.Receipts).WaitAsync(CopyWait * 3);

        outcome.Status.Should().Be(IngestStatus.Failed);
        archive.Cancelled.Should().BeTrue("the ingest stops the copy it gives up");
        await NothingArchivedAsync(fixture);
    }

    [Fact]
    public async Task A_host_cancelled_while_the_archive_copy_is_still_being_written_cancels_the_copy_and_leaves_nothing_of_it()
    {
        using var fixture = new HubFixture();
        using var host = new CancellationTokenSource();
        var archive = new ArchiveBlocks(fixture.Store);
        var cancelled = new ManifestCommitFails(archive, async wait =>
        {
            await archive.BlockedWithinAsync(wait);
            await host.CancelAsync();
            host.Token.ThrowIfCancellationRequested();
        });

        var ingest = () => IngestAsync(fixture, cancelled, fixture.Hub.Receipts, host.Token).WaitAsync(CopyWait * 3);

        await ingest.Should().ThrowAsync<OperationCanceledException>();
        archive.Cancelled.Should().BeTrue("the ingest stops the copy it gives up");
        (await fixture.ListAsync(Archive)).Should().BeEmpty();
        FilesUnder(fixture, Archive).Should().BeEmpty("the abandoned copy's temporary file is deleted before the ingest returns");
    }

    private static async Task<IngestOutcome> IngestAsync(HubFixture fixture, IObjectStore store, IReceiptStore receipts, CancellationToken cancellationToken = default, LoggedLines? logs = null)
    {
        var landed = await LandAsync(fixture);
        var hub = fixture.Hub with { Store = store, Receipts = receipts };
        return await new IngestExtract(logs is null ? hub : hub with { Logging = logs }).HandleAsync(Landed, landed.ETag, cancellationToken);
    }

    private static Task<StoredObject> LandAsync(HubFixture fixture) =>
        fixture.Store.WriteAsync(Landed, (s, ct) => s.WriteAsync(Content, ct).AsTask(), WriteOptions.Default, default);

    private static async Task NothingArchivedAsync(HubFixture fixture)
    {
        (await fixture.ListAsync(Archive)).Should().BeEmpty();
        FilesUnder(fixture, Archive).Should().BeEmpty("the abandoned copy's temporary file is deleted before the ingest returns");
        (await fixture.ListAsync("landing/police/")).Should().Equal([Landed], "the file stays in landing for the next attempt");
        (await fixture.AuditAsync()).Should().NotContain(e => e.Entry.Kind == AuditKinds.Archived);
    }

    // Every file under a folder of the root, temporary ones included (a listing of the store leaves those out).
    private static string[] FilesUnder(HubFixture fixture, string folder)
    {
        var full = System.IO.Path.Combine(fixture.Root, folder);
        return Directory.Exists(full) ? Directory.GetFiles(full, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>
    /// Watches the archive's copy (the write under landing/_processed/): tells when it has been written and when it is
    /// committed, in <paramref name="steps"/>; with <paramref name="failure"/>, fails it instead as its last bytes are written.
    /// </summary>
    private sealed class ArchiveWatch(IObjectStore inner, long length, ConcurrentQueue<string>? steps = null, Func<Exception>? failure = null) : DelegatingStore(inner)
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private int _begun;

        /// <summary>True once the copy has been written whole (or has failed, when told to).</summary>
        public bool Copied => _ended.Task.IsCompleted;

        /// <summary>How many archive writes were begun.</summary>
        public int Begun => Volatile.Read(ref _begun);

        /// <summary>Waits up to <paramref name="wait"/> for the copy to be written (or fail); a copy not begun by then is taken to come later.</summary>
        public Task CopiedWithinAsync(TimeSpan wait) => Task.WhenAny(_ended.Task, Task.Delay(wait));

        public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            var write = await base.BeginWriteAsync(path, options, cancellationToken);
            if (!path.StartsWith(Archive, StringComparison.Ordinal))
            {
                return write;
            }

            Interlocked.Increment(ref _begun);
            var content = new PassThroughStream(write.Content, length - 1, () =>
            {
                steps?.Enqueue(failure is null ? "copied" : "failed");
                _ended.TrySetResult();
                if (failure is not null)
                {
                    throw failure();
                }
            });
            return new WrappedWrite(write, content, commit =>
            {
                steps?.Enqueue("committed");
                return commit();
            });
        }
    }

    /// <summary>Runs <paramref name="before"/> before each event of <paramref name="kind"/> is recorded.</summary>
    private sealed class BeforeAudit(IAuditLog inner, string kind, Func<Task> before) : IAuditLog
    {
        public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (entry.Kind == kind)
            {
                await before();
            }

            return await inner.AppendAsync(entry, cancellationToken);
        }

        public Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }

    /// <summary>Runs <paramref name="before"/> before anything is written to quarantine.</summary>
    private sealed class BeforeQuarantine(IObjectStore inner, Func<Task> before) : DelegatingStore(inner)
    {
        public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            if (path.StartsWith("quarantine/", StringComparison.Ordinal))
            {
                await before();
            }

            return await base.BeginWriteAsync(path, options, cancellationToken);
        }
    }

    /// <summary>The archive's copy blocks at its first bytes until it is cancelled; tells when it has blocked and whether it was cancelled.</summary>
    private sealed class ArchiveBlocks(IObjectStore inner) : DelegatingStore(inner)
    {
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True once the copy's write was cancelled.</summary>
        public bool Cancelled { get; private set; }

        /// <summary>Waits up to <paramref name="wait"/> for the copy to block.</summary>
        public Task BlockedWithinAsync(TimeSpan wait) => Task.WhenAny(_blocked.Task, Task.Delay(wait));

        public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            var write = await base.BeginWriteAsync(path, options, cancellationToken);
            return path.StartsWith(Archive, StringComparison.Ordinal) ? new WrappedWrite(write, new BlockingStream(this)) : write;
        }

        private sealed class BlockingStream(ArchiveBlocks owner) : MemoryStream
        {
            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                owner._blocked.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    owner.Cancelled = true;
                    throw;
                }
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        }
    }

    /// <summary>The archive's write, disposed uncommitted, fails to remove its temporary file (as a local write's removal can); after a commit its disposal does nothing, as the stores' does.</summary>
    private sealed class ArchiveDisposeFails(IObjectStore inner) : DelegatingStore(inner)
    {
        private int _disposals;

        /// <summary>True once the archive's write has been disposed.</summary>
        public bool Disposed => Volatile.Read(ref _disposals) > 0;

        public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            var write = await base.BeginWriteAsync(path, options, cancellationToken);
            return path.StartsWith(Archive, StringComparison.Ordinal) ? new FailingDispose(write, this) : write;
        }

        private sealed class FailingDispose(IObjectWrite inner, ArchiveDisposeFails owner) : IObjectWrite
        {
            public string Path => inner.Path;

            public Stream Content => inner.Content;

            private bool _committed;

            public async Task<StoredObject> CommitAsync(CancellationToken cancellationToken)
            {
                _committed = true;
                return await inner.CommitAsync(cancellationToken);
            }

            public async ValueTask DisposeAsync()
            {
                await inner.DisposeAsync();
                if (!_committed && Interlocked.Increment(ref owner._disposals) == 1)
                {
                    throw new UnauthorizedAccessException("Access to the temporary file is denied.");
                }
            }
        }
    }

    /// <summary>The batch manifest's commit fails (a full disk) once <paramref name="before"/> has waited for what the test needs first.</summary>
    private sealed class ManifestCommitFails(IObjectStore inner, Func<TimeSpan, Task> before) : DelegatingStore(inner)
    {
        public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            var write = await base.BeginWriteAsync(path, options, cancellationToken);
            return path.Contains($"/{MartManifest.Folder}/", StringComparison.Ordinal)
                ? new WrappedWrite(write, commit: async _ =>
                {
                    await before(CopyWait);
                    throw new IOException("No space left on device.");
                })
                : write;
        }
    }

    /// <summary>Runs <paramref name="before"/> just before a receipt is completed (it may throw in the completion's place); otherwise the inner store.</summary>
    private sealed class BeforeCompletion(IReceiptStore inner, Func<Task> before) : IReceiptStore
    {
        public Task<ClaimResult> TryClaimAsync(ReceiptKey key, ClaimRequest request, CancellationToken cancellationToken) => inner.TryClaimAsync(key, request, cancellationToken);

        public async Task<Receipt?> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt?> change, CancellationToken cancellationToken)
        {
            // The change is one of ReceiptRules' pure decisions: tried on the receipt as it stands, it tells a completion.
            if (await inner.GetAsync(key, cancellationToken) is { } current && change(current)?.State == ReceiptState.Completed)
            {
                await before();
            }

            return await inner.UpdateAsync(key, change, cancellationToken);
        }

        public Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public IAsyncEnumerable<Receipt> ListAsync(Action<string> unreadable, CancellationToken cancellationToken) => inner.ListAsync(unreadable, cancellationToken);

        public Task RunFencedAsync(ReceiptKey key, ClaimOwner owner, DateTimeOffset now, Func<CancellationToken, Task> step, CancellationToken cancellationToken) =>
            inner.RunFencedAsync(key, owner, now, step, cancellationToken);
    }
}
