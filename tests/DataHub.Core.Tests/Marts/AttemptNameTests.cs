using System.Globalization;
using System.Text;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Receipts;
using DataHub.Core.Retention;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Core.Tests.Ingestion;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Core.Tests.Marts;

/// <summary>
/// Each commit attempt writes its mart files under names of its own and its manifest lists exactly those; batches committed
/// before attempts had names (secure/{feed}/quarter=…/{batch}.parquet) are still read, kept, retried over and retained.
/// </summary>
public sealed class AttemptNameTests
{
    private const string Path = ClaimRecoveryTests.Path;
    private const string Feed = "police-da-incidents";

    private static readonly string Content = ClaimRecoveryTests.Content;

    [Fact]
    public async Task A_batch_committed_under_the_names_before_attempts_is_read_kept_by_clean_up_and_retained_whole()
    {
        using var hub = new HubFixture();
        await LandCohortAsync(hub);
        var stored = await hub.DropAndIngestAsync(Path, Content);
        var old = await ToNamesBeforeAttemptsAsync(hub, stored.BatchId!);

        var loaded = await new MartLoader(hub.Store).LoadAsync(default);
        var cleaned = await new InterruptedWork(hub.Hub).RunAsync(default);

        loaded.Files.Where(f => f.Feed == Feed).Select(f => f.Path).Should().BeEquivalentTo(old.Files.Select(f => f.Path));
        cleaned.UncommittedMartFiles.Should().BeEmpty("every file is listed by its manifest");
        (await hub.ListAsync($"secure/{Feed}/quarter=")).Should().BeEquivalentTo(old.Files.Select(f => f.Path));

        hub.Clock.Advance(TimeSpan.FromDays(2556));
        var retention = await new EnforceRetention(hub.Hub).RunAsync(default);

        retention.Deleted.Where(d => d.Rule == EnforceRetention.MartRule && d.Path.StartsWith($"secure/{Feed}/", StringComparison.Ordinal)).Select(d => d.Path).Should().Equal([old.Path, .. old.Files.Select(f => f.Path)]);
        (await hub.ListAsync($"secure/{Feed}/")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_retry_over_an_earlier_commit_replaces_its_manifest_in_one_write_and_then_removes_only_the_earlier_files()
    {
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync(Path, Content);
        var earlier = await ToNamesBeforeAttemptsAsync(hub, stored.BatchId!);
        ClaimedByTheDead(hub, stored.Sha256!);

        // The retry has committed its own quarter files and stalls before its manifest, its claim live (fenced as on Azure:
        // locally the receipt's lock would hold clean-up off until the commit ended).
        var landed = await hub.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Content), ct).AsTask(), WriteOptions.Default, default);
        var stall = new Stall();
        var atManifest = new StallingStore(hub.Store, StoreStep.Commit, p => p.Contains($"/{MartManifest.Folder}/", StringComparison.Ordinal), stall);
        var retry = Task.Run(() => new IngestExtract(hub.Hub with { Store = atManifest, Receipts = new RenewThenRunReceipts(hub.Hub.Receipts) }).HandleAsync(Path, landed.ETag, default));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        var during = await CommittedMarts.ReadAsync(hub.Store, Feed);
        var cleanedDuring = await new InterruptedWork(hub.Hub).RunAsync(default);
        var filesDuring = await hub.ListAsync($"secure/{Feed}/quarter=");
        stall.Release();
        var outcome = await retry;

        during.Should().ContainSingle().Which.Problems.Should().BeEmpty("the earlier commit stays whole and visible while the retry writes beside it");
        during[0].Batch.Manifest.Should().BeEquivalentTo(earlier);
        cleanedDuring.UncommittedMartFiles.Should().BeEmpty("the retry's files belong to a live claim and the earlier ones to the committed manifest");
        filesDuring.Should().HaveCount(2 * earlier.Files.Count);
        outcome.Status.Should().Be(IngestStatus.Stored, outcome.Message);
        var after = await CommittedMarts.ReadAsync(hub.Store, Feed);
        after.Should().ContainSingle().Which.Problems.Should().BeEmpty();
        var now = after[0].Batch.Manifest;
        now.Attempt.Should().NotBeNull();
        now.Files.Select(f => f.Path).Should().NotIntersectWith(earlier.Files.Select(f => f.Path), "two attempts never write the same object");

        (await hub.ListAsync($"secure/{Feed}/quarter=")).Should().BeEquivalentTo(now.Files.Select(f => f.Path), "the replaced manifest's files went once the retry's receipt was complete");
        (await hub.AuditAsync()).Where(e => e.Entry.Rule == InterruptedWork.UncommittedRule).Select(e => e.Entry.Path).Should().BeEquivalentTo(earlier.Files.Select(f => f.Path));
        (await new InterruptedWork(hub.Hub).RunAsync(default)).UncommittedMartFiles.Should().BeEmpty();
        (await CommittedMarts.ReadAsync(hub.Store, Feed)).Should().ContainSingle().Which.Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_retry_whose_removal_of_the_replaced_files_the_log_refuses_says_the_batch_is_stored_and_the_removal_unrecorded()
    {
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync(Path, Content);
        var earlier = (await new MartCatalog(hub.Store).CommittedAsync(Feed, default)).Single();
        ClaimedByTheDead(hub, stored.Sha256!);
        var landed = await hub.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Content), ct).AsTask(), WriteOptions.Default, default);

        var retry = () => new IngestExtract(hub.Hub with { Audit = new AuditTornAt(hub.Hub.Audit, Core.Audit.AuditKinds.Deleted) }).HandleAsync(Path, landed.ETag, default);

        var refused = (await retry.Should().ThrowAsync<Core.Audit.AuditChainBrokenException>("the log refused the record of a removal made; the run must not report success")).Which;
        refused.Written.Should().Contain($"Batch {stored.BatchId}").And.Contain("is stored").And.Contain("did not record its removal");
        refused.Message.Should().NotContain("Nothing was written").And.NotContain("jan.csv").And.NotContain("Smith");
        var audit = await hub.AuditAsync();
        audit.Should().NotContain(e => e.Entry.Kind == Core.Audit.AuditKinds.Failed, "the batch is stored: the attempt did not fail");
        var left = await hub.ListAsync($"secure/{Feed}/quarter=");
        var removed = earlier.Files.Select(f => f.Path).Except(left).Should().ContainSingle("the first removal was made, and the log's refusal stopped the rest").Subject;
        refused.Written.Should().Contain(removed);
        (await hub.Hub.Receipts.GetAsync(new ReceiptKey("police", Feed, stored.Sha256!), default))!.State.Should().Be(ReceiptState.Completed);
    }

    [Fact]
    public async Task A_manifest_listing_a_file_of_another_attempt_is_refused_as_damaged()
    {
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync(Path, Content);
        var catalog = new MartCatalog(hub.Store);
        var manifest = (await catalog.CommittedAsync(Feed, default)).Single();
        var other = MartSchema.AttemptOf("another claim's token");
        var foreign = manifest with
        {
            Files = [.. manifest.Files.Select(f => f with { Path = MartSchema.PathFor(Feed, f.Quarter, stored.BatchId!, other) })],
        };
        await catalog.CommitAsync(foreign, await hub.Store.GetAsync(manifest.Path, default), default);

        var read = () => catalog.CommittedAsync(Feed, default);

        await read.Should().ThrowAsync<DamagedManifestException>();
    }

    // A manifest readers refuse as damaged (edited by hand, or a fault) may name any object: the retry that replaces it
    // must not take those names for the earlier attempt's files and delete another feed's committed batch.
    [Fact]
    public async Task A_retry_over_a_damaged_manifest_removes_no_committed_file_the_damaged_manifest_names()
    {
        using var hub = new HubFixture();
        await LandCohortAsync(hub);
        var cohortFiles = await hub.ListAsync("secure/csc-people/quarter=");
        var stored = await hub.DropAndIngestAsync(Path, Content);
        var catalog = new MartCatalog(hub.Store);
        var manifest = (await catalog.CommittedAsync(Feed, default)).Single();
        var damaged = manifest with { Files = [.. cohortFiles.Select(p => manifest.Files[0] with { Path = p })] };
        await catalog.CommitAsync(damaged, await hub.Store.GetAsync(manifest.Path, default), default);
        ClaimedByTheDead(hub, stored.Sha256!);

        var retry = await hub.DropAndIngestAsync(Path, Content);

        retry.Status.Should().Be(IngestStatus.Stored, retry.Message);
        (await hub.ListAsync("secure/csc-people/quarter=")).Should().BeEquivalentTo(cohortFiles, "the cohort's batch is committed and none of the retry's business");
        (await CommittedMarts.ReadAsync(hub.Store, "csc-people")).Should().ContainSingle().Which.Problems.Should().BeEmpty();
        (await hub.AuditAsync()).Where(e => e.Entry.Rule == InterruptedWork.UncommittedRule).Should().BeEmpty();
    }

    // What the release before attempt names leaves: the batch's files at secure/{feed}/quarter=…/{batch}.parquet and a
    // manifest without an attempt listing them.
    private static async Task<MartManifest> ToNamesBeforeAttemptsAsync(HubFixture hub, string batchId)
    {
        var catalog = new MartCatalog(hub.Store);
        var manifest = (await catalog.CommittedAsync(Feed, default)).Single(m => m.BatchId == batchId);
        var files = new List<MartManifestFile>();
        foreach (var file in manifest.Files)
        {
            var old = MartSchema.PathFor(Feed, file.Quarter, batchId);
            await hub.Store.CopyAsync(file.Path, old, default);
            await hub.Store.DeleteAsync(file.Path, null, default);
            files.Add(file with { Path = old });
        }

        var before = manifest with { Files = files, Attempt = null };
        await catalog.CommitAsync(before, await hub.Store.GetAsync(manifest.Path, default), default);
        return before;
    }

    // A worker that committed the batch was killed before completing its receipt: the next delivery takes the claim over.
    internal static void ClaimedByTheDead(HubFixture hub, string sha)
    {
        var receipt = System.IO.Path.Combine(hub.Root, "receipts", "police", Feed, sha + ".json");
        var at = hub.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var (pid, started) = EndedProcess.Make();
        File.WriteAllText(receipt, $$"""
            {"Key":{"Partner":"police","Feed":"{{Feed}}","Sha256":"{{sha}}"},"State":"Processing","Attempts":1,"FailedAttempts":0,
             "ClaimedAt":"{{at}}","Outcome":null,"BatchId":null,"LastError":null,"SourcePath":"landing/police/{{Feed}}/x",
             "Owner":{"Process":{"Host":"{{Environment.MachineName}}","ProcessId":{{pid}},"StartedAt":"{{started:O}}"},"Token":"dead"},"RenewedAt":"{{at}}"}
            """);
    }

    internal static async Task LandCohortAsync(HubFixture hub)
    {
        var cohort = SyntheticHub.Generate(new SeedOptions { Families = 3, SchoolsAsXlsx = false, GroundTruth = false }).Files.First(f => f.LandingPath.StartsWith("csc/csc-people/", StringComparison.Ordinal));
        (await hub.DropAndIngestAsync("landing/" + cohort.LandingPath, cohort.Content)).Status.Should().Be(IngestStatus.Stored);
    }
}
