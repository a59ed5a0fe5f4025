using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Parsing;

namespace DataHub.Core.Tests.Feeds;

/// <summary>One valid row per feed, written as CSV with chosen cells changed, and helpers to read files in tests.</summary>
internal static class FeedSamples
{
    public const string ValidNhs = "9434765919";
    public const string ValidUpn = "B801200005001";

    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Rows = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        [FeedCatalog.CscPeople] = new Dictionary<string, string>
        {
            ["family_key"] = "F001", ["person_id"] = "P001", ["referral_key"] = "R001", ["nhs_number"] = ValidNhs,
            ["upn"] = ValidUpn, ["forename"] = "Amelie", ["surname"] = "Smith", ["date_of_birth"] = "2010-05-04", ["sex"] = "F",
            ["ethnicity"] = "WBRI", ["relationship"] = "child", ["fs_start_date"] = "2018-01-15", ["fs_end_date"] = "2018-09-30",
            ["fs_team"] = "North", ["referral_start_date"] = "2017-12-01", ["referral_category_of_need"] = "N1",
            ["referral_end_date"] = "2018-10-01", ["previous_referrals"] = "2", ["uasc"] = "N", ["cwd"] = "N", ["worked_with"] = "",
        },
        [FeedCatalog.CscCpPlans] = new Dictionary<string, string>
        {
            ["person_id"] = "P001", ["plan_key"] = "CP1", ["start_date"] = "2018-02-01", ["end_date"] = "2018-08-01",
        },
        [FeedCatalog.CscClaPeriods] = new Dictionary<string, string>
        {
            ["person_id"] = "P001", ["period_key"] = "LA1", ["start_date"] = "2018-03-01", ["end_date"] = "",
        },
        [FeedCatalog.PoliceDaIncidents] = new Dictionary<string, string>
        {
            ["incident_id"] = "INC1", ["incident_date"] = "2017-06-01", ["role"] = "victim", ["forename"] = "Jane",
            ["surname"] = "Smith", ["date_of_birth"] = "1985-02-03", ["sex"] = "F", ["crime"] = "Y", ["marac_referral"] = "N",
        },
        [FeedCatalog.HealthAggregates] = new Dictionary<string, string>
        {
            ["quarter"] = "2018Q1", ["cohort"] = "Cohort 1", ["age_group"] = "child", ["measure"] = "ae_attendances",
            ["cohort_people"] = "40", ["people_with_event"] = "6", ["events"] = "9",
        },
        [FeedCatalog.SubstanceMisuseEpisodes] = new Dictionary<string, string>
        {
            ["client_id"] = "C1", ["forename_initial"] = "J", ["surname_initial"] = "S", ["date_of_birth"] = "1985-02-03",
            ["sex"] = "F", ["nhs_number"] = ValidNhs, ["assessment_date"] = "2018-03-01", ["assessment_outcome"] = "treatment",
            ["treatment_start_date"] = "2018-03-10", ["closure_date"] = "2018-09-01", ["closure_reason"] = "treatment_completed_drug_free",
        },
        [FeedCatalog.SubstanceMisuseTops] = new Dictionary<string, string>
        {
            ["client_id"] = "C1", ["forename_initial"] = "J", ["surname_initial"] = "S", ["date_of_birth"] = "1985-02-03",
            ["sex"] = "F", ["form_date"] = "2018-03-10", ["stage"] = "start", ["substance_use_days"] = "20",
            ["psychological_wellbeing"] = "8", ["physical_health"] = "9", ["quality_of_life"] = "7", ["paid_work_days"] = "0",
        },
        [FeedCatalog.SchoolAttendance] = new Dictionary<string, string>
        {
            ["upn"] = ValidUpn, ["forename"] = "Amelie", ["surname"] = "Smith", ["date_of_birth"] = "2010-05-04",
            ["school_urn"] = "123456", ["period_start"] = "2018-01-01", ["period_end"] = "2018-03-31", ["possible_sessions"] = "120",
            ["authorised_absence_sessions"] = "4", ["unauthorised_absence_sessions"] = "2",
        },
        [FeedCatalog.DaProgrammes] = new Dictionary<string, string>
        {
            ["forename"] = "Jane", ["surname"] = "Smith", ["date_of_birth"] = "1985-02-03", ["sex"] = "F",
            ["programme"] = "Freedom Programme", ["role"] = "victim", ["start_date"] = "2018-04-01", ["end_date"] = "2018-07-01",
            ["outcome"] = "completed",
        },
        [FeedCatalog.MentalHealthScores] = new Dictionary<string, string>
        {
            ["nhs_number"] = ValidNhs, ["forename"] = "Jane", ["surname"] = "Smith", ["date_of_birth"] = "1985-02-03", ["sex"] = "F",
            ["instrument"] = "PHQ9", ["stage"] = "initial", ["score_date"] = "2018-04-01", ["score"] = "15",
        },
    };

    public static FeedContract Contract(string feed) => FeedCatalog.Find(feed) ?? throw new ArgumentException(feed);

    /// <summary>The contract's header line.</summary>
    public static string Header(string feed) => string.Join(",", Contract(feed).Fields.Select(f => f.Name));

    /// <summary>The sample row as a CSV line, with some cells replaced (quoted when they need it).</summary>
    public static string Line(string feed, params (string Field, string Value)[] changes)
    {
        var values = new Dictionary<string, string>(Rows[feed]);
        foreach (var (field, value) in changes)
        {
            values[field] = value;
        }

        return string.Join(",", Contract(feed).Fields.Select(f => Quote(values[f.Name])));
    }

    /// <summary>A CSV file: the header then the lines.</summary>
    public static string Csv(string feed, params string[] lines) => Header(feed) + "\n" + string.Join("\n", lines) + (lines.Length > 0 ? "\n" : "");

    public static FeedReader Open(string feed, string csv, string fileName = "extract.csv") =>
        FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), fileName, Contract(feed));

    public static FeedReader Open(string feed, byte[] bytes, string fileName = "extract.csv") =>
        FeedReader.Open(new MemoryStream(bytes), fileName, Contract(feed));

    public static async Task<List<RowResult>> ReadAll(FeedReader reader)
    {
        var results = new List<RowResult>();
        await foreach (var row in reader.ReadRowsAsync())
        {
            results.Add(row);
        }

        return results;
    }

    /// <summary>Reads one file and returns its single row's result (asserting the header was accepted).</summary>
    public static async Task<RowResult> ReadOne(string feed, string line)
    {
        using var reader = Open(feed, Csv(feed, line));
        reader.FileErrors.Should().BeEmpty();
        var rows = await ReadAll(reader);
        rows.Should().HaveCount(1);
        return rows[0];
    }

    /// <summary>The value of a field in an accepted row.</summary>
    public static object? Value(RowResult result, string feed, string field)
    {
        result.Errors.Should().BeNull(because: "the row should pass, but: {0}", string.Join("; ", result.Errors?.Select(e => e.Rule + " " + e.Message) ?? []));
        var index = Contract(feed).Fields.ToList().FindIndex(f => f.Name == field);
        return result.Row!.Values[index];
    }

    /// <summary>The rule codes of a rejected row.</summary>
    public static IReadOnlyList<string> Rules(RowResult result)
    {
        result.Row.Should().BeNull("the row should be rejected");
        return result.Errors!.Select(e => e.Rule).ToArray();
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
