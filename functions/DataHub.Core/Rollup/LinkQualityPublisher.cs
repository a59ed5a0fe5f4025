using DataHub.Core.Disclosure;
using DataHub.Core.Linkage;

namespace DataHub.Core.Rollup;

/// <summary>One published link_quality row: the counts after disclosure control (null when withheld) and the rate worked out
/// from the published counts.</summary>
/// <param name="Feed">The feed.</param>
/// <param name="Key">all, or the linkage key.</param>
/// <param name="Records">Records (rounded), or null when withheld.</param>
/// <param name="Linked">Records linked to one cohort person (rounded), or null.</param>
/// <param name="Ambiguous">Records a weak key matched to several (rounded), or null.</param>
/// <param name="Unlinked">Records linked to no one (rounded), or null.</param>
/// <param name="LinkRate">Published linked over published records, or null.</param>
/// <param name="Marker">"" or the disclosure marker of the row ([c] when a count is withheld, [u] or [z] for the rate).</param>
public sealed record PublishedLinkQuality(string Feed, string Key, long? Records, long? Linked, long? Ambiguous, long? Unlinked, double? LinkRate, string Marker);

/// <summary>
/// link_quality under each feed's disclosure profile. Its counts are records of cohort people: every record of the cohort feed
/// is one cohort person in one family, so the cohort feed's records are the cohort sizes summed, and the other feeds' linked
/// records are counts of plans, incidents or programmes of the cohort. Published exactly they pinned rounded cohort sizes
/// (13 records beside 10 children and 5 adults can only be 8 and 5), so they are withheld and rounded like any count.
/// </summary>
public static class LinkQualityPublisher
{
    /// <summary>The published rows, in the order given.</summary>
    public static IReadOnlyList<PublishedLinkQuality> Publish(IReadOnlyList<LinkQualityRow> rows, Func<string, DisclosureProfile> profileOf)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(profileOf);
        var results = new Dictionary<string, DisclosureResult>(StringComparer.Ordinal);
        foreach (var feed in rows.GroupBy(r => r.Feed, StringComparer.Ordinal))
        {
            var cells = new List<CountCell>();
            var margins = new List<Margin>();
            var rates = new List<RateCell>();
            foreach (var r in feed)
            {
                var id = Id(r.Key);
                cells.AddRange([new(id("records"), r.Records), new(id("linked"), r.Linked), new(id("ambiguous"), r.Ambiguous), new(id("unlinked"), r.Unlinked)]);
                margins.Add(new Margin(id("records"), [id("linked"), id("ambiguous"), id("unlinked")]));
                rates.Add(new RateCell(id("rate"), id("linked"), id("records")));
            }

            results[feed.Key] = new DisclosureControl(profileOf(feed.Key)).Apply(new DisclosureTable(cells, margins, rates));
        }

        return [.. rows.Select(r =>
        {
            var result = results[r.Feed];
            var id = Id(r.Key);
            // A count the margins would fix whatever is withheld cannot be protected, so it is withheld too.
            var counts = new[] { "records", "linked", "ambiguous", "unlinked" }.Select(c => result.Count(id(c)))
                .Select(c => result.Unprotected.Contains(c.Id) && c.Value is not null ? c with { Value = null, Marker = DisclosureMarker.Confidential } : c)
                .ToArray();
            var rate = counts[0].Value is null || counts[1].Value is null ? result.Rate(id("rate")) with { Value = null } : result.Rate(id("rate"));
            var withheld = counts.FirstOrDefault(c => c.Marker != DisclosureMarker.None)?.Marker;
            return new PublishedLinkQuality(r.Feed, r.Key, counts[0].Value, counts[1].Value, counts[2].Value, counts[3].Value, rate.Value,
                (withheld ?? rate.Marker).ToText());
        })];
    }

    private static Func<string, string> Id(string key) => part => key + "|" + part;
}
