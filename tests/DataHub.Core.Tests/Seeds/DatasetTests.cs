using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Parsing;
using DataHub.Seeds;

namespace DataHub.Core.Tests.Seeds;

/// <summary>The effects and properties the KPI demo, linkage tests and privacy scans rely on.</summary>
public sealed class DatasetTests
{
    private static SyntheticDataset Dataset => GeneratorTests.Dataset;

    [Fact]
    public async Task Cohort_people_have_fewer_da_incidents_in_the_year_after_fs_start_than_before()
    {
        var (before, after) = (0, 0);
        foreach (var (truth, row) in await Rows("police-da-incidents"))
        {
            if (truth.CohortPersonId is null)
            {
                continue;
            }

            var start = Dataset.People[truth.PersonIndex].FsStartDate!.Value;
            var date = (DateOnly)Value(row, "police-da-incidents", "incident_date")!;
            var days = date.DayNumber - start.DayNumber;
            if (days is >= -365 and < 0)
            {
                before++;
            }
            else if (days is >= 0 and < 365)
            {
                after++;
            }
        }

        before.Should().BeGreaterThan(50);
        after.Should().BeLessThan((int)(before * 0.7));
    }

    [Fact]
    public async Task Cohort_pupils_miss_fewer_sessions_after_fs_start()
    {
        long[] possible = [0, 0], absent = [0, 0];
        foreach (var (truth, row) in await Rows("school-attendance"))
        {
            if (truth.CohortPersonId is null)
            {
                continue;
            }

            var after = (DateOnly)Value(row, "school-attendance", "period_start")! >= Dataset.People[truth.PersonIndex].FsStartDate!.Value ? 1 : 0;
            possible[after] += (int)Value(row, "school-attendance", "possible_sessions")!;
            absent[after] += (int)Value(row, "school-attendance", "authorised_absence_sessions")! + (int)Value(row, "school-attendance", "unauthorised_absence_sessions")!;
        }

        var rateBefore = (double)absent[0] / possible[0];
        var rateAfter = (double)absent[1] / possible[1];
        rateAfter.Should().BeLessThan(rateBefore * 0.8);
    }

    [Fact]
    public async Task Tops_days_of_use_fall_between_first_and_last_form_for_most_clients()
    {
        var byClient = (await Rows("substance-misuse-tops"))
            .GroupBy(r => r.Truth.PersonIndex)
            .Where(g => g.Count() >= 2)
            .Select(g => g.OrderBy(r => (DateOnly)Value(r.Row, "substance-misuse-tops", "form_date")!).ToArray())
            .ToArray();
        byClient.Length.Should().BeGreaterThan(10);
        var improved = byClient.Count(forms =>
            (int)Value(forms[^1].Row, "substance-misuse-tops", "substance_use_days")! < (int)Value(forms[0].Row, "substance-misuse-tops", "substance_use_days")!);
        improved.Should().BeGreaterThan(byClient.Length / 2);
        improved.Should().BeLessThan(byClient.Length, "some clients do not improve");
    }

    [Fact]
    public async Task Some_children_have_repeat_cp_plans_and_some_have_periods_of_care()
    {
        var plans = (await Rows("csc-cp-plans")).GroupBy(r => r.Truth.CohortPersonId).ToArray();
        plans.Should().Contain(g => g.Count() >= 2);
        (await Rows("csc-cla-periods")).Should().NotBeEmpty();
        var openPlans = plans.SelectMany(g => g).Count(r => Value(r.Row, "csc-cp-plans", "end_date") is null);
        openPlans.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Some_substance_misuse_clients_re_present_after_closure()
    {
        var episodes = await Rows("substance-misuse-episodes");
        episodes.GroupBy(r => r.Truth.PersonIndex).Should().Contain(g => g.Count() >= 2);
        episodes.Should().Contain(r => ReferenceLists.CompletedClosureReasons.Contains((string?)Value(r.Row, "substance-misuse-episodes", "closure_reason")));
    }

    [Fact]
    public void Ground_truth_covers_every_key_ambiguity_and_non_cohort_records()
    {
        var keys = Dataset.Records.Select(r => r.ExpectedKey).Distinct().ToArray();
        keys.Should().Contain(["nhs", "upn", "name_dob", "attributor", "local", "ambiguous", "none"]);
        Dataset.Records.Where(r => r.ExpectedPersonId is not null).Should().OnlyContain(r => r.ExpectedPersonId == r.CohortPersonId);
        Dataset.Records.Where(r => r.ExpectedKey == "none").Should().Contain(r => r.CohortPersonId == null);
        Dataset.Records.Where(r => r.ExpectedKey == "ambiguous").Should().OnlyContain(r => r.ExpectedPersonId == null);
    }

    [Fact]
    public void Ground_truth_has_a_record_for_every_person_level_row()
    {
        foreach (var file in Dataset.Files.Where(f => f.Feed != "health-aggregates" && f.FileName.EndsWith(".csv", StringComparison.Ordinal)))
        {
            var lines = Encoding.UTF8.GetString(file.Content).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length;
            Dataset.Records.Count(r => r.FileName == file.FileName).Should().Be(lines - 1, file.LandingPath);
        }
    }

    [Fact]
    public void Optional_nhs_numbers_and_upns_are_missing_for_a_realistic_share()
    {
        var cohort = Dataset.People.Where(p => p.InCohort).ToArray();
        cohort.Average(p => p.CscHasNhs ? 1.0 : 0.0).Should().BeInRange(0.7, 0.95);
        var pupils = cohort.Where(p => p.Upn is not null).ToArray();
        pupils.Should().Contain(p => !p.CscHasUpn).And.Contain(p => p.CscHasUpn);
    }

    [Fact]
    public void Raw_values_hold_every_identifier_name_and_date_of_birth_as_written()
    {
        var raw = Dataset.RawValues;
        var cohort = Dataset.People.Where(p => p.InCohort).ToArray();
        raw.Identifiers.Should().Contain(cohort.Select(p => p.PersonId!));
        raw.Identifiers.Should().Contain(cohort.Where(p => p.CscHasNhs).Select(p => p.NhsNumber));
        raw.Identifiers.Should().Contain(cohort.Where(p => p.CscHasUpn).Select(p => p.Upn!));
        raw.DatesOfBirth.Should().Contain(cohort.Select(p => p.DateOfBirth.ToString("yyyy-MM-dd")));
        raw.DatesOfBirth.Should().Contain(cohort.Select(p => p.DateOfBirth.ToString("dd/MM/yyyy")));
        raw.Names.Should().Contain(cohort.Select(p => p.Surname)).And.OnlyContain(n => n.Length >= 2);
        raw.Identifiers.Should().Contain(id => id.StartsWith("SM", StringComparison.Ordinal), "substance misuse client ids are identifiers");
        raw.Identifiers.Should().Contain(id => id.Contains(' ', StringComparison.Ordinal), "NHS numbers written with spaces are kept as written");

        // Every name recorded was really written somewhere, so a scan for them is a scan for what partners sent.
        var text = string.Concat(Dataset.Files.Select(FileText));
        raw.Names.Should().OnlyContain(n => text.Contains(n, StringComparison.Ordinal));
        raw.Identifiers.Where(id => id.Length > 10 || id.StartsWith('P')).Should().OnlyContain(id => text.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public void Health_aggregates_cover_each_cohort_from_its_first_quarter_and_never_exceed_the_cohort()
    {
        var text = Encoding.UTF8.GetString(Dataset.FilesOf("health-aggregates").Single().Content);
        var rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToArray();
        rows.Select(r => r[1]).Distinct().Should().BeEquivalentTo(SyntheticHub.Cohorts.Select(c => c.Label));
        rows.Where(r => r[1] == "C1").Select(r => r[0]).Should().Contain("2017Q4").And.Contain("2021Q1").And.NotContain("2017Q3");
        rows.Should().OnlyContain(r => int.Parse(r[5]) <= int.Parse(r[4]) && int.Parse(r[6]) >= int.Parse(r[5]));
    }

    [Fact]
    public void Streaming_writer_gives_the_same_bytes_as_the_in_memory_dataset()
    {
        var streamed = new Dictionary<string, byte[]>();
        SyntheticHub.WriteTo(new SeedOptions(), (partner, feed, name) => new CapturingStream(bytes => streamed[$"{partner}/{feed}/{name}"] = bytes));
        streamed.Keys.Should().BeEquivalentTo(Dataset.Files.Select(f => f.LandingPath));
        foreach (var file in Dataset.Files)
        {
            streamed[file.LandingPath].Should().Equal(file.Content, file.LandingPath);
        }
    }

    [Fact]
    public void Families_option_scales_the_dataset()
    {
        var small = SyntheticHub.Generate(new SeedOptions { Families = 12, GroundTruth = false });
        small.People.Count(p => p.InCohort).Should().BeLessThan(Dataset.People.Count(p => p.InCohort) / 3);
        small.Records.Should().BeEmpty();
        small.Files.Select(f => f.Feed).Distinct().Should().HaveCount(10);
    }

    [Fact]
    public async Task Large_police_extract_streams_valid_rows_deterministically()
    {
        using var first = new MemoryStream();
        LargeExtracts.WritePoliceIncidentsCsv(first, 20_000, seed: 3);
        using var second = new MemoryStream();
        LargeExtracts.WritePoliceIncidentsCsv(second, 20_000, seed: 3);
        first.ToArray().Should().Equal(second.ToArray());

        using var reader = FeedReader.Open(new MemoryStream(first.ToArray()), "big.csv", FeedCatalog.Find("police-da-incidents")!);
        var count = 0;
        await foreach (var row in reader.ReadRowsAsync())
        {
            row.IsValid.Should().BeTrue();
            count++;
        }

        count.Should().Be(20_000);
    }

    private static string FileText(SyntheticFile file)
    {
        if (file.FileName.EndsWith(".xlsx", StringComparison.Ordinal))
        {
            using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(file.Content));
            using var sheet = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
            return sheet.ReadToEnd();
        }

        return file.Partner == "da-programmes"
            ? CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetString(file.Content)
            : Encoding.UTF8.GetString(file.Content);
    }

    private static object? Value(ParsedRow row, string feed, string field) =>
        row.Values[FeedCatalog.Find(feed)!.Fields.ToList().FindIndex(f => f.Name == field)];

    private static async Task<List<(RecordTruth Truth, ParsedRow Row)>> Rows(string feed)
    {
        var result = new List<(RecordTruth, ParsedRow)>();
        foreach (var file in Dataset.FilesOf(feed))
        {
            var truth = Dataset.Records.Where(r => r.FileName == file.FileName).ToDictionary(r => r.Line);
            using var reader = FeedReader.Open(new MemoryStream(file.Content), file.FileName, FeedCatalog.Find(feed)!);
            await foreach (var row in reader.ReadRowsAsync())
            {
                result.Add((truth[row.Line], row.Row!));
            }
        }

        return result;
    }

    private sealed class CapturingStream(Action<byte[]> done) : MemoryStream
    {
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                done(ToArray());
            }

            base.Dispose(disposing);
        }
    }
}
