namespace DataHub.Core.Kpis;

/// <summary>One delivery of a feed the hub holds (a committed batch) and the days it reports on, whole delivery periods.</summary>
/// <param name="Feed">The feed.</param>
/// <param name="Batch">The batch id.</param>
/// <param name="From">First day reported on.</param>
/// <param name="To">Last day reported on.</param>
public sealed record FeedDelivery(string Feed, string Batch, DateOnly From, DateOnly To);

/// <summary>
/// Which days each feed has been received for, from the deliveries the hub holds. A figure is published only when every day
/// it reads is covered; otherwise it is "not available" (<c>[x]</c>), never zero.
/// </summary>
public sealed class DeliveredPeriods
{
    private readonly Dictionary<string, List<(DateOnly From, DateOnly To)>>? _spans;

    /// <summary>Merges the deliveries' day ranges per feed (touching or overlapping ranges join).</summary>
    public DeliveredPeriods(IEnumerable<FeedDelivery> deliveries)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        _spans = new Dictionary<string, List<(DateOnly From, DateOnly To)>>(StringComparer.Ordinal);
        foreach (var feed in deliveries.GroupBy(d => d.Feed, StringComparer.Ordinal))
        {
            var merged = new List<(DateOnly From, DateOnly To)>();
            foreach (var d in feed.OrderBy(d => d.From))
            {
                if (merged.Count > 0 && d.From <= merged[^1].To.AddDays(1))
                {
                    merged[^1] = (merged[^1].From, d.To > merged[^1].To ? d.To : merged[^1].To);
                }
                else
                {
                    merged.Add((d.From, d.To));
                }
            }

            _spans[feed.Key] = merged;
        }

        Deliveries = [.. deliveries.OrderBy(d => d.Feed, StringComparer.Ordinal).ThenBy(d => d.From).ThenBy(d => d.Batch, StringComparer.Ordinal)];
    }

    private DeliveredPeriods()
    {
        Deliveries = [];
    }

    /// <summary>Every feed received for every day: for inputs built by hand, where no delivery log exists.</summary>
    public static DeliveredPeriods Everything { get; } = new();

    /// <summary>The deliveries, by feed and first day.</summary>
    public IReadOnlyList<FeedDelivery> Deliveries { get; }

    /// <summary>The merged day ranges a feed has been received for (empty when never).</summary>
    public IReadOnlyList<(DateOnly From, DateOnly To)> SpansOf(string feed) =>
        _spans is null ? [(DateOnly.MinValue, DateOnly.MaxValue)] : _spans.TryGetValue(feed, out var spans) ? spans : [];

    /// <summary>True when one received range of <paramref name="feed"/> holds every day from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public bool Covers(string feed, DateOnly from, DateOnly to)
    {
        foreach (var (start, end) in SpansOf(feed))
        {
            if (start <= from && end >= to)
            {
                return true;
            }
        }

        return false;
    }
}
