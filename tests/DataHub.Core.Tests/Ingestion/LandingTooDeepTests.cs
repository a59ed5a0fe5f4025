using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>
/// A folder a partner nests past the OS path limit stops no listing, is never skipped unseen, and is refused by its label
/// once, left in landing for an operator, while every other partner's files go on flowing.
/// </summary>
public sealed class LandingTooDeepTests
{
    private const string Police = "landing/police/police-da-incidents";
    private const string Csv = HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\n";

    [Fact]
    public async Task A_folder_nested_past_the_path_limit_is_listed_as_one_entry_beside_the_other_files()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Police}/jan.csv");
        using var deep = new DeepFolder(fixture.Store.FullPath("landing/schools/school-attendance"), DeepFolder.PersonName, 20);

        var listed = await fixture.Store.ListAsync("landing/", default).ToListAsync();

        listed.Select(o => o.Path).Should().Contain($"{Police}/jan.csv");
        listed.Should().ContainSingle(o => o.Path.StartsWith("landing/schools/", StringComparison.Ordinal), "the folder the store cannot walk into is listed, not skipped")
            .Which.Path.Split('/').Length.Should().BeGreaterThan(5);
        (await fixture.Store.ListAsync("landing/", default).ToListAsync()).Select(o => o.ETag).Should().Equal(listed.Select(o => o.ETag), "it settles, so the runner hands it on");
    }

    [Fact]
    public async Task A_folder_nested_past_the_path_limit_is_refused_by_its_label_once_and_left_in_landing()
    {
        using var fixture = new HubFixture();
        using var deep = new DeepFolder(fixture.Store.FullPath("landing/schools/school-attendance"), DeepFolder.PersonName, 20);
        var entry = await fixture.Store.ListAsync("landing/", default).SingleAsync();

        var first = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);
        var again = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);

        first.Status.Should().Be(IngestStatus.Refused, first.Message);
        first.Rule.Should().Be(LandingPath.TooDeepRule);
        first.SafeLandingPath.Should().Be(fixture.Labels.LandingPath(entry.Path, fixture.Hub.Protocols)).And.StartWith("landing/~file-");
        again.Status.Should().Be(IngestStatus.Ignored, "a restart or the next sweep does not report it again");
        (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused).Which.Entry.Rule.Should().Be(LandingPath.TooDeepRule);
        (await fixture.ListAsync("quarantine/_refused/")).Should().ContainSingle(p => p.EndsWith(".report.json", StringComparison.Ordinal));
        var written = string.Join('\n', (await fixture.AuditAsync()).Select(e => e.Entry.Path + e.Entry.Detail)) + first.Message + fixture.Text(first.ReportPath!);
        written.Should().NotContain("Zebedee").And.NotContain("Quillfeather");
        (await fixture.Store.ListAsync("landing/", default).ToListAsync()).Should().ContainSingle("the hub cannot move it; it waits for an operator");
    }

    [Fact]
    public async Task The_sweep_refuses_a_folder_nested_past_the_path_limit_and_ingests_the_other_partners_file()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Police}/jan.csv");
        using var deep = new DeepFolder(fixture.Store.FullPath("landing/schools/school-attendance"), DeepFolder.PersonName, 20);
        fixture.AdvanceToAge(TimeSpan.FromHours(1));

        var swept = await new LandingSweep(fixture.Hub).RunAsync(default);

        swept.Outcomes.Select(o => (o.Status, o.Rule)).Should().BeEquivalentTo([(IngestStatus.Stored, (string?)null), (IngestStatus.Refused, LandingPath.TooDeepRule)]);
    }

    [Fact]
    public async Task The_clean_up_of_interrupted_writes_goes_past_a_folder_nested_past_the_path_limit()
    {
        using var fixture = new HubFixture();
        using var deep = new DeepFolder(fixture.Store.FullPath("landing/schools/school-attendance"), DeepFolder.PersonName, 20);

        var sweep = () => fixture.Store.SweepAsync(_ => { }, default);

        await sweep.Should().NotThrowAsync("no write of the hub's can be down there, and one partner's folder must not stop the hub's start");
    }

    [Fact]
    public async Task A_folder_nested_past_the_path_limit_in_the_raw_archive_is_warned_of_by_its_label_and_retention_goes_on()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Logging = logs };
        var stored = await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        using var deep = new DeepFolder(fixture.Store.FullPath("landing/_processed/police"), DeepFolder.PersonName, 20);
        fixture.AdvanceToAge(TimeSpan.FromDays(40));

        var outcome = await new EnforceRetention(hub).RunAsync(default);

        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/";
        outcome.Deleted.Should().Contain(d => d.Path.StartsWith(archived, StringComparison.Ordinal), "the hub's own archive entry is past its retention");
        logs.Warnings.Should().ContainSingle(w => w.Contains("remove it by hand", StringComparison.Ordinal)).Which.Should().Contain("landing/_processed/~file-").And.NotContain("Zebedee");
    }

    [Fact]
    public async Task A_file_whose_own_path_runs_past_the_limit_in_a_folder_within_it_is_listed_and_refused_not_skipped()
    {
        using var fixture = new HubFixture();
        using var deep = DeepFolder.WithFileJustPastTheLimit(fixture.Store.FullPath("landing/schools/school-attendance"), "attendance", DeepFolder.PersonName[..246] + ".csv");

        var entry = await fixture.Store.ListAsync("landing/", default).SingleAsync();
        var outcome = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);

        entry.Path.Should().EndWith(".csv");
        outcome.Status.Should().Be(IngestStatus.Refused, outcome.Message);
        outcome.Rule.Should().Be(LandingPath.TooDeepRule);
    }

    [Fact]
    public async Task A_folder_nested_past_the_path_limit_under_the_marts_is_listed_and_fails_to_read_rather_than_vanishing()
    {
        using var fixture = new HubFixture();
        using var deep = new DeepFolder(fixture.Store.FullPath("secure/police-da-incidents"), "quarter=2026Q1", 300);

        var entry = await fixture.Store.ListAsync("secure/", default).SingleAsync();
        var read = () => fixture.Store.OpenReadAsync(entry.Path, null, default);
        var deleted = () => fixture.Store.DeleteAsync(entry.Path, null, default);

        (await read.Should().ThrowAsync<ObjectUnreachableException>()).Which.Message.Should().NotContain("quarter=");
        await deleted.Should().ThrowAsync<ObjectUnreachableException>("it is not there to delete, and must not be taken for gone");
    }

    [Fact]
    public async Task A_symbolic_link_whose_path_runs_past_the_limit_stops_no_listing_and_is_refused_by_its_label()
    {
        using var fixture = new HubFixture();
        Drop(fixture, $"{Police}/jan.csv");
        using var deep = DeepFolder.WithLinkJustPastTheLimit(fixture.Store.FullPath("landing/schools/school-attendance"), DeepFolder.PersonName, DeepFolder.PersonName[..246] + ".csv");

        var listed = await fixture.Store.ListAsync("landing/", default).ToListAsync();
        var entry = listed.Should().ContainSingle(o => o.Path.StartsWith("landing/schools/", StringComparison.Ordinal)).Subject;
        var outcome = await new IngestExtract(fixture.Hub).HandleAsync(entry.Path, entry.ETag, default);

        listed.Select(o => o.Path).Should().Contain($"{Police}/jan.csv", "one partner's link stops no other partner's files");
        outcome.Status.Should().Be(IngestStatus.Refused, outcome.Message);
        outcome.Rule.Should().Be(LandingPath.TooDeepRule);
        (outcome.Message + fixture.Text(outcome.ReportPath!)).Should().NotContain("Zebedee");
    }

    [Fact]
    public async Task A_path_past_the_limit_is_not_found_once_the_chain_is_removed_rather_than_unreachable_for_ever()
    {
        using var fixture = new HubFixture();
        var deep = new DeepFolder(fixture.Store.FullPath("secure/police-da-incidents"), "quarter=2026Q1", 300);
        var entry = await fixture.Store.ListAsync("secure/", default).SingleAsync();
        var deeper = entry.Path + "/quarter=2026Q1/part-0.parquet";
        deep.Dispose();

        (await fixture.Store.GetAsync(entry.Path, default)).Should().BeNull("an operator removed the chain: nothing is there");
        (await fixture.Store.GetAsync(deeper, default)).Should().BeNull();
        (await fixture.Store.DeleteAsync(entry.Path, null, default)).Should().BeFalse();
        (await fixture.Store.DeleteAsync(entry.Path, entry.ETag, default)).Should().BeFalse();
        await fixture.Invoking(f => f.Store.OpenReadAsync(deeper, null, default)).Should().ThrowAsync<ObjectNotFoundException>();
    }

    [Fact]
    public async Task A_path_into_a_folder_past_the_limit_that_is_still_there_is_unreachable()
    {
        using var fixture = new HubFixture();
        using var deep = new DeepFolder(fixture.Store.FullPath("secure/police-da-incidents"), "quarter=2026Q1", 300);
        var entry = await fixture.Store.ListAsync("secure/", default).SingleAsync();

        await fixture.Invoking(f => f.Store.GetAsync(entry.Path, default)).Should().ThrowAsync<ObjectUnreachableException>();
        await fixture.Invoking(f => f.Store.GetAsync(entry.Path + "/quarter=2026Q1", default)).Should().ThrowAsync<ObjectUnreachableException>("the first folder past the limit is there; what is below it cannot be known");
    }

    [Fact]
    public async Task A_name_longer_than_the_file_system_allows_is_not_found_rather_than_unreachable()
    {
        using var fixture = new HubFixture();
        var path = $"{Police}/{new string('a', 300)}.csv";

        (await fixture.Store.GetAsync(path, default)).Should().BeNull();
        (await fixture.Store.DeleteAsync(path, null, default)).Should().BeFalse();
    }

    [Fact]
    public async Task Deleting_a_mart_entry_past_the_limit_on_its_version_is_refused_before_any_lock_file_is_made()
    {
        using var fixture = new HubFixture();
        using var deep = new DeepFolder(fixture.Store.FullPath("secure/police-da-incidents"), "quarter=2026Q1", 300);
        var entry = await fixture.Store.ListAsync("secure/", default).SingleAsync();
        var root = Path.GetDirectoryName(Path.GetDirectoryName(fixture.Store.FullPath("secure/x")))!;

        var delete = () => fixture.Store.DeleteAsync(entry.Path, entry.ETag, default);

        (await delete.Should().ThrowAsync<ObjectUnreachableException>()).Which.Message.Should().NotContain("quarter=");
        Directory.Exists(Path.Combine(root, "locks", "secure")).Should().BeFalse("no lock file's folders copy the chain's names");
    }

    [Fact]
    public async Task A_folder_nested_past_the_path_limit_under_the_marts_is_warned_of_by_its_label_and_retention_goes_on()
    {
        var logs = new LoggedLines();
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Logging = logs };
        await fixture.DropAndIngestAsync($"{Police}/jan.csv", Csv);
        using var deep = new DeepFolder(fixture.Store.FullPath("secure/police-da-incidents"), "quarter=2026Q1", 300);
        fixture.AdvanceToAge(TimeSpan.FromDays(4000));

        var outcome = await new EnforceRetention(hub).RunAsync(default);

        outcome.Deleted.Should().Contain(d => d.Path.StartsWith("landing/_processed/police/", StringComparison.Ordinal), "the rest of the run goes on");
        logs.Warnings.Should().ContainSingle(w => w.Contains("remove it by hand", StringComparison.Ordinal)).Which.Should().Contain("secure/~file-").And.NotContain("quarter=");
        (await fixture.ListAsync("audit/retention-pending/")).Should().BeEmpty();
    }

    private static void Drop(HubFixture fixture, string path)
    {
        var file = fixture.Store.FullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, Csv);
    }
}
