using DataHub.Core.Kpis;
using DataHub.Core.Protocols;

namespace DataHub.Core.Governance;

/// <summary>One row of the data-quality scorecard: a partner's feed in one quarter.</summary>
/// <param name="Partner">The partner.</param>
/// <param name="Feed">The feed.</param>
/// <param name="Agreement">The agreement id.</param>
/// <param name="Quarter">The quarter whose data is scored.</param>
/// <param name="Cadence">monthly or quarterly.</param>
/// <param name="DueDay">The agreement's due day.</param>
/// <param name="Timeliness">Arrival against the due dates of the quarter's periods.</param>
/// <param name="Deliveries">Deliveries for the quarter: those that stored rows for it, and those received in it that stored none (quarantined, duplicate, refused).</param>
/// <param name="FilesQuarantined">Of those, files quarantined (including poison).</param>
/// <param name="DuplicateFiles">Of those, re-sends of content already processed.</param>
/// <param name="RowsRead">Rows read from those deliveries.</param>
/// <param name="RowsRejected">Rows rejected from them.</param>
/// <param name="DuplicateRows">Rows rejected as exact repeats.</param>
/// <param name="MissingRequiredRows">Rows rejected for an empty required value.</param>
/// <param name="RowsStored">Rows stored.</param>
/// <param name="RequiredCompleteness">1 − rows missing a required value ÷ rows read.</param>
/// <param name="LinkageCompleteness">Stored rows carrying the feed's best-filled linkage key ÷ rows stored.</param>
/// <param name="Completeness">Status of the lower of the two completeness shares.</param>
/// <param name="RejectedShare">Rows rejected ÷ rows read (validity).</param>
/// <param name="Validity">Status of <paramref name="RejectedShare"/>; red when any file was quarantined.</param>
/// <param name="DuplicateShare">Duplicate rows ÷ rows read.</param>
/// <param name="Duplicates">Status of <paramref name="DuplicateShare"/>; at least amber when a file was re-sent.</param>
/// <param name="Coverage">Cohort coverage (disclosure-controlled), or null for feeds without person-level records.</param>
/// <param name="CoverageStatus">Status of the coverage share.</param>
/// <param name="Overall">The worst of the statuses.</param>
public sealed record ScorecardRow(
    string Partner,
    string Feed,
    string Agreement,
    Quarter Quarter,
    string Cadence,
    int DueDay,
    TimelinessScore Timeliness,
    int Deliveries,
    int FilesQuarantined,
    int DuplicateFiles,
    long RowsRead,
    long RowsRejected,
    long DuplicateRows,
    long MissingRequiredRows,
    long RowsStored,
    double? RequiredCompleteness,
    double? LinkageCompleteness,
    string Completeness,
    double? RejectedShare,
    string Validity,
    double? DuplicateShare,
    string Duplicates,
    CoverageCell? Coverage,
    string CoverageStatus,
    string Overall);

/// <summary>Builds the scorecard from the deliveries, the day ranges each stored batch reports on, and cohort coverage.</summary>
public static class ScorecardBuilder
{
    /// <summary>One row per agreed partner feed and quarter.</summary>
    /// <param name="protocols">The agreements: cadence, due day and thresholds.</param>
    /// <param name="deliveries">The deliveries from the audit log.</param>
    /// <param name="spans">Per batch, the day range its rows report on (the rollup's delivery log).</param>
    /// <param name="coverage">Cohort coverage per feed and quarter.</param>
    /// <param name="quarters">The quarters to score.</param>
    /// <param name="today">Today, for periods not yet due.</param>
    public static IReadOnlyList<ScorecardRow> Build(
        ProtocolSet protocols,
        IReadOnlyList<Delivery> deliveries,
        IReadOnlyList<FeedDelivery> spans,
        IReadOnlyList<CoverageCell> coverage,
        IReadOnlyList<Quarter> quarters,
        DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        ArgumentNullException.ThrowIfNull(deliveries);
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(coverage);
        ArgumentNullException.ThrowIfNull(quarters);
        var receivedOn = deliveries.Where(d => d.Batch is not null && DeliveryOutcomes.StoresRows(d.Outcome))
            .GroupBy(d => d.Batch!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => DateOnly.FromDateTime(g.Min(d => d.ReceivedAt).UtcDateTime), StringComparer.Ordinal);
        var quartersOfBatch = deliveries.Where(d => d.Batch is not null && d.DataQuarters.Count > 0)
            .GroupBy(d => d.Batch!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(d => d.DataQuarters).ToHashSet(), StringComparer.Ordinal);
        var coverageOf = coverage.ToDictionary(c => (c.Feed, c.Quarter));
        var rows = new List<ScorecardRow>();
        foreach (var partner in protocols.Partners.OrderBy(p => p.Partner, StringComparer.Ordinal))
        {
            var t = partner.Scorecard;
            foreach (var (feed, agreement) in partner.Feeds.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var mine = deliveries.Where(d => d.Partner == partner.Partner && d.Feed == feed).ToArray();
                var arrived = spans.Where(s => s.Feed == feed && receivedOn.ContainsKey(s.Batch))
                    .Select(s => (s.From, s.To, receivedOn[s.Batch])).ToArray();
                foreach (var q in quarters)
                {
                    // A delivery belongs to the quarters it stored rows for; one that stored none (or re-sent a batch) to its batch's quarters, else the quarter it arrived in.
                    var forQuarter = mine.Where(d => QuartersOf(d, quartersOfBatch).Contains(q)).ToArray();
                    var read = forQuarter.Sum(d => d.RowsRead);
                    var rejected = forQuarter.Sum(d => d.RowsRejected);
                    var duplicateRows = forQuarter.Sum(d => d.DuplicateRows);
                    var missingRequired = forQuarter.Sum(d => d.MissingRequiredRows);
                    var stored = forQuarter.Sum(d => d.RowsStored);
                    var quarantined = forQuarter.Count(d => d.Outcome is DeliveryOutcomes.Quarantined or DeliveryOutcomes.Poison);
                    var duplicateFiles = forQuarter.Count(d => d.Outcome == DeliveryOutcomes.Duplicate);
                    var withKey = forQuarter.SelectMany(d => d.RowsWithKey).GroupBy(k => k.Key, StringComparer.Ordinal).Select(g => g.Sum(k => k.Value)).DefaultIfEmpty(0).Max();
                    double? requiredShare = read == 0 ? null : 1 - ((double)missingRequired / read);
                    double? linkageShare = stored == 0 || forQuarter.All(d => d.RowsWithKey.Count == 0) ? null : (double)withKey / stored;
                    double? rejectedShare = read == 0 ? null : (double)rejected / read;
                    double? duplicateShare = read == 0 ? null : (double)duplicateRows / read;
                    var completeness = Rag.Worst(Rag.High(requiredShare, t.CompletenessAmber, t.CompletenessRed), Rag.High(linkageShare, t.CompletenessAmber, t.CompletenessRed));
                    var validity = quarantined > 0 ? Rag.Red : Rag.Low(rejectedShare, t.RejectedAmber, t.RejectedRed);
                    var duplicates = Rag.Low(duplicateShare, t.DuplicatesAmber, t.DuplicatesRed);
                    duplicates = duplicateFiles > 0 ? Rag.Worst(duplicates, Rag.Amber) : duplicates;
                    var cover = coverageOf.GetValueOrDefault((feed, q));
                    var coverageStatus = Rag.High(cover?.Share, t.CoverageAmber, t.CoverageRed);
                    var timeliness = Timeliness.Score(partner, agreement, q, arrived, today);
                    var overall = new[] { timeliness.Status, completeness, validity, duplicates, coverageStatus }.Aggregate(Rag.None, Rag.Worst);
                    rows.Add(new ScorecardRow(
                        partner.Partner, feed, partner.AgreementId, q, agreement.ExpectedCadence.ToText(), agreement.DueDay, timeliness,
                        forQuarter.Length, quarantined, duplicateFiles, read, rejected, duplicateRows, missingRequired, stored,
                        requiredShare, linkageShare, completeness, rejectedShare, validity, duplicateShare, duplicates, cover, coverageStatus, overall));
                }
            }
        }

        return rows;
    }

    /// <summary>The quarters a delivery counts in on the scorecard (see <see cref="ScorecardRow.Deliveries"/>).</summary>
    public static IReadOnlyCollection<Quarter> QuartersOf(Delivery delivery, IReadOnlyDictionary<string, HashSet<Quarter>> quartersOfBatch)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(quartersOfBatch);
        if (delivery.DataQuarters.Count > 0)
        {
            return delivery.DataQuarters;
        }

        return delivery.Batch is { } b && quartersOfBatch.TryGetValue(b, out var earlier) ? earlier : [delivery.ReceivedQuarter];
    }
}
