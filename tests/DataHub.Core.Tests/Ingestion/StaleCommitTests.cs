using System.Globalization;
using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Receipts;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>
/// A worker that stalls (a GC pause, a frozen VM, a request held in the network) past its lease in the middle of its
/// commit, while another worker or clean-up acts on the lapsed claim, on the local store. Every interleaving is forced
/// with a <see cref="Stall"/>: the stalled worker is held at one step until the test lets it go.
/// </summary>
public sealed class StaleCommitTests
{
    private const string Path = ClaimRecoveryTests.Path;
    private const string Feed = "police-da-incidents";

    private static readonly string Content = ClaimRecoveryTests.Content;

    [Fact]
    public async Task A_worker_that_stalls_past_its_lease_after_its_fence_never_withdraws_or_replaces_the_batch_of_the_worker_that_took_over()
    {
        using var fixture = new HubFixture();
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Content), ct).AsTask(), WriteOptions.Default, default);

        // Worker A passes its fence and stalls. Locally the fence and the commit are one step under the receipt's lock (a
        // worker stalled inside it holds every other off), so A stalls at the first point another worker can act: after it.
        var stall = new Stall();
        var stalled = Task.Run(() => new IngestExtract(fixture.Hub with { Receipts = new StallingReceipts(fixture.Hub.Receipts, stall, ReceiptStep.AfterFence) }).HandleAsync(Path, landed.ETag, default));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Its lease runs out; worker B takes over and stores the batch, under a key rotated meanwhile (so its bytes differ from A's).
        fixture.Clock.Advance(fixture.Hub.Ingest.ClaimLease + TimeSpan.FromSeconds(1));
        var taker = await new IngestExtract(fixture.Hub with { Keys = new FixedKeys("v2", 9) }).HandleAsync(Path, landed.ETag, default);
        taker.Status.Should().Be(IngestStatus.Stored);
        var manifestPath = taker.MartFiles![^1];
        var committed = fixture.Text(manifestPath);

        stall.Release();
        var late = await stalled;

        late.Status.Should().Be(IngestStatus.InProgress, late.Message);
        late.Rule.Should().Be(IngestExtract.TakenOverRule);
        var batches = await CommittedMarts.ReadAsync(fixture.Store, Feed);
        batches.Should().ContainSingle().Which.Problems.Should().BeEmpty();
        fixture.Text(manifestPath).Should().Be(committed, "B's batch stays exactly as B committed it");
        var receipt = await fixture.Hub.Receipts.GetAsync(new ReceiptKey("police", Feed, taker.Sha256!), default);
        receipt!.State.Should().Be(ReceiptState.Completed);
        receipt.Outcome.Should().Be(ReceiptRules.Stored);
    }

    [Fact]
    public async Task Clean_up_during_a_stall_between_the_quarter_files_and_the_manifest_never_leaves_a_manifest_listing_missing_files()
    {
        using var fixture = new HubFixture();
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Content), ct).AsTask(), WriteOptions.Default, default);

        // Worker A commits its quarter files and stalls just before the manifest.
        var stall = new Stall();
        var atManifest = new StallingStore(fixture.Store, StoreStep.Commit, p => p.Contains($"/{MartManifest.Folder}/", StringComparison.Ordinal), stall);
        var stalled = Task.Run(() => new IngestExtract(fixture.Hub with { Store = atManifest }).HandleAsync(Path, landed.ETag, default));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Its lease runs out and clean-up runs, finding quarter files no manifest lists.
        fixture.Clock.Advance(fixture.Hub.Ingest.ClaimLease + TimeSpan.FromSeconds(1));
        var judging = new Stall();
        var cleanup = Task.Run(() => new InterruptedWork(fixture.Hub with { Receipts = new StallingReceipts(fixture.Hub.Receipts, judging, ReceiptStep.BeforeUpdate) }).RunAsync(default));
        await Task.WhenAny(cleanup, judging.Reached).WaitAsync(TimeSpan.FromSeconds(60));
        judging.Release();
        stall.Release();
        await cleanup;
        await stalled;

        // Whatever the order, the hub is consistent: a committed batch is whole, and a file still in landing is ingested whole.
        if (await fixture.Store.GetAsync(Path, default) is { } left)
        {
            (await new IngestExtract(fixture.Hub).HandleAsync(Path, left.ETag, default)).Status.Should().Be(IngestStatus.Stored);
        }

        var batches = await CommittedMarts.ReadAsync(fixture.Store, Feed);
        batches.Should().ContainSingle().Which.Problems.Should().BeEmpty("a reader must never find a committed batch with files missing");
        var receipt = await fixture.Hub.Receipts.GetAsync(new ReceiptKey("police", Feed, batches[0].Batch.Manifest.SourceSha256), default);
        receipt!.Outcome.Should().Be(ReceiptRules.Stored);
        (await fixture.ListAsync("landing/")).Should().NotBeEmpty().And.OnlyContain(p => p.StartsWith("landing/_processed/", StringComparison.Ordinal), "the landed file is archived once its batch is stored");
    }

    [Fact]
    public async Task Two_overlapping_stalls_in_renew_then_run_commits_never_show_a_reader_a_manifest_whose_files_are_another_attempts()
    {
        using var fixture = new HubFixture();
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Content), ct).AsTask(), WriteOptions.Default, default);
        var tableLike = new RenewThenRunReceipts(fixture.Hub.Receipts);
        static bool IsManifest(string p) => p.Contains($"/{MartManifest.Folder}/", StringComparison.Ordinal);

        // Worker A (fenced as on Azure: renewed, then its commit outside any lock) commits its quarter files and stalls
        // before its manifest; once its manifest is in, it stalls again before completing its receipt.
        var beforeManifest = new Stall();
        var beforeCompleting = new Stall();
        var workerA = fixture.Hub with
        {
            Store = new StallingStore(fixture.Store, StoreStep.Commit, IsManifest, beforeManifest),
            Receipts = new StallingReceipts(tableLike, beforeCompleting, ReceiptStep.AfterFence),
        };
        var stalled = Task.Run(() => new IngestExtract(workerA).HandleAsync(Path, landed.ETag, default));
        await beforeManifest.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // A's lease runs out; worker B takes over under a rotated key (so its bytes differ from A's), commits its quarter
        // files and stalls before its own manifest.
        fixture.Clock.Advance(fixture.Hub.Ingest.ClaimLease + TimeSpan.FromSeconds(1));
        var takerAtManifest = new Stall();
        var workerB = fixture.Hub with
        {
            Store = new StallingStore(fixture.Store, StoreStep.Commit, IsManifest, takerAtManifest),
            Receipts = tableLike,
            Keys = new FixedKeys("v2", 9),
        };
        var taking = Task.Run(() => new IngestExtract(workerB).HandleAsync(Path, landed.ETag, default));
        await takerAtManifest.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // A wakes and its manifest lands; before its completion finds the claim gone, a reader looks.
        beforeManifest.Release();
        await Task.WhenAny(stalled, beforeCompleting.Reached).WaitAsync(TimeSpan.FromSeconds(60));
        var seen = await CommittedMarts.ReadAsync(fixture.Store, Feed);
        seen.Should().ContainSingle("A's manifest is in").Which.Problems.Should().BeEmpty("a manifest lists only the files of its own attempt, whatever another attempt writes");

        // B goes on first, so its manifest meets A's; then A finds its claim gone.
        takerAtManifest.Release();
        (await taking).Status.Should().Be(IngestStatus.InProgress, "B's manifest met A's");
        beforeCompleting.Release();
        (await stalled).Status.Should().Be(IngestStatus.InProgress, "A's claim had passed to B");
        (await CommittedMarts.ReadAsync(fixture.Store, Feed)).Should().BeEmpty("A withdrew its late manifest and B's never landed");

        // The file, still in landing, is stored whole later; clean-up then removes both stalled attempts' files and
        // nothing the committed manifest lists.
        var again = await new IngestExtract(fixture.Hub).HandleAsync(Path, landed.ETag, default);
        again.Status.Should().Be(IngestStatus.Stored, again.Message);
        var cleaned = await new InterruptedWork(fixture.Hub).RunAsync(default);
        var batches = await CommittedMarts.ReadAsync(fixture.Store, Feed);
        batches.Should().ContainSingle().Which.Problems.Should().BeEmpty();
        cleaned.UncommittedMartFiles.Should().NotBeEmpty().And.NotIntersectWith(batches[0].Batch.Manifest.Files.Select(f => f.Path));
        (await fixture.ListAsync($"secure/{Feed}/quarter=")).Should().BeEquivalentTo(batches[0].Batch.Manifest.Files.Select(f => f.Path), "only the committed attempt's files are left");
    }

    [Fact]
    public async Task A_batch_committed_by_a_worker_that_died_before_completing_is_withdrawn_when_its_content_ends_as_poison()
    {
        using var fixture = new HubFixture();
        var first = await fixture.DropAndIngestAsync(Path, Content);
        first.Status.Should().Be(IngestStatus.Stored);

        // What a worker killed between its manifest and its receipt leaves, after two earlier attempts had failed: the
        // batch committed, the receipt still its claim.
        var receipt = System.IO.Path.Combine(fixture.Root, "receipts", "police", Feed, first.Sha256 + ".json");
        var at = fixture.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var (pid, started) = EndedProcess.Make();
        File.WriteAllText(receipt, $$"""
            {"Key":{"Partner":"police","Feed":"{{Feed}}","Sha256":"{{first.Sha256}}"},"State":"Processing","Attempts":3,"FailedAttempts":2,
             "ClaimedAt":"{{at}}","Outcome":null,"BatchId":null,"LastError":"IOException","SourcePath":"landing/police/{{Feed}}/x",
             "Owner":{"Process":{"Host":"{{Environment.MachineName}}","ProcessId":{{pid}},"StartedAt":"{{started:O}}"},"Token":"dead"},"RenewedAt":"{{at}}"}
            """);

        var again = await fixture.DropAndIngestAsync(Path, Content);

        again.Status.Should().Be(IngestStatus.Quarantined, again.Message);
        again.Rule.Should().Be("ingest.poison");
        (await CommittedMarts.ReadAsync(fixture.Store, Feed)).Should().BeEmpty("the content ended quarantined, so none of its rows may stay visible in the mart");
        (await fixture.AuditAsync()).Select(e => e.Entry).Where(e => e.FileSha256 == first.Sha256 && e.Kind is AuditKinds.Deleted or AuditKinds.Poisoned or AuditKinds.Quarantined).Select(e => e.Kind)
            .Should().Equal([AuditKinds.Deleted, AuditKinds.Poisoned, AuditKinds.Quarantined], "the earlier commit is withdrawn before the file is recorded poisoned, then quarantined");
    }
}
