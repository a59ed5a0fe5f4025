using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>
/// A folder or file in landing the hub's user cannot open (a partner's SFTP upload left it mode 000, or owned by another
/// user) is never skipped unseen: it is listed, refused by its label once per version, left in landing for an operator,
/// and ingested once its permissions are fixed, while every other partner's files go on flowing.
/// </summary>
public sealed class LandingUnreadableTests
{
    private const string Police = "landing/police/police-da-incidents";
    private const string Schools = "landing/schools/school-attendance";
    private const string PersonName = "Zebedee Quillfeather";
    private const string Csv = HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\n";

    [AccessDeniedFact]
    public async Task A_folder_the_hub_cannot_open_is_listed_as_one_entry_beside_the_other_files()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Police}/jan.csv");
        Drop(fixture, $"{Schools}/{PersonName}/attendance.csv");
        using var closed = new DeniedAccess(fixture.Store.FullPath($"{Schools}/{PersonName}"));

        var listed = await fixture.Store.ListAsync("landing/", default).ToListAsync();

        listed.Select(o => o.Path).Should().Equal([$"{Police}/jan.csv", $"{Schools}/{PersonName}"], "the folder the hub cannot open is listed, not skipped");
        (await fixture.Store.ListAsync("landing/", default).ToListAsync()).Select(o => o.ETag).Should().Equal(listed.Select(o => o.ETag), "it settles, so the runner hands it on");
    }

    [AccessDeniedFact]
    public async Task A_folder_the_hub_cannot_open_is_refused_by_its_label_once_and_left_in_landing()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Schools}/{PersonName}/attendance.csv");
        using var closed = new DeniedAccess(fixture.Store.FullPath($"{Schools}/{PersonName}"));
        var entry = await fixture.Store.ListAsync("landing/", default).SingleAsync();

        var first = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);
        var again = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);

        first.Status.Should().Be(IngestStatus.Refused, first.Message);
        first.Rule.Should().Be(LandingPath.UnreadableRule);
        first.SafeLandingPath.Should().Be(fixture.Labels.LandingPath(entry.Path, fixture.Hub.Protocols)).And.StartWith($"{Schools}/file-");
        again.Status.Should().Be(IngestStatus.Ignored, "a restart or the next sweep does not report it again");
        (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused).Which.Entry.Rule.Should().Be(LandingPath.UnreadableRule);
        var written = string.Join('\n', (await fixture.AuditAsync()).Select(e => e.Entry.Path + e.Entry.Detail)) + first.Message + fixture.Text(first.ReportPath!);
        written.Should().NotContain("Zebedee").And.NotContain("attendance.csv");
        closed.Restore();
        File.Exists(fixture.Store.FullPath($"{Schools}/{PersonName}/attendance.csv")).Should().BeTrue("nothing in it is moved or lost");
    }

    [AccessDeniedFact]
    public async Task The_sweep_refuses_a_folder_the_hub_cannot_open_and_ingests_the_other_partners_file()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Police}/jan.csv");
        Drop(fixture, $"{Schools}/{PersonName}/attendance.csv");
        using var closed = new DeniedAccess(fixture.Store.FullPath(Schools));
        fixture.AdvanceToAge(TimeSpan.FromHours(1));

        var swept = await new LandingSweep(fixture.Hub).RunAsync(default);

        swept.Outcomes.Select(o => (o.Status, o.Rule)).Should().BeEquivalentTo([(IngestStatus.Stored, (string?)null), (IngestStatus.Refused, LandingPath.UnreadableRule)]);
    }

    [AccessDeniedFact]
    public async Task A_file_the_hub_cannot_read_is_refused_by_its_label_once_and_left_in_landing()
    {
        using var fixture = new HubFixture();
        var path = $"{Police}/{PersonName}.csv";
        Drop(fixture, path);
        using var closed = new DeniedAccess(fixture.Store.FullPath(path));
        var entry = await fixture.Store.ListAsync("landing/", default).SingleAsync();

        var first = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);
        var again = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);

        first.Status.Should().Be(IngestStatus.Refused, first.Message);
        first.Rule.Should().Be(LandingPath.UnreadableRule);
        again.Status.Should().Be(IngestStatus.Ignored, "reported once per version, not on every poll");
        (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused).Which.Entry.Rule.Should().Be(LandingPath.UnreadableRule);
        var written = string.Join('\n', (await fixture.AuditAsync()).Select(e => e.Entry.Path + e.Entry.Detail)) + first.Message + fixture.Text(first.ReportPath!);
        written.Should().NotContain("Zebedee");
        File.Exists(fixture.Store.FullPath(path)).Should().BeTrue("it stays in landing for an operator");
    }

    [AccessDeniedFact]
    public async Task A_file_the_hub_cannot_read_whose_name_sends_it_to_quarantine_is_refused_by_its_label_once_and_left_in_landing()
    {
        using var fixture = new HubFixture();
        string[] paths = [$"{Police}/sub/{PersonName}.csv", $"{Police}/.{PersonName}.csv"];
        var closed = new List<DeniedAccess>();
        foreach (var path in paths)
        {
            Drop(fixture, path);
            closed.Add(new DeniedAccess(fixture.Store.FullPath(path)));
        }

        try
        {
            var entries = await fixture.Store.ListAsync("landing/", default).ToListAsync();
            var first = new List<IngestOutcome>();
            var again = new List<IngestOutcome>();
            foreach (var entry in entries)
            {
                first.Add(await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default));
                again.Add(await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default));
            }

            entries.Select(e => e.Path).Should().BeEquivalentTo(paths);
            first.Should().OnlyContain(o => o.Status == IngestStatus.Refused && o.Rule == LandingPath.UnreadableRule, string.Join("\n", first.Select(o => o.Message)));
            again.Should().OnlyContain(o => o.Status == IngestStatus.Ignored, "reported once per version, not on every poll");
            (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.PathRefused).Select(e => e.Entry.Rule).Should().Equal(LandingPath.UnreadableRule, LandingPath.UnreadableRule);
            var written = string.Join('\n', (await fixture.AuditAsync()).Select(e => e.Entry.Path + e.Entry.Detail)) + string.Join('\n', first.Select(o => o.Message + fixture.Text(o.ReportPath!)));
            written.Should().NotContain("Zebedee");
            (await fixture.ListAsync("quarantine/_unrouted/")).Should().BeEmpty("nothing of a file the hub cannot read is copied out of landing");
            paths.Should().OnlyContain(p => File.Exists(fixture.Store.FullPath(p)), "it stays in landing for an operator");
        }
        finally
        {
            closed.ForEach(c => c.Dispose());
        }
    }

    [AccessDeniedFact]
    public async Task A_file_refused_as_unreadable_is_ingested_once_its_permissions_are_fixed()
    {
        using var fixture = new HubFixture();
        var path = $"{Police}/{PersonName}.csv";
        Drop(fixture, path);
        using var closed = new DeniedAccess(fixture.Store.FullPath(path));
        var entry = await fixture.Store.ListAsync("landing/", default).SingleAsync();
        await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);

        closed.Restore();
        var fixedEntry = await fixture.Store.ListAsync("landing/", default).SingleAsync();
        var outcome = await new IngestExtract(fixture.Hub).HandleAsync(fixedEntry.Path, fixedEntry.ETag, default);

        outcome.Status.Should().Be(IngestStatus.Stored, "the chmod is the whole fix: a refusal is not kept for ever: " + outcome.Message);
    }

    [AccessDeniedFact]
    public async Task A_file_in_a_folder_the_hub_can_list_but_not_enter_is_listed_and_refused_not_skipped()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Police}/jan.csv");
        Drop(fixture, $"{Schools}/{PersonName}.csv");
        using var readOnly = new DeniedAccess(fixture.Store.FullPath(Schools), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var listed = await fixture.Store.ListAsync("landing/", default).ToListAsync();
        var entry = listed.Should().ContainSingle(o => o.Path.StartsWith(Schools + "/", StringComparison.Ordinal), "a name listed but not reachable is not dropped").Subject;
        var outcome = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);

        outcome.Status.Should().Be(IngestStatus.Refused, outcome.Message);
        outcome.Rule.Should().Be(LandingPath.UnreadableRule);
    }

    [AccessDeniedFact]
    public async Task The_store_says_a_folder_or_file_it_cannot_open_is_unreachable_naming_no_path_never_gone()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Police}/{PersonName}.csv");
        Drop(fixture, $"{Schools}/{PersonName}/attendance.csv");
        using var file = new DeniedAccess(fixture.Store.FullPath($"{Police}/{PersonName}.csv"));
        using var folder = new DeniedAccess(fixture.Store.FullPath($"{Schools}/{PersonName}"));

        var read = () => fixture.Store.OpenReadAsync($"{Police}/{PersonName}.csv", null, default);
        var look = () => fixture.Store.GetAsync($"{Schools}/{PersonName}", default);
        var lookInside = () => fixture.Store.GetAsync($"{Schools}/{PersonName}/attendance.csv", default);
        var delete = () => fixture.Store.DeleteAsync($"{Schools}/{PersonName}", null, default);

        (await read.Should().ThrowAsync<ObjectUnreachableException>()).Which.Message.Should().NotContain("Zebedee");
        (await look.Should().ThrowAsync<ObjectUnreachableException>()).Which.Cause.Should().Be(UnreachableCause.AccessDenied);
        await lookInside.Should().ThrowAsync<ObjectUnreachableException>("what is in it cannot be known, so it is not taken for gone");
        await delete.Should().ThrowAsync<ObjectUnreachableException>("it is not there to delete, and must not be taken for gone");
    }

    [AccessDeniedFact]
    public async Task A_folder_the_hub_cannot_open_in_the_raw_archive_is_warned_of_by_its_label_and_retention_goes_on()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Logging = logs };
        var stored = await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        Drop(fixture, $"landing/_processed/police/{PersonName}/attendance.csv");
        using var closed = new DeniedAccess(fixture.Store.FullPath($"landing/_processed/police/{PersonName}"));
        fixture.AdvanceToAge(TimeSpan.FromDays(40));

        var outcome = await new EnforceRetention(hub).RunAsync(default);

        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/";
        outcome.Deleted.Should().Contain(d => d.Path.StartsWith(archived, StringComparison.Ordinal), "the hub's own archive entry is past its retention");
        logs.Warnings.Should().ContainSingle(w => w.StartsWith("Retention cannot delete", StringComparison.Ordinal)).Which.Should().Contain("cannot open").And.Contain("landing/_processed/~file-").And.NotContain("Zebedee");
    }

    [AccessDeniedFact]
    public async Task The_clean_up_of_interrupted_writes_warns_by_label_of_a_folder_it_cannot_open()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Logging = logs };
        Drop(fixture, $"{Schools}/{PersonName}/attendance.csv");
        using var closed = new DeniedAccess(fixture.Store.FullPath($"{Schools}/{PersonName}"));

        await new InterruptedWork(hub).RunAsync(default);

        logs.Warnings.Should().ContainSingle(w => w.Contains("cannot open", StringComparison.Ordinal), "an interrupted write in it (raw data) could not be looked for")
            .Which.Should().Contain($"{Schools}/file-").And.NotContain("Zebedee");
    }

    [AccessDeniedFact]
    public async Task A_landing_folder_the_hub_cannot_open_fails_the_listing_rather_than_listing_nothing()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Police}/{PersonName}.csv");
        using var closed = new DeniedAccess(fixture.Store.FullPath("landing/x")[..^2]);

        var list = () => fixture.Store.ListAsync("landing/", default).ToListAsync().AsTask();

        (await list.Should().ThrowAsync<UnauthorizedAccessException>("an empty landing would be every file never seen")).Which.Message.Should().NotContain("Zebedee");
    }

    [AccessDeniedFact]
    public async Task Clean_up_removes_no_mart_file_when_the_hub_cannot_open_a_feeds_batch_manifests()
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        var marts = (await fixture.ListAsync("secure/police-da-incidents/quarter=")).Where(p => p.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        using var closed = new DeniedAccess(fixture.Store.FullPath("secure/police-da-incidents/" + DataHub.Core.Marts.MartManifest.Folder));
        var damaged = new List<string>();

        await new InterruptedWork(fixture.Hub).RunAsync(default);
        await new DataHub.Core.Marts.MartCatalog(fixture.Store).ScanFeedsAsync((_, ex) => damaged.Add(ex.Message), default).ToListAsync();

        stored.Status.Should().Be(IngestStatus.Stored, stored.Message);
        damaged.Should().ContainSingle().Which.Should().Contain("cannot open").And.Contain("chmod u+rx")
            .And.NotContain("is a file").And.NotContain("move the file aside", "moving the manifests folder aside would make clean-up delete every quarter file of the feed");
        marts.Should().NotBeEmpty();
        marts.Should().OnlyContain(p => File.Exists(fixture.Store.FullPath(p)), "manifests the hub cannot read are not no manifests: no quarter file is taken for an interrupted commit's");
    }

    [AccessDeniedFact]
    public async Task A_feed_folder_the_hub_cannot_open_makes_the_feed_damaged_never_empty()
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        var marts = stored.MartFiles!.ToList();
        using var closed = new DeniedAccess(fixture.Store.FullPath("secure/police-da-incidents"));
        var catalog = new DataHub.Core.Marts.MartCatalog(fixture.Store);
        var damaged = new List<string>();

        var committed = () => catalog.CommittedAsync("police-da-incidents", default);
        var feeds = await catalog.ScanFeedsAsync((feed, _) => damaged.Add(feed), default).ToListAsync();
        await new InterruptedWork(fixture.Hub).RunAsync(default);

        stored.Status.Should().Be(IngestStatus.Stored, stored.Message);
        (await committed.Should().ThrowAsync<DataHub.Core.Marts.DamagedManifestException>("a feed whose folder cannot be opened is not a feed with no batches")).Which.Message.Should().NotContain("jan.csv");
        damaged.Should().Equal("police-da-incidents");
        feeds.Select(f => f.Feed).Should().NotContain("police-da-incidents").And.NotBeEmpty("the other feeds are still scanned");
        closed.Restore();
        marts.Should().NotBeEmpty().And.OnlyContain(p => File.Exists(fixture.Store.FullPath(p)));
    }

    [AccessDeniedFact]
    public async Task Retention_keeps_an_expired_batch_whole_when_the_hub_cannot_reach_one_of_its_files_and_goes_on()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Logging = logs };
        var stored = await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        var quarter = stored.MartFiles!.Single(p => p.Contains("/quarter=", StringComparison.Ordinal));
        using var closed = new DeniedAccess(Path.GetDirectoryName(fixture.Store.FullPath(quarter))!);
        fixture.Clock.Advance(TimeSpan.FromDays(2556));

        var outcome = await new EnforceRetention(hub).RunAsync(default);

        stored.Status.Should().Be(IngestStatus.Stored, stored.Message);
        outcome.Deleted.Should().NotContain(d => d.Rule == EnforceRetention.MartRule, "a batch goes whole or not at all: its manifest is not withdrawn while a file of it cannot be deleted");
        File.Exists(fixture.Store.FullPath(DataHub.Core.Marts.MartManifest.PathFor("police-da-incidents", stored.BatchId!))).Should().BeTrue();
        logs.Warnings.Should().Contain(w => w.StartsWith("Retention cannot delete", StringComparison.Ordinal) && w.Contains("cannot open", StringComparison.Ordinal));
    }

    [AccessDeniedFact]
    public async Task Retention_warns_by_label_of_a_batch_file_it_may_read_but_not_remove_and_goes_on()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Logging = logs };
        var stored = await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        var quarter = stored.MartFiles!.Single(p => p.Contains("/quarter=", StringComparison.Ordinal));
        using var readOnly = new DeniedAccess(Path.GetDirectoryName(fixture.Store.FullPath(quarter))!, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        fixture.Clock.Advance(TimeSpan.FromDays(2556));

        var run = () => new EnforceRetention(hub).RunAsync(default);

        stored.Status.Should().Be(IngestStatus.Stored, stored.Message);
        await run.Should().NotThrowAsync("one file that cannot be removed must not stop the run part-way through a batch");
        logs.Warnings.Should().Contain(w => w.StartsWith("Retention cannot delete", StringComparison.Ordinal) && w.Contains("may not remove", StringComparison.Ordinal));
        File.Exists(fixture.Store.FullPath(quarter)).Should().BeTrue("it is left, for clean-up once access is given back");
    }

    [AccessDeniedFact]
    public async Task Clean_up_takes_a_feed_whose_batch_manifest_the_hub_cannot_read_as_damaged_and_removes_none_of_its_files()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Logging = logs };
        var stored = await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        var manifest = DataHub.Core.Marts.MartManifest.PathFor("police-da-incidents", stored.BatchId!);
        var marts = stored.MartFiles!.Where(p => p != manifest).ToList();
        using var closed = new DeniedAccess(fixture.Store.FullPath(manifest));

        var cleanUp = () => new InterruptedWork(hub).RunAsync(default);

        await cleanUp.Should().NotThrowAsync("one feed's unreadable manifest must not stop every command at start-up");
        marts.Should().NotBeEmpty().And.OnlyContain(p => File.Exists(fixture.Store.FullPath(p)), "a manifest the hub cannot read is not no manifest");
        logs.Errors.Should().ContainSingle(e => e.Contains("police-da-incidents", StringComparison.Ordinal) && e.Contains("damaged", StringComparison.Ordinal));
    }

    [AccessDeniedFact]
    public async Task Clean_up_takes_a_feed_whose_batch_manifests_folder_the_hub_can_list_but_not_enter_as_damaged()
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        var manifest = DataHub.Core.Marts.MartManifest.PathFor("police-da-incidents", stored.BatchId!);
        var marts = stored.MartFiles!.Where(p => p != manifest).ToList();
        using var readOnly = new DeniedAccess(Path.GetDirectoryName(fixture.Store.FullPath(manifest))!, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var damaged = new List<string>();

        var feeds = await new DataHub.Core.Marts.MartCatalog(fixture.Store).ScanFeedsAsync((feed, _) => damaged.Add(feed), default).ToListAsync();
        var cleanUp = () => new InterruptedWork(fixture.Hub).RunAsync(default);

        damaged.Should().Equal("police-da-incidents");
        feeds.Select(f => f.Feed).Should().NotContain("police-da-incidents").And.NotBeEmpty("the other feeds are still scanned");
        await cleanUp.Should().NotThrowAsync();
        marts.Should().NotBeEmpty().And.OnlyContain(p => File.Exists(fixture.Store.FullPath(p)));
    }

    private static void Drop(HubFixture fixture, string path)
    {
        var file = fixture.Store.FullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, Csv);
    }
}
