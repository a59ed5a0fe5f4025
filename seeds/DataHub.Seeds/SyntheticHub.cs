using DataHub.Core.Feeds;

namespace DataHub.Seeds;

/// <summary>The seeded synthetic multi-agency dataset: every demo partner's files for all ten feeds, deterministic from the seed.</summary>
public static class SyntheticHub
{
    /// <summary>The default seed (the first cohort's start, 2017-10-01).</summary>
    public const int DefaultSeed = 20171001;

    /// <summary>The default number of cohort families: small, so the demo and tests are fast.</summary>
    public const int DefaultFamilies = 60;

    /// <summary>The first day the partner extracts cover.</summary>
    public static DateOnly DataStart => World.DataStart;

    /// <summary>The last day the partner extracts cover.</summary>
    public static DateOnly DataEnd => World.DataEnd;

    /// <summary>The KPI toolkit's six cohorts; families are spread evenly across them.</summary>
    public static IReadOnlyList<CohortWindow> Cohorts { get; } =
    [
        new("C1", "Oct–Dec 2017", new DateOnly(2017, 10, 1), new DateOnly(2017, 12, 31)),
        new("C2", "Jan–Mar 2018", new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31)),
        new("C3", "Oct–Dec 2018", new DateOnly(2018, 10, 1), new DateOnly(2018, 12, 31)),
        new("C4", "Jan–Mar 2019", new DateOnly(2019, 1, 1), new DateOnly(2019, 3, 31)),
        new("C5", "Oct–Dec 2019", new DateOnly(2019, 10, 1), new DateOnly(2019, 12, 31)),
        new("C6", "Jan–Mar 2020", new DateOnly(2020, 1, 1), new DateOnly(2020, 3, 31)),
    ];

    /// <summary>How each demo partner writes its CSV files.</summary>
    public static IReadOnlyDictionary<string, CsvStyle> Styles { get; } = new Dictionary<string, CsvStyle>(StringComparer.Ordinal)
    {
        [Partners.Csc] = CsvStyle.Plain,
        [Partners.Police] = new(CsvEncoding.Utf8Bom, UkDates: true, "Y", "N", TitleHeaders: true),
        [Partners.Icb] = CsvStyle.Plain,
        [Partners.SubstanceMisuse] = new(CsvEncoding.Utf8, UkDates: false, "Yes", "No", TitleHeaders: false),
        [Partners.Schools] = new(CsvEncoding.Utf8, UkDates: true, "Y", "N", TitleHeaders: false),
        [Partners.DaProgrammes] = new(CsvEncoding.Windows1252, UkDates: true, "Yes", "No", TitleHeaders: true),
        [Partners.MentalHealth] = new(CsvEncoding.Utf8, UkDates: false, "true", "false", TitleHeaders: false),
    };

    /// <summary>Generates the whole dataset in memory (use <see cref="WriteTo"/> for large sizes).</summary>
    public static SyntheticDataset Generate(SeedOptions? options = null)
    {
        options ??= new SeedOptions();
        var world = new World(options);
        var collector = new Collector(options.GroundTruth, world.People.ToDictionary(p => p.Index, p => p.PersonId!));
        var files = new List<SyntheticFile>();
        foreach (var plan in Plan(world))
        {
            using var buffer = new MemoryStream();
            Write(plan, buffer, collector);
            files.Add(new SyntheticFile(plan.Partner, plan.Feed, plan.FileName, buffer.ToArray()));
        }

        var people = world.People.Concat(world.Outsiders).OrderBy(p => p.Index).Select(p => new SyntheticPerson(
            p.Index, p.PersonId, p.Families.Select(f => f.Key).ToArray(), p.Forename, p.Surname, p.DateOfBirth, p.Sex, p.Nhs, p.Upn,
            p.CscHasNhs, p.CscHasUpn, p.FirstFamily?.FsStart)).ToArray();
        return new SyntheticDataset(options, files, collector.RawValues(), people, collector.Records);
    }

    /// <summary>Streams every file to the stream <paramref name="open"/> returns for it (disposed after writing), holding no
    /// file in memory: for county-scale benchmark data. Returns each file's partner, feed, name and row count.</summary>
    public static IReadOnlyList<(string Partner, string Feed, string FileName, long Rows)> WriteTo(
        SeedOptions options, Func<string, string, string, Stream> open)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(open);
        var world = new World(options);
        var written = new List<(string, string, string, long)>();
        foreach (var plan in Plan(world))
        {
            var rows = 0L;
            using (var stream = open(plan.Partner, plan.Feed, plan.FileName))
            {
                Write(plan, stream, (_, _, _) => rows++);
            }

            written.Add((plan.Partner, plan.Feed, plan.FileName, rows));
        }

        return written;
    }

    /// <summary>Writes every file under <paramref name="landingRoot"/> as <c>{partner}/{feed}/{fileName}</c>.</summary>
    public static IReadOnlyList<(string Partner, string Feed, string FileName, long Rows)> WriteToDirectory(SeedOptions options, string landingRoot) =>
        WriteTo(options, (partner, feed, fileName) =>
        {
            var folder = Path.Combine(landingRoot, partner, feed);
            Directory.CreateDirectory(folder);
            return new FileStream(Path.Combine(folder, fileName), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        });

    private static void Write(FilePlan plan, Stream output, Collector collector) =>
        Write(plan, output, (row, line, _) => collector.Add(plan, row, line));

    private static void Write(FilePlan plan, Stream output, Action<GeneratedRow, long, FilePlan> written)
    {
        var contract = FeedCatalog.Find(plan.Feed)!;
        if (plan.Xlsx)
        {
            var line = 1L;
            XlsxWriter.Write(output, contract.Fields.Select(f => f.Name).ToArray(), plan.Rows.Select(row =>
            {
                written(row, ++line, plan);
                return (IReadOnlyList<object?>)row.Cells;
            }));
        }
        else
        {
            CsvFeedWriter.Write(output, contract, Styles[plan.Partner], plan.Rows, (row, line) => written(row, line, plan));
        }
    }

    private static IEnumerable<FilePlan> Plan(World world)
    {
        var rows = new FeedRows(world);
        yield return new(Partners.Csc, FeedCatalog.CscPeople, "csc-people-2021-03-31.csv", false, rows.CscPeople());
        yield return new(Partners.Csc, FeedCatalog.CscCpPlans, "csc-cp-plans-2021-03-31.csv", false, rows.CpPlans());
        yield return new(Partners.Csc, FeedCatalog.CscClaPeriods, "csc-cla-periods-2021-03-31.csv", false, rows.ClaPeriods());
        yield return new(Partners.Police, FeedCatalog.PoliceDaIncidents, "da-incidents-2016-10-to-2021-03.csv", false, rows.PoliceIncidents());
        yield return new(Partners.Icb, FeedCatalog.HealthAggregates, "health-aggregates-2021Q1.csv", false, rows.HealthAggregates());
        yield return new(Partners.SubstanceMisuse, FeedCatalog.SubstanceMisuseEpisodes, "episodes-2021-03.csv", false, rows.SubstanceMisuse(tops: false));
        yield return new(Partners.SubstanceMisuse, FeedCatalog.SubstanceMisuseTops, "tops-2021-03.csv", false, rows.SubstanceMisuse(tops: true));
        foreach (var (academicYear, attendance) in rows.SchoolAttendance())
        {
            var xlsx = world.Options.SchoolsAsXlsx;
            yield return new(Partners.Schools, FeedCatalog.SchoolAttendance, $"attendance-{academicYear}.{(xlsx ? "xlsx" : "csv")}", xlsx, attendance);
        }

        yield return new(Partners.DaProgrammes, FeedCatalog.DaProgrammes, "da-programmes-2021-03.csv", false, rows.DaProgrammes());
        yield return new(Partners.MentalHealth, FeedCatalog.MentalHealthScores, "mh-scores-2021-03.csv", false, rows.MentalHealthScores());
    }
}

/// <summary>One file to write: where it lands, its format and its rows.</summary>
internal sealed record FilePlan(string Partner, string Feed, string FileName, bool Xlsx, IEnumerable<GeneratedRow> Rows);
