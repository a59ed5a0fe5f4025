using System.Text;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Receipts;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// A Function instance that stalls (a GC pause, a frozen VM, a request held in the network) past its lease in the middle
/// of its commit, on Azurite. Receipts live in a table, beside blob storage, so no lock spans the claim and the batch:
/// what stops the stalled instance is the blob service refusing its conditional requests. Each interleaving is forced
/// with a <see cref="Stall"/>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaleCommitTests(AzuriteFixture fixture)
{
    private const string Feed = "police-da-incidents";

    [Fact]
    public async Task An_instance_stalled_between_its_fence_and_its_commit_fails_on_the_batch_of_the_instance_that_took_over_instead_of_replacing_it()
    {
        var (hub, clock) = Hub();
        var (path, landed) = await LandAsync(hub);

        // Instance A renews its claim (its fence) and stalls before the first request of its commit.
        var stall = new Stall();
        var stalled = Task.Run(() => new IngestExtract(hub with { Receipts = new StallingReceipts(hub.Receipts, stall, ReceiptStep.InFence) }).HandleAsync(path, landed.ETag, CancellationToken.None));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Its lease runs out; instance B takes the claim over and stores the batch.
        clock.Advance(hub.Ingest.ClaimLease + TimeSpan.FromSeconds(1));
        var taker = await new IngestExtract(hub).HandleAsync(path, landed.ETag, CancellationToken.None);
        taker.Status.Should().Be(IngestStatus.Stored, taker.Message);
        var committed = await SnapshotAsync(hub.Store, taker.MartFiles!);

        stall.Release();
        var late = await stalled;

        late.Status.Should().Be(IngestStatus.InProgress, late.Message);
        late.Rule.Should().Be(IngestExtract.TakenOverRule);
        (await SnapshotAsync(hub.Store, taker.MartFiles!)).Should().Equal(committed, "B's manifest and files are exactly as B committed them: A's requests were refused");
        var batch = await BatchAsync(hub, taker.Sha256!);
        batch.Should().NotBeNull();
        batch!.Value.Problems.Should().BeEmpty();
        var receipt = await hub.Receipts.GetAsync(new ReceiptKey("police", Feed, taker.Sha256!), CancellationToken.None);
        receipt!.State.Should().Be(ReceiptState.Completed);
    }

    [Fact]
    public async Task An_instance_that_commits_after_clean_up_gave_its_lapsed_claim_up_withdraws_its_manifest_and_the_file_is_stored_whole_later()
    {
        var (hub, clock) = Hub();
        var (path, landed) = await LandAsync(hub);

        // Instance A commits its quarter files and stalls just before its manifest.
        var stall = new Stall();
        var atManifest = new StallingStore(hub.Store, StoreStep.Commit, p => p.Contains($"/{MartManifest.Folder}/", StringComparison.Ordinal), stall);
        var stalled = Task.Run(() => new IngestExtract(hub with { Store = atManifest }).HandleAsync(path, landed.ETag, CancellationToken.None));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Its lease runs out and the retention timer's clean-up finds quarter files no manifest lists.
        clock.Advance(hub.Ingest.ClaimLease + TimeSpan.FromSeconds(1));
        var cleaned = await new InterruptedWork(hub).RunAsync(CancellationToken.None);
        cleaned.UncommittedMartFiles.Should().NotBeEmpty("A's quarter files were committed and are listed by no manifest");

        stall.Release();
        var late = await stalled;

        late.Status.Should().Be(IngestStatus.InProgress, late.Message);
        late.Rule.Should().Be(IngestExtract.TakenOverRule);
        var sha = late.Sha256!;
        (await BatchAsync(hub, sha)).Should().BeNull("a manifest listing files clean-up deleted must not stay visible");
        (await hub.Store.GetAsync(path, CancellationToken.None)).Should().NotBeNull("nothing was completed, so the file waits in landing");

        var again = await new IngestExtract(hub).HandleAsync(path, landed.ETag, CancellationToken.None);

        again.Status.Should().Be(IngestStatus.Stored, again.Message);
        var batch = await BatchAsync(hub, sha);
        batch.Should().NotBeNull();
        batch!.Value.Problems.Should().BeEmpty();
        (await hub.Receipts.GetAsync(new ReceiptKey("police", Feed, sha), CancellationToken.None))!.Outcome.Should().Be(ReceiptRules.Stored);
    }

    [Fact]
    public async Task Two_instances_whose_stalls_overlap_in_their_commits_never_show_a_reader_a_manifest_whose_files_are_the_others()
    {
        var (hub, clock) = Hub();
        var (path, landed) = await LandAsync(hub);
        var sha = await ShaOfAsync(hub, path);
        static bool IsManifest(string p) => p.Contains($"/{MartManifest.Folder}/", StringComparison.Ordinal);

        // Instance A commits its quarter files and stalls before its manifest; once its manifest is in, it stalls again
        // before completing its receipt.
        var beforeManifest = new Stall();
        var beforeCompleting = new Stall();
        var instanceA = hub with
        {
            Store = new StallingStore(hub.Store, StoreStep.Commit, IsManifest, beforeManifest),
            Receipts = new StallingReceipts(hub.Receipts, beforeCompleting, ReceiptStep.AfterFence),
        };
        var stalled = Task.Run(() => new IngestExtract(instanceA).HandleAsync(path, landed.ETag, CancellationToken.None));
        await beforeManifest.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // A's lease runs out; instance B takes over under a rotated key (so its bytes differ from A's), commits its quarter
        // files and stalls before its own manifest.
        clock.Advance(hub.Ingest.ClaimLease + TimeSpan.FromSeconds(1));
        var takerAtManifest = new Stall();
        var instanceB = hub with { Store = new StallingStore(hub.Store, StoreStep.Commit, IsManifest, takerAtManifest), Keys = new RotatedKey() };
        var taking = Task.Run(() => new IngestExtract(instanceB).HandleAsync(path, landed.ETag, CancellationToken.None));
        await takerAtManifest.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // A wakes and its manifest lands; before its completion finds the claim gone, the rollup would read it.
        beforeManifest.Release();
        await Task.WhenAny(stalled, beforeCompleting.Reached).WaitAsync(TimeSpan.FromSeconds(60));
        var seen = await BatchAsync(hub, sha);
        seen.Should().NotBeNull("A's manifest is in");
        seen!.Value.Problems.Should().BeEmpty("a manifest lists only the files of its own attempt, whatever another attempt writes");

        // B goes on first, so its manifest meets A's; then A finds its claim gone.
        takerAtManifest.Release();
        (await taking).Status.Should().Be(IngestStatus.InProgress, "B's manifest met A's");
        beforeCompleting.Release();
        (await stalled).Status.Should().Be(IngestStatus.InProgress, "A's claim had passed to B");
        (await BatchAsync(hub, sha)).Should().BeNull("A withdrew its late manifest and B's never landed");

        // The file, still in landing, is stored whole later; clean-up then removes both stalled attempts' files and
        // nothing the committed manifest lists.
        var again = await new IngestExtract(hub).HandleAsync(path, landed.ETag, CancellationToken.None);
        again.Status.Should().Be(IngestStatus.Stored, again.Message);
        var cleaned = await new InterruptedWork(hub).RunAsync(CancellationToken.None);
        var batch = await BatchAsync(hub, sha);
        batch.Should().NotBeNull();
        batch!.Value.Problems.Should().BeEmpty();
        var listed = batch.Value.Batch.Manifest.Files.Select(f => f.Path).ToList();
        cleaned.UncommittedMartFiles.Should().NotIntersectWith(listed);
        var left = new List<string>();
        await foreach (var item in hub.Store.ListAsync($"secure/{Feed}/quarter=", CancellationToken.None))
        {
            if (item.Metadata.TryGetValue(MartMetadata.SourceSha256, out var source) && source == sha)
            {
                left.Add(item.Path);
            }
        }

        left.Should().BeEquivalentTo(listed, "only the committed attempt's files are left of this content");
    }

    private (HubContext Hub, ManualClock Clock) Hub()
    {
        var clock = ManualClock.On(2026, 11, 22);
        return (TestHubs.Azure(fixture.Azurite.ConnectionString, fixture.Azurite.KeyRoot, clock, TestHubs.QuickRetries()), clock);
    }

    // Content of its own (the shared Azurite keeps every test's receipts), rows in two quarters.
    private static async Task<(string Path, StoredObject Landed)> LandAsync(HubContext hub)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var content = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral\n"
            + $"INC{id}A,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\nINC{id}B,2018-07-01,victim,Ann,Jones,1991-05-06,F,N,N\n";
        var path = $"landing/police/{Feed}/stale-{id}.csv";
        var landed = await hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(content), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        return (path, landed);
    }

    private static async Task<(CommittedBatch Batch, List<string> Problems)?> BatchAsync(HubContext hub, string sha)
    {
        var batch = IngestExtract.BatchIdFor("police", sha);
        var found = (await CommittedMarts.ReadAsync(hub.Store, Feed)).Where(b => b.Batch.Manifest.BatchId == batch).ToList();
        return found.Count == 0 ? null : found.Single();
    }

    private static async Task<List<string>> SnapshotAsync(IObjectStore store, IEnumerable<string> paths)
    {
        var versions = new List<string>();
        foreach (var path in paths)
        {
            versions.Add($"{path} {(await store.GetAsync(path, CancellationToken.None))?.ETag}");
        }

        return versions;
    }

    private static async Task<string> ShaOfAsync(HubContext hub, string path)
    {
        await using var content = await hub.Store.OpenReadAsync(path, null, CancellationToken.None);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(content));
    }

    /// <summary>A key rotated since the first instance began (never used outside tests).</summary>
    private sealed class RotatedKey : IKeyProvider
    {
        private readonly PseudonymisationKey _key = new("v2", [.. Enumerable.Range(9, 32).Select(i => (byte)i)]);

        public Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken) => Task.FromResult(_key);

        public Task<PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken) =>
            version == _key.Version ? Task.FromResult(_key) : throw new KeyUnavailableException($"No key version {version}.");
    }
}
