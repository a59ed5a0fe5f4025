using DataHub.Core.Feeds;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;

namespace DataHub.Core.Rollup;

/// <summary>
/// The deliveries the hub holds, read from the committed mart files: one per batch, reporting on whole periods of the
/// agreement's expected cadence. An event feed's delivery covers the periods from its first to its last record's period date
/// (a quarter of a monthly feed needs all three months); a snapshot feed's delivery is the partner's whole current state, so
/// it covers every period up to the last whole one before it was received.
/// </summary>
public static class DeliveryLog
{
    /// <summary>The periods each feed has been received for.</summary>
    /// <param name="files">The mart files read.</param>
    /// <param name="cadences">Each feed's expected cadence from its agreement; a feed no agreement names is taken as monthly.</param>
    public static DeliveredPeriods From(IReadOnlyList<MartInput> files, IReadOnlyDictionary<string, DeliveryCadence> cadences)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(cadences);
        var deliveries = new List<FeedDelivery>();
        foreach (var batch in files.GroupBy(f => (f.Feed, Batch: f.BatchId ?? f.Path)))
        {
            var dated = batch.Where(f => f.FirstDate is not null && f.LastDate is not null).ToArray();
            if (dated.Length == 0)
            {
                continue;
            }

            var cadence = cadences.TryGetValue(batch.Key.Feed, out var c) ? c : DeliveryCadence.Monthly;
            var from = cadence.PeriodOf(dated.Min(f => f.FirstDate!.Value)).Start;
            var to = cadence.PeriodOf(dated.Max(f => f.LastDate!.Value)).End;
            var received = batch.Max(f => f.Received);
            if (FeedCatalog.Find(batch.Key.Feed)?.Coverage == FeedCoverage.Snapshot && received is { } at)
            {
                from = DateOnly.MinValue;
                to = cadence.PeriodOf(DateOnly.FromDateTime(at.UtcDateTime)).Start.AddDays(-1);
            }

            if (to >= from)
            {
                deliveries.Add(new FeedDelivery(batch.Key.Feed, batch.Key.Batch, from, to));
            }
        }

        return new DeliveredPeriods(deliveries);
    }
}
