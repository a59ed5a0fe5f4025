using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>
/// The claim fences the mart: a worker that stalled past its lease, while another took the content over and stored it,
/// neither withdraws nor replaces that worker's committed batch, nor completes the receipt in its place.
/// </summary>
public sealed class ClaimFencingTests
{
    private const string Path = ClaimRecoveryTests.Path;

    private static readonly string Content = ClaimRecoveryTests.Content;

    [Fact]
    public async Task A_worker_that_stalled_past_its_lease_does_not_withdraw_the_batch_of_the_worker_that_took_over()
    {
        using var fixture = new HubFixture();
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Content), ct).AsTask(), WriteOptions.Default, default);

        // Worker A reads and pseudonymises the whole file, then stalls just before its commit.
        var stall = new StallAt(fixture.Hub.Audit, AuditKinds.Pseudonymised);
        var stalled = Task.Run(() => new IngestExtract(fixture.Hub with { Audit = stall }).HandleAsync(Path, landed.ETag, default));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(30));

        // Its lease runs out; worker B takes the claim over and stores the batch.
        fixture.Clock.Advance(fixture.Hub.Ingest.ClaimLease + TimeSpan.FromSeconds(1));
        var taker = await new IngestExtract(fixture.Hub).HandleAsync(Path, landed.ETag, default);
        taker.Status.Should().Be(IngestStatus.Stored);
        var manifestPath = taker.MartFiles![^1];
        var committed = await fixture.Store.GetAsync(manifestPath, default);

        stall.Release();
        var late = await stalled;

        late.Status.Should().Be(IngestStatus.InProgress);
        late.Rule.Should().Be(IngestExtract.TakenOverRule);
        var manifest = await fixture.Store.GetAsync(manifestPath, default);
        manifest.Should().NotBeNull("B's batch stays committed");
        manifest!.ETag.Should().Be(committed!.ETag, "A neither withdrew nor replaced it");
        (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Written && e.Entry.Path == manifestPath).Should().ContainSingle("the batch was committed once, by B");
        var receipt = await fixture.Hub.Receipts.GetAsync(new ReceiptKey("police", "police-da-incidents", taker.Sha256!), default);
        receipt!.State.Should().Be(ReceiptState.Completed);
        receipt.Attempts.Should().Be(2);
    }

    [Fact]
    public async Task Completing_a_receipt_is_refused_to_a_worker_whose_claim_was_taken_over()
    {
        using var fixture = new HubFixture();
        var key = new ReceiptKey("police", "police-da-incidents", new string('d', 64));
        var lease = fixture.Hub.Ingest.ClaimLease;
        var (stale, taker) = (ClaimOwner.New(), ClaimOwner.New());
        var now = fixture.Clock.GetUtcNow();
        await fixture.Hub.Receipts.TryClaimAsync(key, new ClaimRequest("landing/police/police-da-incidents/file-1.csv", stale, now, lease), default);
        (await fixture.Hub.Receipts.TryClaimAsync(key, new ClaimRequest("landing/police/police-da-incidents/file-1.csv", taker, now + lease + TimeSpan.FromSeconds(1), lease), default)).Status.Should().Be(ClaimStatus.Claimed);

        await FluentActions.Awaiting(() => fixture.Hub.Receipts.ConfirmAsync(key, stale, now + lease, default)).Should().ThrowAsync<ClaimLostException>();
        await FluentActions.Awaiting(() => fixture.Hub.Receipts.CompleteAsync(key, stale, ReceiptRules.Stored, "police-dddd", default)).Should().ThrowAsync<ClaimLostException>();

        (await fixture.Hub.Receipts.GetAsync(key, default))!.State.Should().Be(ReceiptState.Processing, "the receipt is left to the worker that holds the claim");
        (await fixture.Hub.Receipts.CompleteAsync(key, taker, ReceiptRules.Stored, "police-dddd", default)).State.Should().Be(ReceiptState.Completed);
    }

    /// <summary>Holds the first append of one kind of event until released: a worker stalled at that step.</summary>
    private sealed class StallAt(IAuditLog inner, string kind) : IAuditLog
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Release() => _released.TrySetResult();

        public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (entry.Kind == kind && _reached.TrySetResult())
            {
                await _released.Task.WaitAsync(cancellationToken);
            }

            return await inner.AppendAsync(entry, cancellationToken);
        }

        public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }
}
