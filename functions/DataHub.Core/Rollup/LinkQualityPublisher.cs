using DataHub.Core.Disclosure;
using DataHub.Core.Feeds;
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
/// A partner feed's records are another matter: the governance deliveries table shows its rows exactly, and they add up to
/// its records, so they are public. They are shown exactly and the other counts are protected knowing them: rounded against
/// rounded records, 10 linked, 0 ambiguous and 10 unlinked beside the deliveries' 24 rows could only be 12 and 12.
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
            var recordsPublic = !FeedCatalog.CohortRecordFeeds.Contains(feed.Key);
            foreach (var r in feed)
            {
                var id = Id(r.Key);
                cells.AddRange([new(id("records"), r.Records, Public: recordsPublic), new(id("linked"), r.Linked), new(id("ambiguous"), r.Ambiguous), new(id("unlinked"), r.Unlinked)]);
                margins.Add(new Margin(id("records"), [id("linked"), id("ambiguous"), id("unlinked")]));
                rates.Add(new RateCell(id("rate"), id("linked"), id("records")));
            }

            AcrossKeys([.. feed], cells, margins);
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

    // What the linkage rule lets a reader say across a feed's rows (README: the strongest key present that matches decides), as
    // margins with a hidden remainder each: a key's records are some of the feed's; a record left unlinked matched none of its
    // keys, so it is among the unlinked of every key it carries; the feed's first key decides every record carrying it that it
    // matches, so its linked and ambiguous are some of the feed's; a record linked or ambiguous was decided by a key that
    // matched, so it is among that key's; a record with no key is unlinked. Without them, 0 ambiguous overall beside a first
    // key's withheld ambiguous gave that 0 back, and its unlinked with it.
    private static void AcrossKeys(IReadOnlyList<LinkQualityRow> rows, List<CountCell> cells, List<Margin> margins)
    {
        var order = LinkKeys.SamePartnerOrder.Select(LinkKeys.Name).ToList();
        var all = rows.FirstOrDefault(r => r.Key == "all");
        var keys = rows.Where(r => order.Contains(r.Key)).OrderBy(r => order.IndexOf(r.Key)).ToList();
        if (all is null || keys.Count == 0)
        {
            return;
        }

        // total = parts + what is left over, when the rule holds (it always does for a tally; a row set that breaks it gets none).
        void AtLeast(string name, string total, long totalCount, IReadOnlyList<(string Id, long Count)> parts)
        {
            var rest = totalCount - parts.Sum(p => p.Count);
            if (rest >= 0)
            {
                cells.Add(new CountCell("~" + name, rest, Hidden: true));
                margins.Add(new Margin(total, [.. parts.Select(p => p.Id), "~" + name]));
            }
        }

        // A sum no table shows, as a hidden total of its parts.
        string Sum(string name, IReadOnlyList<(string Id, long Count)> parts)
        {
            cells.Add(new CountCell("~" + name, parts.Sum(p => p.Count), Hidden: true));
            margins.Add(new Margin("~" + name, [.. parts.Select(p => p.Id)]));
            return "~" + name;
        }

        var a = Id("all");
        foreach (var k in keys)
        {
            var id = Id(k.Key);
            AtLeast($"without|{k.Key}", a("records"), all.Records, [(id("records"), k.Records)]);
            if (all.Records - k.Records >= 0)
            {
                var reach = Sum($"unlinked_or_without|{k.Key}", [(id("unlinked"), k.Unlinked), ("~without|" + k.Key, all.Records - k.Records)]);
                AtLeast($"unlinked_rest|{k.Key}", reach, k.Unlinked + all.Records - k.Records, [(a("unlinked"), all.Unlinked)]);
            }
        }

        var first = Id(keys[0].Key);
        AtLeast("linked_later", a("linked"), all.Linked, [(first("linked"), keys[0].Linked)]);
        AtLeast("ambiguous_later", a("ambiguous"), all.Ambiguous, [(first("ambiguous"), keys[0].Ambiguous)]);
        var linked = Sum("linked_by_any_key", [.. keys.Select(k => (Id(k.Key)("linked"), k.Linked))]);
        AtLeast("linked_by_several", linked, keys.Sum(k => k.Linked), [(a("linked"), all.Linked)]);
        var ambiguous = Sum("ambiguous_by_any_key", [.. keys.Select(k => (Id(k.Key)("ambiguous"), k.Ambiguous))]);
        AtLeast("ambiguous_by_several", ambiguous, keys.Sum(k => k.Ambiguous), [(a("ambiguous"), all.Ambiguous)]);
        var carried = Sum("records_with_keys", [.. keys.Select(k => (Id(k.Key)("records"), k.Records))]);
        var covered = Sum("records_with_keys_or_unlinked", [(carried, keys.Sum(k => k.Records)), (a("unlinked"), all.Unlinked)]);
        AtLeast("records_counted_twice", covered, keys.Sum(k => k.Records) + all.Unlinked, [(a("records"), all.Records)]);
    }
}
