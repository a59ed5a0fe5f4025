using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Receipts;
using DataHub.Core.Retention;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Core.Tests.Ingestion;
using DataHub.Testing;

namespace DataHub.Core.Tests.Marts;

/// <summary>
/// A batch manifest that becomes unreadable after its feed was listed (damaged, another batch's, or closed to the hub's
/// user) is damaged wherever one batch's manifest is read on its own, as it is in a listing: the rollup refuses naming it,
/// clean-up keeps every file it may list and goes on, and a retry over it stores its batch.
/// </summary>
public sealed class UnreadableManifestTests
{
    private const string Feed = "police-da-incidents";
    private const string Cohort = "csc-people";

    // Refused on the re-check itself: before, the damaged manifest was taken for withdrawn and the marts were all read again,
    // the refusal coming only from the second listing.
    [Fact]
    public async Task The_rollup_refuses_at_once_naming_the_batch_whose_manifest_is_damaged_while_its_file_is_read()
    {
        using var hub = new HubFixture();
        await AttemptNameTests.LandCohortAsync(hub);
        var batch = (await new MartCatalog(hub.Store).CommittedAsync(Cohort, default)).Single();
        var store = new ManifestSpoiltOnFileRead(hub.Store, batch.Files[0].Path, () => File.WriteAllText(hub.Store.FullPath(batch.Path), "{\"BatchId\":"));

        var load = () => new MartLoader(store).LoadAsync(default);

        (await load.Should().ThrowAsync<RollupInputException>()).Which.Message.Should().Contain(batch.Path).And.Contain("damaged");
        store.Listed.Count(p => p == $"secure/{Cohort}/{MartManifest.Folder}").Should().Be(1, "a damaged manifest is not a withdrawn batch: the marts are not read again");
    }

    [Fact]
    public async Task The_rollup_refuses_naming_the_batch_whose_manifest_is_replaced_by_another_batchs_while_its_file_is_read()
    {
        using var hub = new HubFixture();
        await AttemptNameTests.LandCohortAsync(hub);
        var batch = (await new MartCatalog(hub.Store).CommittedAsync(Cohort, default)).Single();
        var another = batch with { BatchId = "another-batch" };
        var store = new ManifestSpoiltOnFileRead(hub.Store, batch.Files[0].Path, () => File.WriteAllBytes(hub.Store.FullPath(batch.Path), another.ToJson()));

        var load = () => new MartLoader(store).LoadAsync(default);

        (await load.Should().ThrowAsync<RollupInputException>("a manifest not its batch's says nothing of whether the batch is committed")).Which.Message.Should().Contain(batch.Path).And.Contain("damaged");
    }

    [AccessDeniedFact]
    public async Task The_rollup_refuses_naming_the_batch_whose_manifest_the_hub_may_no_longer_read_while_its_file_is_read()
    {
        using var hub = new HubFixture();
        await AttemptNameTests.LandCohortAsync(hub);
        var batch = (await new MartCatalog(hub.Store).CommittedAsync(Cohort, default)).Single();
        DeniedAccess? closed = null;
        var store = new ManifestSpoiltOnFileRead(hub.Store, batch.Files[0].Path, () => closed = new DeniedAccess(hub.Store.FullPath(batch.Path)));

        try
        {
            var load = () => new MartLoader(store).LoadAsync(default);

            (await load.Should().ThrowAsync<RollupInputException>("the rollup refuses rather than fail on an unexplained error or publish without the batch"))
                .Which.Message.Should().Contain(batch.Path).And.Contain("cannot be opened by the hub's user");
        }
        finally
        {
            closed?.Dispose();
        }
    }

    [Fact]
    public async Task Clean_up_keeps_a_file_whose_batch_manifest_is_damaged_after_the_scan_and_finishes()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var (earlier, manifest) = await EarlierAttemptLeftAsync(fixture);
        var hub = fixture.Hub with { Logging = logs, Store = new ManifestSpoiltOnQuarterListing(fixture.Store, Feed, () => File.WriteAllText(fixture.Store.FullPath(manifest), "{\"BatchId\":")) };

        var outcome = await new InterruptedWork(hub).RunAsync(default);

        outcome.UncommittedMartFiles.Should().BeEmpty();
        File.Exists(fixture.Store.FullPath(earlier)).Should().BeTrue("a damaged manifest may list it: it may be committed");
        logs.Errors.Should().ContainSingle().Which.Should().Contain(Feed).And.Contain(manifest).And.Contain("damaged").And.Contain(earlier).And.NotContain("jan.csv");
    }

    [AccessDeniedFact]
    public async Task Clean_up_keeps_a_file_whose_batch_manifest_the_hub_may_no_longer_read_after_the_scan_and_finishes()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var (earlier, manifest) = await EarlierAttemptLeftAsync(fixture);
        DeniedAccess? closed = null;
        var hub = fixture.Hub with { Logging = logs, Store = new ManifestSpoiltOnQuarterListing(fixture.Store, Feed, () => closed = new DeniedAccess(fixture.Store.FullPath(manifest))) };

        try
        {
            var outcome = await new InterruptedWork(hub).RunAsync(default);

            outcome.UncommittedMartFiles.Should().BeEmpty();
            File.Exists(fixture.Store.FullPath(earlier)).Should().BeTrue("a manifest the hub cannot read may list it: it may be committed");
            logs.Errors.Should().ContainSingle().Which.Should().Contain(Feed).And.Contain(manifest).And.Contain("cannot be opened by the hub's user").And.Contain(earlier).And.NotContain("jan.csv");
        }
        finally
        {
            closed?.Dispose();
        }
    }

    // The earlier attempt's manifest (a worker committed and was killed before its receipt) cannot be read: its files cannot
    // be known, so none is removed by the retry; its manifest is replaced, and clean-up then removes the files no manifest lists.
    [AccessDeniedFact]
    public async Task A_retry_over_a_manifest_the_hub_may_not_read_stores_its_batch_and_leaves_the_earlier_files_to_clean_up()
    {
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync(ClaimRecoveryTests.Path, ClaimRecoveryTests.Content);
        var manifest = MartManifest.PathFor(Feed, stored.BatchId!);
        var earlierFiles = await hub.ListAsync($"secure/{Feed}/quarter=");
        AttemptNameTests.ClaimedByTheDead(hub, stored.Sha256!);
        using var closed = new DeniedAccess(hub.Store.FullPath(manifest));

        var retry = await hub.DropAndIngestAsync(ClaimRecoveryTests.Path, ClaimRecoveryTests.Content);
        closed.Restore();
        var committed = (await new MartCatalog(hub.Store).CommittedAsync(Feed, default)).Single();
        var left = await hub.ListAsync($"secure/{Feed}/quarter=");
        var cleaned = await new InterruptedWork(hub.Hub).RunAsync(default);

        retry.Status.Should().Be(IngestStatus.Stored, retry.Message);
        committed.Files.Select(f => f.Path).Should().NotIntersectWith(earlierFiles, "the retry's own attempt is committed");
        left.Should().Contain(earlierFiles, "what an unreadable manifest lists is not removed by the retry");
        cleaned.UncommittedMartFiles.Should().BeEquivalentTo(earlierFiles, "once the retry's manifest replaced it, no manifest lists them");
    }

    [AccessDeniedFact]
    public async Task An_ingest_into_a_feed_whose_manifests_folder_the_hub_cannot_open_fails_naming_the_folder_never_the_file()
    {
        using var hub = new HubFixture();
        (await hub.DropAndIngestAsync(ClaimRecoveryTests.Path, ClaimRecoveryTests.Content)).Status.Should().Be(IngestStatus.Stored);
        var folder = $"secure/{Feed}/{MartManifest.Folder}";
        using var closed = new DeniedAccess(hub.Store.FullPath(folder));

        var next = await hub.DropAndIngestAsync("landing/police/police-da-incidents/Zebedee Quillfeather.csv", HubFixture.PoliceHeader + "\nINC3,2018-04-01,victim,Amy,Brown,1992-01-02,F,N,N\n");

        next.Status.Should().Be(IngestStatus.Failed, "no batch of the feed can be committed while its manifests cannot be read");
        next.Message.Should().Contain(folder).And.Contain("chmod u+rx").And.NotContain("Zebedee");
        closed.Restore();
        (await new MartCatalog(hub.Store).CommittedAsync(Feed, default)).Should().ContainSingle("nothing of the failed attempt is committed");
    }

    // Quarantining looks for an earlier attempt's manifest to withdraw: with the folder closed, the attempt fails as a commit
    // would, naming the folder, and the file stays in landing until the folder is opened.
    [AccessDeniedFact]
    public async Task A_file_to_quarantine_in_a_feed_whose_manifests_folder_the_hub_cannot_open_fails_naming_the_folder_never_the_file()
    {
        using var hub = new HubFixture();
        (await hub.DropAndIngestAsync(ClaimRecoveryTests.Path, ClaimRecoveryTests.Content)).Status.Should().Be(IngestStatus.Stored);
        using var closed = new DeniedAccess(hub.Store.FullPath(ClosedFolder));
        var landed = await LandFailingACheckAsync(hub);

        var next = await new IngestExtract(hub.Hub).HandleAsync(ClosedLanding, landed.ETag, default);

        next.Status.Should().Be(IngestStatus.Failed, "whether an earlier attempt committed the batch cannot be known while its manifests cannot be read");
        next.Message.Should().Contain(ClosedFolder).And.Contain("chmod u+rx").And.NotContain("Zebedee");
        File.Exists(hub.Store.FullPath(ClosedLanding)).Should().BeTrue("the file is not lost: it is quarantined once the folder is opened");
        closed.Restore();
        var again = await new IngestExtract(hub.Hub).HandleAsync(ClosedLanding, landed.ETag, default);
        again.Status.Should().Be(IngestStatus.Quarantined, again.Message);
        again.Rule.Should().Be("header.missing_column");
    }

    // The first two attempts fail the check and then their quarantine (it looks for an earlier attempt's manifest to
    // withdraw), the third reaches the poison limit and its poison quarantine fails the same way, the later ones go to poison
    // at once: every one fails, audited failed naming the folder, none is recorded quarantined or poisoned, and nothing of
    // the file is written under quarantine/, as the file never left landing. Before, each quarantine was audited before it
    // failed, and the poison ones escaped the handler.
    [AccessDeniedFact]
    public async Task A_file_to_quarantine_is_never_audited_quarantined_or_poisoned_while_its_feeds_manifests_folder_is_closed()
    {
        using var hub = new HubFixture();
        (await hub.DropAndIngestAsync(ClaimRecoveryTests.Path, ClaimRecoveryTests.Content)).Status.Should().Be(IngestStatus.Stored);
        using var closed = new DeniedAccess(hub.Store.FullPath(ClosedFolder));
        var landed = await LandFailingACheckAsync(hub);

        var outcomes = await AttemptsAsync(hub.Hub, landed, 5);

        outcomes.Should().AllSatisfy(o =>
        {
            o.Status.Should().Be(IngestStatus.Failed, o.Message);
            o.Message.Should().Contain(ClosedFolder).And.Contain("chmod u+rx").And.NotContain("Zebedee");
        });
        var events = await EventsOfAsync(hub, outcomes[0].Sha256!);
        events.Should().NotContain(e => e.Kind == AuditKinds.Quarantined || e.Kind == AuditKinds.Poisoned, "nothing was quarantined: the file is still in landing");
        events.Where(e => e.Kind == AuditKinds.Failed).Should().NotBeEmpty().And.AllSatisfy(e => e.Detail.Should().Contain(ClosedFolder).And.NotContain("Zebedee"));
        File.Exists(hub.Store.FullPath(ClosedLanding)).Should().BeTrue();
        QuarantinedOf(hub, outcomes[0].Sha256!).Should().BeEmpty("no copy or report is left in quarantine that no event accounts for");
        (await hub.AuditAsync()).Should().NotContain(e => e.Entry.Detail != null && e.Entry.Detail.Contains("Zebedee", StringComparison.Ordinal));
    }

    // The attempt that reaches the limit quarantines the file as poison: with the folder closed that quarantine fails, and
    // the attempt is counted once (its failed event), a second event saying its poison quarantine failed, with the folder's
    // message; the claim is let go for a later attempt. Before, the attempt was counted twice (failed_attempts 3, then 4).
    [AccessDeniedFact]
    public async Task The_attempt_reaching_the_poison_limit_with_the_manifests_folder_closed_is_counted_once_and_audited_as_a_failed_poison_quarantine()
    {
        using var hub = new HubFixture();
        (await hub.DropAndIngestAsync(ClaimRecoveryTests.Path, ClaimRecoveryTests.Content)).Status.Should().Be(IngestStatus.Stored);
        using var closed = new DeniedAccess(hub.Store.FullPath(ClosedFolder));
        var landed = await LandFailingACheckAsync(hub);
        var limit = hub.Hub.Ingest.MaxFailedAttempts;
        var before = await AttemptsAsync(hub.Hub, landed, limit - 1);
        var seen = (await hub.AuditAsync()).Count;

        var reaching = await new IngestExtract(hub.Hub).HandleAsync(ClosedLanding, landed.ETag, default);

        reaching.Status.Should().Be(IngestStatus.Failed, "the poison quarantine failed on the folder: the file stays in landing");
        reaching.Rule.Should().Be(IngestExtract.PoisonFailedRule);
        reaching.Message.Should().StartWith("The poison quarantine failed").And.Contain(ClosedFolder).And.Contain("chmod u+rx").And.NotContain("Zebedee");
        var attempt = (await hub.AuditAsync()).Skip(seen).Select(e => e.Entry).Where(e => e.FileSha256 == before[0].Sha256).ToList();
        var failed = attempt.Where(e => e.Kind == AuditKinds.Failed).ToList();
        failed.Select(e => (e.Rule, e.Counts!["failed_attempts"])).Should().Equal(("ingest.failed", (long)limit), (IngestExtract.PoisonFailedRule, (long)limit));
        failed.Should().AllSatisfy(e => e.Detail.Should().Contain(ClosedFolder).And.NotContain("Zebedee"));
        failed[1].Detail.Should().StartWith("The poison quarantine failed");
        attempt.Should().NotContain(e => e.Kind == AuditKinds.Quarantined || e.Kind == AuditKinds.Poisoned);
        var receipt = (await hub.Hub.Receipts.GetAsync(new ReceiptKey("police", Feed, before[0].Sha256!), default))!;
        receipt.State.Should().Be(ReceiptState.Failed, "the claim is let go, so a later attempt takes the file up");
        receipt.FailedAttempts.Should().Be(limit, "one attempt per failure: the failed poison quarantine is part of the third");
        receipt.LastError.Should().NotStartWith("The poison quarantine failed", "the attempt's own error is what a later poison report quotes");
        File.Exists(hub.Store.FullPath(ClosedLanding)).Should().BeTrue();
        QuarantinedOf(hub, before[0].Sha256!).Should().BeEmpty();
    }

    // The closed folder's whole cycle, also where permission bits cannot deny (as root, or on Windows): a store that denies
    // the feed's manifests until they are opened. Every attempt fails (the third counted once, with its failed poison
    // quarantine's own event), none is recorded quarantined or poisoned nor leaves anything in quarantine/, none escapes;
    // once opened, the next attempt quarantines the file as poison, recorded once, the folder's message its last error.
    [Fact]
    public async Task A_file_to_quarantine_while_its_manifests_are_denied_fails_every_attempt_and_is_quarantined_as_poison_once_they_are_opened()
    {
        using var fixture = new HubFixture();
        var store = new ManifestsUnreachable(fixture.Store, UnreachableCause.AccessDenied);
        var hub = fixture.Hub with { Store = store };
        var landed = await LandFailingACheckAsync(fixture);

        var closed = await AttemptsAsync(hub, landed, 5);
        var denied = await EventsOfAsync(fixture, closed[0].Sha256!);
        var leftInQuarantine = QuarantinedOf(fixture, closed[0].Sha256!);
        var afterDenied = (await fixture.Hub.Receipts.GetAsync(new ReceiptKey("police", Feed, closed[0].Sha256!), default))!;
        store.Opened = true;
        var poison = await new IngestExtract(hub).HandleAsync(ClosedLanding, landed.ETag, default);

        closed.Should().AllSatisfy(o =>
        {
            o.Status.Should().Be(IngestStatus.Failed, o.Message);
            o.Message.Should().Contain(ClosedFolder).And.NotContain("Zebedee");
        });
        denied.Should().NotContain(e => e.Kind == AuditKinds.Quarantined || e.Kind == AuditKinds.Poisoned);
        denied.Where(e => e.Kind == AuditKinds.Failed).Select(e => (e.Rule, e.Counts!["failed_attempts"])).Should().Equal(
            ("ingest.failed", 1L), ("ingest.failed", 2L), ("ingest.failed", 3L), (IngestExtract.PoisonFailedRule, 3L), ("ingest.failed", 4L), ("ingest.failed", 5L));
        denied.Where(e => e.Kind == AuditKinds.Failed).Should().AllSatisfy(e => e.Detail.Should().Contain(ClosedFolder).And.NotContain("Zebedee"));
        afterDenied.FailedAttempts.Should().Be(5, "five attempts failed");
        leftInQuarantine.Should().BeEmpty("no copy or report is left in quarantine that no event accounts for");
        poison.Status.Should().Be(IngestStatus.Quarantined, poison.Message);
        poison.Rule.Should().Be("ingest.poison");
        poison.Message.Should().Contain(ClosedFolder, "the folder's message is the last error").And.NotContain("Zebedee");
        var events = await EventsOfAsync(fixture, poison.Sha256!);
        events.Where(e => e.Kind is AuditKinds.Poisoned or AuditKinds.Quarantined).Select(e => (e.Kind, e.Rule)).Should().Equal(
            (AuditKinds.Poisoned, "ingest.poison"), (AuditKinds.Quarantined, "ingest.poison"));
        (await fixture.AuditAsync()).Should().NotContain(e => e.Entry.Rule == "runner.unhandled" || (e.Entry.Detail != null && e.Entry.Detail.Contains("Zebedee", StringComparison.Ordinal)));
        File.Exists(fixture.Store.FullPath(ClosedLanding)).Should().BeFalse();
        File.Exists(fixture.Store.FullPath(poison.QuarantinePath!)).Should().BeTrue();
        var receipt = (await fixture.Hub.Receipts.GetAsync(new ReceiptKey("police", Feed, poison.Sha256!), default))!;
        receipt.State.Should().Be(ReceiptState.Completed);
        receipt.Outcome.Should().Be(ReceiptRules.Quarantined);
    }

    // The attempt reaching the limit finds, in its poison quarantine, the partner's file changed in landing: it ends as an
    // attempt that finds the file changed does (superseded, the claim let go uncounted), rather than escaping the handler.
    [Fact]
    public async Task A_poison_quarantine_after_the_limiting_failure_that_finds_the_file_changed_in_landing_ends_superseded_without_escaping()
    {
        using var fixture = new HubFixture();
        var limit = fixture.Hub.Ingest.MaxFailedAttempts;
        var store = new ManifestsUnreachable(fixture.Store, UnreachableCause.AccessDenied, closedLooks: limit, opened: () => File.WriteAllText(fixture.Store.FullPath(ClosedLanding), "rewritten by the partner\n"));
        var hub = fixture.Hub with { Store = store };
        var landed = await LandFailingACheckAsync(fixture);

        var outcomes = await AttemptsAsync(hub, landed, limit);

        outcomes[^1].Status.Should().Be(IngestStatus.Ignored, outcomes[^1].Message);
        outcomes[^1].Rule.Should().Be(IngestExtract.LandingChangedRule);
        var events = await EventsOfAsync(fixture, outcomes[0].Sha256!);
        events.Select(e => e.Kind).Should().NotContain([AuditKinds.Poisoned, AuditKinds.Quarantined]);
        events.Should().ContainSingle(e => e.Kind == AuditKinds.Superseded).Which.Rule.Should().Be(IngestExtract.LandingChangedRule);
        var receipt = (await fixture.Hub.Receipts.GetAsync(new ReceiptKey("police", Feed, outcomes[0].Sha256!), default))!;
        receipt.State.Should().Be(ReceiptState.Failed, "the claim is let go");
        receipt.FailedAttempts.Should().Be(limit, "the file changing is not a failure of the hub");
    }

    // Only an access denial is the hub's user's permissions: a manifest out of reach for another cause is not reported as
    // closed to the user (with chmod as the fix), but goes out as the store's own error.
    [Fact]
    public async Task A_manifest_out_of_reach_for_another_cause_than_access_is_not_reported_as_closed_to_the_hub()
    {
        using var hub = new HubFixture();
        await AttemptNameTests.LandCohortAsync(hub);
        var batch = (await new MartCatalog(hub.Store).CommittedAsync(Cohort, default)).Single();
        var catalog = new MartCatalog(new ManifestsUnreachable(hub.Store, UnreachableCause.TooDeep));

        var lookUp = () => catalog.ManifestOfAsync(Cohort, batch.BatchId, default);
        var read = () => catalog.ListsAsync(Cohort, batch.BatchId, batch.Files[0].Path, default);

        (await lookUp.Should().ThrowAsync<ObjectUnreachableException>()).Which.Cause.Should().Be(UnreachableCause.TooDeep);
        (await read.Should().ThrowAsync<ObjectUnreachableException>()).Which.Cause.Should().Be(UnreachableCause.TooDeep);
    }

    // A commit's look at what the manifest it replaces lists: only a denial makes that manifest's files unknown (left to
    // clean-up); another cause fails the commit as the store's own error rather than replacing a manifest it never read.
    [Fact]
    public async Task A_commit_over_a_manifest_out_of_reach_for_another_cause_than_access_fails_on_the_stores_error()
    {
        using var hub = new HubFixture();
        await AttemptNameTests.LandCohortAsync(hub);
        var batch = (await new MartCatalog(hub.Store).CommittedAsync(Cohort, default)).Single();
        var manifest = (await hub.Store.GetAsync(batch.Path, default))!;

        var files = () => new MartCatalog(new ManifestsUnreachable(hub.Store, UnreachableCause.TooDeep)).FilesOfAsync(Cohort, manifest, default);

        (await files.Should().ThrowAsync<ObjectUnreachableException>()).Which.Cause.Should().Be(UnreachableCause.TooDeep);
    }

    // A listed manifest out of reach for another cause than access is still damaged (never withdrawn), but its message does
    // not send the operator to fix permissions that are not the cause.
    [Fact]
    public async Task A_listed_manifest_out_of_reach_for_another_cause_than_access_is_damaged_without_a_permissions_fix()
    {
        using var hub = new HubFixture();
        await AttemptNameTests.LandCohortAsync(hub);
        var batch = (await new MartCatalog(hub.Store).CommittedAsync(Cohort, default)).Single();

        var list = () => new MartCatalog(new ManifestsUnreachable(hub.Store, UnreachableCause.TooDeep)).CommittedAsync(Cohort, default);

        var damaged = (await list.Should().ThrowAsync<DamagedManifestException>()).Which;
        damaged.Path.Should().Be(batch.Path);
        damaged.Message.Should().Contain("too deep").And.Contain("A folder nested too deep for the hub")
            .And.NotContain("chmod").And.NotContain("read access").And.NotContain("cannot be opened by the hub's user");
    }

    private const string ClosedFolder = $"secure/{Feed}/{MartManifest.Folder}";

    private const string ClosedLanding = "landing/police/police-da-incidents/Zebedee Quillfeather.csv";

    // A file of the feed missing a column its contract requires: it fails the check and is quarantined.
    private static Task<StoredObject> LandFailingACheckAsync(HubFixture hub)
    {
        var content = HubFixture.PoliceHeader.Replace(",marac_referral", "", StringComparison.Ordinal) + "\nINC3,2018-04-01,victim,Amy,Brown,1992-01-02,F,N\n";
        return hub.Store.WriteAsync(ClosedLanding, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(content), ct).AsTask(), WriteOptions.Default, default);
    }

    private static async Task<List<IngestOutcome>> AttemptsAsync(HubContext hub, StoredObject landed, int count)
    {
        var outcomes = new List<IngestOutcome>();
        for (var i = 0; i < count; i++)
        {
            outcomes.Add(await new IngestExtract(hub).HandleAsync(ClosedLanding, landed.ETag, default));
        }

        return outcomes;
    }

    // What the hub keeps of the content in quarantine (its copy and report are named for its hash).
    private static string[] QuarantinedOf(HubFixture hub, string sha256)
    {
        var folder = hub.Store.FullPath($"quarantine/police/{Feed}");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, sha256[..16] + "*", SearchOption.AllDirectories) : [];
    }

    private static async Task<List<AuditEntry>> EventsOfAsync(HubFixture hub, string sha256) =>
        (await hub.AuditAsync()).Select(e => e.Entry).Where(e => e.FileSha256 == sha256).ToList();

    // A batch stored, and a quarter file of an earlier attempt of it (a claim taken over) that its manifest does not list.
    private static async Task<(string Earlier, string Manifest)> EarlierAttemptLeftAsync(HubFixture fixture)
    {
        var stored = await fixture.DropAndIngestAsync(ClaimRecoveryTests.Path, ClaimRecoveryTests.Content);
        stored.Status.Should().Be(IngestStatus.Stored, stored.Message);
        var file = (await new MartCatalog(fixture.Store).CommittedAsync(Feed, default)).Single().Files[0];
        var earlier = MartSchema.PathFor(Feed, file.Quarter, stored.BatchId!, MartSchema.AttemptOf("an earlier claim's token"));
        await fixture.Store.CopyAsync(file.Path, earlier, default);
        (await fixture.Store.GetAsync(earlier, default))!.Metadata.Should().ContainKey(MartMetadata.BatchId, "clean-up judges only the files a batch writer made");
        return (earlier, MartManifest.PathFor(Feed, stored.BatchId!));
    }

    // The batch's manifest is spoilt once, when a file it lists is first read, and the read finds the file changed: the
    // loader then looks at the manifest again.
    private sealed class ManifestSpoiltOnFileRead(IObjectStore inner, string file, Action spoil) : DelegatingStore(inner)
    {
        private bool _spoilt;

        /// <summary>Every prefix listed, in order.</summary>
        public List<string> Listed { get; } = [];

        public override IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken)
        {
            Listed.Add(prefix);
            return base.ListAsync(prefix, cancellationToken);
        }

        public override Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
        {
            if (_spoilt || !string.Equals(path, file, StringComparison.Ordinal))
            {
                return base.OpenReadAsync(path, ifMatchETag, cancellationToken);
            }

            _spoilt = true;
            spoil();
            throw new ObjectChangedException(path);
        }
    }

    // Every manifest is out of reach for the cause given (a denial, as a closed manifests folder gives) until Opened, or
    // for its first closedLooks looks only (opened then called, once).
    private sealed class ManifestsUnreachable(IObjectStore inner, UnreachableCause cause, int closedLooks = int.MaxValue, Action? opened = null) : DelegatingStore(inner)
    {
        private int _looks;

        public bool Opened { get; set; }

        public override Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken) =>
            IsClosed(path) ? throw new ObjectUnreachableException(path, cause) : base.GetAsync(path, cancellationToken);

        public override Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) =>
            IsClosed(path) ? throw new ObjectUnreachableException(path, cause) : base.OpenReadAsync(path, ifMatchETag, cancellationToken);

        private bool IsClosed(string path)
        {
            if (Opened || !path.Contains($"/{MartManifest.Folder}/", StringComparison.Ordinal))
            {
                return false;
            }

            if (++_looks <= closedLooks)
            {
                return true;
            }

            Opened = true;
            opened?.Invoke();
            return false;
        }
    }

    // The batch's manifest is spoilt once, after the feed's manifests were read and before its quarter files are listed.
    private sealed class ManifestSpoiltOnQuarterListing(IObjectStore inner, string feed, Action spoil) : DelegatingStore(inner)
    {
        private bool _spoilt;

        public override IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken)
        {
            if (!_spoilt && string.Equals(prefix, $"secure/{feed}/quarter=", StringComparison.Ordinal))
            {
                _spoilt = true;
                spoil();
            }

            return base.ListAsync(prefix, cancellationToken);
        }
    }
}
