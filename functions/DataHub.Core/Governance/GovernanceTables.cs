using DataHub.Core.Rollup;
using DataHub.Parquet;

namespace DataHub.Core.Governance;

/// <summary>The published governance tables, as <see cref="KpiTable"/>s (written like the KPI tables: Parquet plus a CSV twin).</summary>
public static class GovernanceTables
{
    /// <summary>deliveries: one row per file received (or landing path refused), in the order received.</summary>
    public static KpiTable Deliveries(IReadOnlyList<Delivery> deliveries) => new(
        "deliveries",
        new ParquetSchema(
        [
            Text("partner"), Text("feed"), Text("agreement_id"), new("received_at", ParquetType.String, false), Text("quarter"),
            Text("outcome"), new("rule", ParquetType.String), Long("rows_read"), Long("rows_stored"), Long("rows_rejected"),
            new("batch", ParquetType.String), new("key_version", ParquetType.String), new("content_sha256_prefix", ParquetType.String),
            Text("data_quarters"), new("attempts", ParquetType.Int32, false), Long("audit_sequence"),
        ]),
        deliveries.Select(d => new object?[]
        {
            d.Partner, d.Feed, d.Agreement, d.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            d.ReceivedQuarter.ToString(), d.Outcome, d.Rule, d.RowsRead, d.RowsStored, d.RowsRejected, d.Batch, d.KeyVersion, d.Sha256?[..12],
            string.Join(' ', d.DataQuarters), d.Attempts, d.FirstSequence,
        }).ToArray());

    /// <summary>rejections: rows rejected and files quarantined by partner, feed, quarter received and rule, with the rule's text.</summary>
    public static KpiTable Rejections(IReadOnlyList<RejectionRow> rows) => new(
        "rejections",
        new ParquetSchema([Text("partner"), Text("feed"), Text("quarter"), Text("rule"), Text("rule_text"), Long("rows_rejected"), Long("files_quarantined")]),
        rows.Select(r => new object?[] { r.Partner, r.Feed, r.Quarter.ToString(), r.Rule, r.RuleText, r.RowsRejected, r.FilesQuarantined }).ToArray());

    /// <summary>scorecard: per partner, feed and quarter, each measure with its status.</summary>
    public static KpiTable Scorecard(IReadOnlyList<ScorecardRow> rows) => new(
        "scorecard",
        new ParquetSchema(
        [
            Text("partner"), Text("feed"), Text("agreement_id"), Text("quarter"), Text("expected_cadence"), new("due_day", ParquetType.Int32, false),
            new("periods_expected", ParquetType.Int32, false), new("periods_received", ParquetType.Int32, false), new("periods_late", ParquetType.Int32, false),
            new("expected_date", ParquetType.Date, false), new("actual_date", ParquetType.Date), new("days_late", ParquetType.Int32, false), Text("timeliness"),
            new("deliveries", ParquetType.Int32, false), new("files_quarantined", ParquetType.Int32, false), new("duplicate_files", ParquetType.Int32, false),
            Long("rows_read"), Long("rows_rejected"), Long("duplicate_rows"), Long("missing_required_rows"), Long("rows_stored"),
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
            r.RowsRead, r.RowsRejected, r.DuplicateRows, r.MissingRequiredRows, r.RowsStored,
            r.RequiredCompleteness, r.LinkageCompleteness, r.Completeness, r.RejectedShare, r.Validity, r.DuplicateShare, r.Duplicates,
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

    private static ParquetColumn Long(string name) => new(name, ParquetType.Int64, false);

    private static ParquetColumn Share(string name) => new(name, ParquetType.Double);
}
