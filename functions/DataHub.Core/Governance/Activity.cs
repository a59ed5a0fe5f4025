using System.Globalization;
using DataHub.Core.Audit;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;

namespace DataHub.Core.Governance;

/// <summary>One row of the rejections table: rows rejected and files quarantined for one rule.</summary>
/// <param name="Partner">The partner ("" for a refused path).</param>
/// <param name="Feed">The feed ("" for a refused path).</param>
/// <param name="Quarter">The quarter the files were received in.</param>
/// <param name="Rule">The rule code.</param>
/// <param name="RuleText">What the rule means, in plain English.</param>
/// <param name="RowsRejected">Rows rejected under the rule.</param>
/// <param name="FilesQuarantined">Files quarantined (or paths refused) under the rule.</param>
public sealed record RejectionRow(string Partner, string Feed, Quarter Quarter, string Rule, string RuleText, long RowsRejected, long FilesQuarantined);

/// <summary>One row of the activity table: something the hub did or found that a board reviews.</summary>
/// <param name="Activity">kpi_published, kpi_refused, governance_published, governance_refused, retention_deletion, derived_deletion, cleanup_deletion, key_created, key_rotated, audit_repaired, agreement, audit_chain or unmatched_cohort_label.</param>
/// <param name="Quarter">The quarter it happened in (today's for agreements and the chain).</param>
/// <param name="At">When (UTC), or null for a state.</param>
/// <param name="Subject">What it concerns: a version, a partner/feed, an agreement id.</param>
/// <param name="Status">in_force, expiring, expired, not_yet_in_force; intact or broken; the rule of a cleanup_deletion; unused for an unmatched_cohort_label; "" otherwise.</param>
/// <param name="Detail">A sentence, never an identifier.</param>
/// <param name="Count">Objects deleted, events checked, days to expiry, stored rows no KPI uses; null when none applies.</param>
public sealed record ActivityRow(string Activity, Quarter Quarter, DateTimeOffset? At, string Subject, string Status, string Detail, long? Count);

/// <summary>Builds the rejections and activity tables from the audit log and the agreements.</summary>
public static class BoardActivity
{
    private static readonly HashSet<string> Listed = new(StringComparer.Ordinal)
    {
        AuditKinds.KpiPublished, AuditKinds.KpiRefused, GovernancePublisher.AuditKind, GovernancePublisher.RefusedKind, AuditKinds.KeyCreated, AuditKinds.KeyRotated, AuditKinds.AuditRepaired,
    };

    /// <summary>The activity of objects deleted at the end of their agreement's retention.</summary>
    public const string RetentionDeletion = "retention_deletion";

    /// <summary>The activity of a rollup's person-level tables deleted, however young, with a batch they were computed from (rule retention.derived_tables).</summary>
    public const string DerivedDeletion = "derived_deletion";

    /// <summary>The activity of objects the hub removed from its own unfinished or withdrawn work; the row's status is the rule.</summary>
    public const string CleanupDeletion = "cleanup_deletion";

    /// <summary>The activity of stored health aggregate rows whose cohort label names none of the cohorts reported: no KPI uses them.</summary>
    public const string UnmatchedCohortLabel = "unmatched_cohort_label";

    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        [AuditKinds.KpiPublished] = "KPI tables published",
        [AuditKinds.KpiRefused] = "KPI tables held back (not published)",
        [GovernancePublisher.AuditKind] = "Governance tables published",
        [GovernancePublisher.RefusedKind] = "Governance tables held back (not published)",
        [AuditKinds.KeyCreated] = "Key created (pseudonymisation or audit key)",
        [AuditKinds.KeyRotated] = "New key version made current (pseudonymisation or audit key)",
        [AuditKinds.AuditRepaired] = "Audit trail repaired: events lost at its end were recorded",
        [RetentionDeletion] = "Data deleted at the end of its agreement's retention",
        [DerivedDeletion] = "Person-level KPI tables deleted with a batch they were computed from",
        [CleanupDeletion] = "Unfinished or withdrawn work removed by the hub",
    };

    /// <summary>What an activity is, in plain words for the board (the activity's name itself when none is written).</summary>
    public static string Describe(string activity) => Words.GetValueOrDefault(activity) ?? activity.Replace('_', ' ');

    /// <summary>Days ahead within which an agreement counts as expiring.</summary>
    public const int ExpiringWithinDays = 90;

    /// <summary>Rows rejected per rule (from each delivery's rows_rejected event) and files quarantined or refused per rule, by the quarter received.</summary>
    public static IReadOnlyList<RejectionRow> Rejections(IReadOnlyList<Delivery> deliveries)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var rows = new SortedDictionary<(string, string, Quarter, string), (long Rows, long Files)>();
        foreach (var d in deliveries)
        {
            foreach (var (rule, n) in d.RejectedByRule)
            {
                var key = (d.Partner, d.Feed, d.ReceivedQuarter, rule);
                var (r, f) = rows.GetValueOrDefault(key);
                rows[key] = (r + n, f);
            }

            if (d.Outcome is DeliveryOutcomes.Quarantined or DeliveryOutcomes.Poison or DeliveryOutcomes.Refused && d.Rule is { } fileRule)
            {
                var key = (d.Partner, d.Feed, d.ReceivedQuarter, fileRule);
                var (r, f) = rows.GetValueOrDefault(key);
                rows[key] = (r, f + 1);
            }
        }

        return [.. rows.Select(kv => new RejectionRow(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4, RuleTexts.Describe(kv.Key.Item4), kv.Value.Rows, kv.Value.Files))];
    }

    /// <summary>One row per stored health aggregate cohort label that matches no cohort (status unused, count the rows): found by
    /// the rollup that read the marts, shown to the board beside the rejections, since rows stored but used by nothing are a
    /// silent loss unless someone is told. The label is named by its number ("cohort label 1 of 2"), never by its stored text.</summary>
    public static IReadOnlyList<ActivityRow> UnmatchedCohortLabels(IReadOnlyList<Kpis.UnmatchedCohortLabel> labels, IReadOnlyList<CohortDefinition> cohorts, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return [.. labels.Select(l => new ActivityRow(UnmatchedCohortLabel, Quarter.Of(today), null, $"{Feeds.FeedCatalog.HealthAggregates} {l.Name}", "unused", l.Describe(cohorts), l.Rows))];
    }

    /// <summary>Publications, retention deletions (per quarter, partner and feed), key events, every agreement's status and the
    /// chain's, with how many audit lines that could not be read (<paramref name="unreadableLines"/>) the tables were built without.</summary>
    public static IReadOnlyList<ActivityRow> Activity(IReadOnlyList<AuditEvent> events, ProtocolSet protocols, AuditVerification chain, DateOnly today, int unreadableLines = 0)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(protocols);
        ArgumentNullException.ThrowIfNull(chain);
        var rows = new List<ActivityRow>();
        Quarter QuarterOf(DateTimeOffset t) => Quarter.Of(DateOnly.FromDateTime(t.UtcDateTime));
        foreach (var e in events)
        {
            var entry = e.Entry;
            if (Listed.Contains(entry.Kind))
            {
                // A publication's subject is its version folder; a key event's or refusal's is its rule.
                var subject = entry.Path is { } p && p.LastIndexOf('/') > 0 ? p[..p.LastIndexOf('/')] : entry.Rule ?? "";
                rows.Add(new ActivityRow(entry.Kind, QuarterOf(e.Time), e.Time, subject, "", entry.Detail ?? "", entry.Counts?.GetValueOrDefault("kpi_values")));
            }
        }

        // Retention's deletions are the agreements' doing; a rollup's person tables that went with a batch they were computed
        // from are an activity of their own (their ages are not the agreement's retention, so never counted as it); the hub's
        // clean-up of its own unfinished work (uncommitted mart files, abandoned version folders, withdrawn manifests) is
        // another, shown per rule.
        foreach (var g in events.Where(e => e.Entry.Kind == AuditKinds.Deleted)
            .GroupBy(e => (Quarter: QuarterOf(e.Time), Subject: $"{e.Entry.Partner ?? "hub"}/{e.Entry.Feed ?? "-"}", Rule: IsRetention(e.Entry.Rule) ? null : e.Entry.Rule ?? ""))
            .OrderBy(g => g.Key.Quarter).ThenBy(g => g.Key.Subject, StringComparer.Ordinal).ThenBy(g => g.Key.Rule, StringComparer.Ordinal))
        {
            rows.Add(g.Key.Rule == Retention.EnforceRetention.DerivedTablesRule
                ? new ActivityRow(DerivedDeletion, g.Key.Quarter, g.Max(e => e.Time), g.Key.Subject, g.Key.Rule,
                    $"{g.Count()} object(s) deleted with a batch they were computed from: {RuleTexts.Describe(g.Key.Rule)}", g.Count())
                : g.Key.Rule is { } rule
                ? new ActivityRow(CleanupDeletion, g.Key.Quarter, g.Max(e => e.Time), g.Key.Subject, rule,
                    $"{g.Count()} object(s) the hub removed from its own unfinished or withdrawn work: {RuleTexts.Describe(rule)}", g.Count())
                : new ActivityRow(RetentionDeletion, g.Key.Quarter, g.Max(e => e.Time), g.Key.Subject, "",
                    $"{g.Count()} object(s) deleted at the end of their agreement's retention.", g.Count()));
        }

        foreach (var p in protocols.Partners.OrderBy(p => p.ValidTo).ThenBy(p => p.Partner, StringComparer.Ordinal))
        {
            var (status, days) = AgreementStatus(p, today);
            rows.Add(new ActivityRow("agreement", Quarter.Of(today), null, p.AgreementId, status, AgreementDetail(p, p.Partner, feed => feed), days));
        }

        rows.Add(new ActivityRow("audit_chain", Quarter.Of(today), null, "audit log", chain.Intact ? "intact" : "broken", chain.Message + LeftOut(unreadableLines), chain.EventsChecked));
        return rows;
    }

    /// <summary>An agreement in one sentence, its partner as <paramref name="partner"/> and each feed as <paramref name="feedName"/> gives it,
    /// e.g. "csc: csc-cla-periods, csc-people; valid 2024-01-01 to 2030-12-31." (the activity table's detail, with codes).</summary>
    public static string AgreementDetail(PartnerProtocol protocol, string partner, Func<string, string> feedName)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(feedName);
        return string.Create(CultureInfo.InvariantCulture,
            $"{partner}: {string.Join(", ", protocol.Feeds.Keys.Order(StringComparer.Ordinal).Select(feedName))}; valid {protocol.ValidFrom:yyyy-MM-dd} to {protocol.ValidTo:yyyy-MM-dd}.");
    }

    /// <summary>The sentence saying how many audit lines every governance table was built without (a count, never a line's content); empty for none.</summary>
    public static string LeftOut(int unreadableLines) =>
        unreadableLines <= 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" {unreadableLines} audit line(s) that cannot be read were left out of every governance table (deliveries, rejections, scorecard, activity).");

    // A deletion at the end of an agreement's retention: a retention rule, but not the person tables that go with a batch.
    private static bool IsRetention(string? rule) =>
        rule is not null && rule.StartsWith("retention.", StringComparison.Ordinal) && rule != Retention.EnforceRetention.DerivedTablesRule;

    /// <summary>An agreement's status today and the days until it ends (negative once ended).</summary>
    public static (string Status, long DaysToExpiry) AgreementStatus(PartnerProtocol protocol, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var days = protocol.ValidTo.DayNumber - today.DayNumber;
        var status = today < protocol.ValidFrom ? "not_yet_in_force" : days < 0 ? "expired" : days <= ExpiringWithinDays ? "expiring" : "in_force";
        return (status, days);
    }
}
