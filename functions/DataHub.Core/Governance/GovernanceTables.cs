using DataHub.Core.Feeds;
using DataHub.Core.Rollup;
using DataHub.Parquet;

namespace DataHub.Core.Governance;

/// <summary>The published governance tables, as <see cref="KpiTable"/>s (written like the KPI tables: Parquet plus a CSV twin).</summary>
public static class GovernanceTables
{
    /// <summary>deliveries: one row per file received (or landing path refused), in the order received. A cohort record feed's
    /// row counts are left empty (<see cref="FeedCatalog.CohortRecordFeeds"/>).</summary>
    public static KpiTable Deliveries(IReadOnlyList<Delivery> deliveries) => new(
        "deliveries",
        new ParquetSchema(
        [
            Text("partner"), Text("feed"), Text("agreement_id"), new("received_at", ParquetType.String, false), Text("quarter"),
            Text("outcome"), new("rule", ParquetType.String), Rows("rows_read"), Rows("rows_stored"), Rows("rows_rejected"),
            new("batch", ParquetType.String), new("key_version", ParquetType.String), new("content_sha256_prefix", ParquetType.String),
            Text("data_quarters"), new("attempts", ParquetType.Int32, false), Long("audit_sequence"), Text("retention_deleted"),
        ]),
        deliveries.Select(d => new object?[]
        {
            d.Partner, d.Feed, d.Agreement, d.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            d.ReceivedQuarter.ToString(), d.Outcome, d.Rule, Shown(d.Feed, d.RowsRead), Shown(d.Feed, d.RowsStored), Shown(d.Feed, d.RowsRejected), d.Batch, d.KeyVersion, d.Sha256?[..12],
            string.Join(' ', d.DataQuarters), d.Attempts, d.FirstSequence, string.Join(' ', d.RetentionDeleted),
        }).ToArray());

    /// <summary>rejections: rows rejected and files quarantined by partner, feed, quarter received and rule, with the rule's text.</summary>
    public static KpiTable Rejections(IReadOnlyList<RejectionRow> rows) => new(
        "rejections",
        new ParquetSchema([Text("partner"), Text("feed"), Text("quarter"), Text("rule"), Text("rule_text"), Long("rows_rejected"), Long("files_quarantined")]),
        rows.Select(r => new object?[] { r.Partner, r.Feed, r.Quarter.ToString(), r.Rule, r.RuleText, r.RowsRejected, r.FilesQuarantined }).ToArray());

    /// <summary>scorecard: per partner, feed and quarter, each measure with its status. A cohort record feed's row counts and the
    /// shares made from them are left empty; their statuses are shown.</summary>
    public static KpiTable Scorecard(IReadOnlyList<ScorecardRow> rows) => new(
        "scorecard",
        new ParquetSchema(
        [
            Text("partner"), Text("feed"), Text("agreement_id"), Text("quarter"), Text("expected_cadence"), new("due_day", ParquetType.Int32, false),
            new("periods_expected", ParquetType.Int32, false), new("periods_received", ParquetType.Int32, false), new("periods_late", ParquetType.Int32, false),
            new("expected_date", ParquetType.Date, false), new("actual_date", ParquetType.Date), new("days_late", ParquetType.Int32, false), Text("timeliness"),
            new("deliveries", ParquetType.Int32, false), new("files_quarantined", ParquetType.Int32, false), new("duplicate_files", ParquetType.Int32, false),
            Rows("rows_read"), Rows("rows_rejected"), Rows("duplicate_rows"), Rows("missing_required_rows"), Rows("rows_stored"),
            Share("required_completeness"), Share("linkage_completeness"), Text("completeness"),
            Share("rejected_share"), Text("validity"), Share("duplicate_share"), Text("duplicates"),
            new("cohort_people_reached", ParquetType.Int64), new("cohort_people", ParquetType.Int64), Share("cohort_coverage"), Text("coverage_marker"), Text("coverage"),
            Text("overall"),
        ]),
        rows.Select(r => new object?[]
        {
            r.Partner, r.Feed, r.Agreement, r.Quarter.ToString(), r.Cadence, r.DueDay,
            r.Timeliness.PeriodsExpected, r.Timeliness.PeriodsReceived, r.Timeliness.PeriodsLate, r.Timeliness.ExpectedDate, r.Timeliness.ActualDate,
            r.Timeliness.DaysLate, r.Timeliness.Status, r.Deliveries, r.FilesQuarantined, r.DuplicateFiles,
            Shown(r.Feed, r.RowsRead), Shown(r.Feed, r.RowsRejected), Shown(r.Feed, r.DuplicateRows), Shown(r.Feed, r.MissingRequiredRows), Shown(r.Feed, r.RowsStored),
            Shown(r.Feed, r.RequiredCompleteness), Shown(r.Feed, r.LinkageCompleteness), r.Completeness, Shown(r.Feed, r.RejectedShare), r.Validity,
            Shown(r.Feed, r.DuplicateShare), r.Duplicates,
            r.Coverage?.PeopleReached, r.Coverage?.CohortPeople, r.Coverage?.Share, r.Coverage?.Marker ?? "[z]", r.CoverageStatus, r.Overall,
        }).ToArray());

    /// <summary>activity: publications, retention deletions, key events, agreements and their status, and the audit chain's status.</summary>
    public static KpiTable Activity(IReadOnlyList<ActivityRow> rows) => new(
        "activity",
        new ParquetSchema(
        [
            Text("activity"), Text("quarter"), new("at", ParquetType.String), Text("subject"), Text("status"), Text("detail"), new("count", ParquetType.Int64),
        ]),
        rows.Select(r => new object?[]
        {
            r.Activity, r.Quarter.ToString(), r.At?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            r.Subject, r.Status, r.Detail, r.Count,
        }).ToArray());

    private static ParquetColumn Text(string name) => new(name, ParquetType.String, false);

    private static ParquetColumn Rows(string name) => new(name, ParquetType.Int64);

    // The cohort feeds' rows are counts about the cohort: exact, they pinned rounded cohort sizes (13 rows beside 10 children and
    // 5 adults can only be 8 and 5), and a share of them gives its count back (1/13), so neither is published.
    private static T? Shown<T>(string feed, T value)
        where T : struct => FeedCatalog.CohortRecordFeeds.Contains(feed) ? null : value;

    private static T? Shown<T>(string feed, T? value)
        where T : struct => FeedCatalog.CohortRecordFeeds.Contains(feed) ? null : value;

    private static ParquetColumn Long(string name) => new(name, ParquetType.Int64, false);

    private static ParquetColumn Share(string name) => new(name, ParquetType.Double);
}
