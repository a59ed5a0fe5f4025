using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Retention;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Core.Tests.Ingestion;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Core.Tests.Marts;

/// <summary>Issue 9: a batch becomes visible to readers all at once, when its manifest is written last.</summary>
public sealed class BatchVisibilityTests
{
    private const string Police = "landing/police/police-da-incidents/incidents.csv";

    [Fact]
    public async Task A_commit_that_fails_part_way_leaves_nothing_a_reader_can_see()
    {
        using var hub = new HubFixture();
        await LandCohortAsync(hub);
        var failing = hub.Hub with { Store = new CommitFailsAt(hub.Store, 3) };
        var landed = await LandPoliceAsync(hub);

        var failed = await new IngestExtract(failing).HandleAsync(Police, landed.ETag, default);
        var seen = await new MartLoader(hub.Store).LoadAsync(default);

        failed.Status.Should().Be(IngestStatus.Failed);
        (await hub.ListAsync("secure/police-da-incidents/quarter=")).Should().NotBeEmpty("quarter files were committed before the failure");
        seen.Files.Should().NotContain(f => f.Feed == "police-da-incidents", "no manifest lists the files committed before the failure");

        var retried = await new IngestExtract(hub.Hub).HandleAsync(Police, landed.ETag, default);
        var after = await new MartLoader(hub.Store).LoadAsync(default);
        retried.Status.Should().Be(IngestStatus.Stored);
        after.Files.Where(f => f.Feed == "police-da-incidents").Select(f => f.Path).Should().BeEquivalentTo(retried.MartFiles!.Where(p => p.EndsWith(".parquet", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_reader_beside_a_slow_commit_sees_none_of_the_batch_until_it_is_committed()
    {
        using var hub = new HubFixture();
        await LandCohortAsync(hub);
        var slow = new CommitPausesAfterFirst(hub.Store);
        var landed = await LandPoliceAsync(hub);

        var ingest = Task.Run(() => new IngestExtract(hub.Hub with { Store = slow }).HandleAsync(Police, landed.ETag, default));
        await slow.FirstCommitted.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var during = await new MartLoader(hub.Store).LoadAsync(default);
        slow.Release.SetResult();
        var outcome = await ingest.WaitAsync(TimeSpan.FromMinutes(1));
        var after = await new MartLoader(hub.Store).LoadAsync(default);

        during.Files.Should().NotContain(f => f.Feed == "police-da-incidents", "one quarter file was committed and held; the manifest was still to come");
        outcome.Status.Should().Be(IngestStatus.Stored);
        after.Files.Count(f => f.Feed == "police-da-incidents").Should().Be(outcome.MartFiles!.Count - 1, "every quarter file at once (the last entry is the manifest)");
        outcome.MartFiles.SkipLast(1).Should().BeInAscendingOrder(StringComparer.Ordinal, "the manifest lists the quarter files in quarter order, whichever was committed first");
    }

    [Fact]
    public async Task Clean_up_removes_the_files_of_an_uncommitted_batch_once_no_live_claim_owns_them()
    {
        using var hub = new HubFixture();
        var landed = await LandPoliceAsync(hub);
        await new IngestExtract(hub.Hub with { Store = new CommitFailsAt(hub.Store, 3) }).HandleAsync(Police, landed.ETag, default);
        var left = (await hub.ListAsync("secure/police-da-incidents/quarter=")).ToList();

        var cleaned = await new InterruptedWork(hub.Hub).RunAsync(default);

        left.Should().NotBeEmpty("quarter files other than the failing one were committed");
        cleaned.UncommittedMartFiles.Should().BeEquivalentTo(left);
        (await hub.ListAsync("secure/")).Should().BeEmpty();
        (await hub.AuditAsync()).Where(e => e.Entry.Rule == InterruptedWork.UncommittedRule).Select(e => e.Entry.Path).Should().BeEquivalentTo(left);
    }

    [Fact]
    public async Task A_manifest_naming_an_object_outside_its_batch_is_refused_as_damaged()
    {
        using var hub = new HubFixture();
        var manifest = new MartManifest("police-0011223344556677", "police-da-incidents", "police", new string('0', 64), hub.Clock.GetUtcNow(), 1, 0,
            [new MartManifestFile("landing/police/police-da-incidents/jan.csv", "2018Q1", 1, 1, new string('a', 64))]);
        await new MartCatalog(hub.Store).CommitAsync(manifest, null, default);

        var read = () => new MartCatalog(hub.Store).CommittedAsync("police-da-incidents", default);

        (await read.Should().ThrowAsync<DamagedManifestException>()).WithMessage("*is damaged (not a manifest, or it lists files outside its batch)*");
    }

    [Fact]
    public async Task Clean_up_deletes_no_committed_mart_file_when_a_file_stands_where_the_manifests_folder_should_be()
    {
        // The manifests are the commit point: with a file in place of secure/{feed}/_batches/ none can be read, and every
        // committed quarter file would look uncommitted. Clean-up (run at every command's start) must leave them alone.
        using var hub = new HubFixture();
        await LandCohortAsync(hub);
        var landed = await LandPoliceAsync(hub);
        (await new IngestExtract(hub.Hub).HandleAsync(Police, landed.ETag, default)).Status.Should().Be(IngestStatus.Stored);
        var quarterFiles = (await hub.ListAsync("secure/police-da-incidents/")).Where(IsQuarterFile).ToArray();
        quarterFiles.Should().NotBeEmpty();
        var manifests = Path.Combine(hub.Root, "secure", "police-da-incidents", MartManifest.Folder);
        Directory.Move(manifests, manifests + ".aside");
        await File.WriteAllTextAsync(manifests, "x");

        var cleaned = await new InterruptedWork(hub.Hub).RunAsync(default);

        cleaned.UncommittedMartFiles.Should().BeEmpty("no manifest could be read, so no quarter file can be judged uncommitted");
        (await hub.ListAsync("secure/police-da-incidents/")).Where(IsQuarterFile).Should().Equal(quarterFiles);
        var read = () => new MartCatalog(hub.Store).CommittedAsync("police-da-incidents", default);
        (await read.Should().ThrowAsync<DamagedManifestException>()).WithMessage("*a file where the feed's batch manifests folder should be*");
    }

    [Fact]
    public async Task A_quarter_file_failing_while_another_is_finished_beside_it_commits_nothing_and_leaves_no_partial_file()
    {
        using var hub = new HubFixture();
        await LandCohortAsync(hub);
        var landed = await LandPoliceAsync(hub);
        var store = new FinishFailsBesideAnother(hub.Store);

        var failed = await new IngestExtract(hub.Hub with { Store = store }).HandleAsync(Police, landed.ETag, default);

        store.Overlapped.Should().BeTrue("the last quarter's file failed while the first quarter's was held part-way through its last row group");
        failed.Status.Should().Be(IngestStatus.Failed);
        (await hub.ListAsync("secure/police-da-incidents/")).Should().BeEmpty("no quarter file and no manifest was committed");
        Directory.EnumerateFiles(Path.Combine(hub.Root, "secure", "police-da-incidents"), "*", SearchOption.AllDirectories)
            .Should().BeEmpty("the file held part-way and the failed one were both abandoned, not left half-written");
        (await new MartLoader(hub.Store).LoadAsync(default)).Files.Should().NotContain(f => f.Feed == "police-da-incidents");

        var retried = await new IngestExtract(hub.Hub).HandleAsync(Police, landed.ETag, default);
        retried.Status.Should().Be(IngestStatus.Stored, "the landing copy and its claim are left for the next attempt");
    }

    private static async Task LandCohortAsync(HubFixture hub)
    {
        var cohort = SyntheticHub.Generate(new SeedOptions { Families = 3, SchoolsAsXlsx = false, GroundTruth = false }).Files.First(f => f.LandingPath.StartsWith("csc/csc-people/", StringComparison.Ordinal));
        (await hub.DropAndIngestAsync("landing/" + cohort.LandingPath, cohort.Content)).Status.Should().Be(IngestStatus.Stored);
    }

    private static Task<StoredObject> LandPoliceAsync(HubFixture hub) =>
        hub.Store.WriteAsync(Police, (s, ct) => Task.Run(() => LargeExtracts.WritePoliceIncidentsCsv(s, 400), ct), WriteOptions.Default, default);

    private static bool IsQuarterFile(string path) => path.StartsWith("secure/police-da-incidents/quarter=", StringComparison.Ordinal);

    /// <summary>The n-th quarter file opened fails just as it would be committed (others may be committed), as a crash mid-commit would.</summary>
    private sealed class CommitFailsAt(IObjectStore inner, int n) : DelegatingStore(inner)
    {
        private int _seen;

        public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            var write = await base.BeginWriteAsync(path, options, cancellationToken);
            return IsQuarterFile(path) && Interlocked.Increment(ref _seen) == n
                ? new WrappedWrite(write, commit: _ => throw new IOException("The disk filled up during the commit."))
                : write;
        }
    }

    /// <summary>Holds the commit after the first quarter file until released, as a slow store would.</summary>
    private sealed class CommitPausesAfterFirst(IObjectStore inner) : DelegatingStore(inner)
    {
        private int _seen;

        public TaskCompletionSource FirstCommitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            var write = await base.BeginWriteAsync(path, options, cancellationToken);
            return IsQuarterFile(path) ? new WrappedWrite(write, commit: CommitAsync) : write;
        }

        private async Task<StoredObject> CommitAsync(Func<Task<StoredObject>> commit)
        {
            var stored = await commit();
            if (Interlocked.Increment(ref _seen) == 1)
            {
                FirstCommitted.SetResult();
                await Release.Task;
            }

            return stored;
        }
    }

    /// <summary>
    /// Quarter files are finished two at a time: the first quarter's file is held at its first write after the header
    /// until the last quarter's file, finished beside it, has failed at its own (as a full disk would fail it).
    /// </summary>
    private sealed class FinishFailsBesideAnother(IObjectStore inner) : DelegatingStore(inner)
    {
        private readonly List<string> _quarterFiles = [];
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _held;

        /// <summary>Whether the held file was still waiting when the other failed.</summary>
        public bool Overlapped { get; private set; }

        public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            var write = await base.BeginWriteAsync(path, options, cancellationToken);
            if (!IsQuarterFile(path))
            {
                return write;
            }

            lock (_quarterFiles)
            {
                _quarterFiles.Add(path);
            }

            // Past the 4-byte header, the file's row group is being written.
            return new WrappedWrite(write, new PassThroughStream(write.Content, 4, () => DataWrite(path)));
        }

        // Every quarter file is open before the first is finished (the rows are few enough for one row group each).
        private void DataWrite(string path)
        {
            string first, last;
            lock (_quarterFiles)
            {
                first = _quarterFiles.Min(StringComparer.Ordinal)!;
                last = _quarterFiles.Max(StringComparer.Ordinal)!;
            }

            if (path == last)
            {
                _failed.TrySetResult();
                throw new IOException("No space left on device.");
            }

            if (path == first && !_held)
            {
                _held = true;
                Overlapped = _failed.Task.Wait(TimeSpan.FromSeconds(30));
            }
        }
    }
}
