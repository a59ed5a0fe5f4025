using DataHub.Core.Disclosure;
using DataHub.Core.Linkage;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Disclosure;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>link_quality under disclosure control, checked by the independent verifier with what a reader knows across the rows
/// of a feed (the linkage rule) and from the governance tables (a partner feed's rows).</summary>
public sealed class LinkQualityPublisherTests
{
    private static readonly DisclosureProfile Standard = new("standard", 4, false, 5, 10);
    private static readonly DisclosureProfile Health = new("health", 7, false, 5, 20);
    private static readonly DisclosureProfile Sensitive = new("sensitive", 9, true, 5, 20);

    private static DisclosureProfile ProfileOf(string feed) => feed switch
    {
        "csc-people" or "csc-cp-plans" or "csc-cla-periods" or "school-attendance" => Standard,
        "police-da-incidents" or "da-programmes" => Sensitive,
        _ => Health,
    };

    private static FeedRules RulesOf(string feed) => ProfileOf(feed) is var p ? new FeedRules(p.Threshold, p.SuppressZeros, p.RoundingBase) : null!;

    private static List<string> Recovered(IReadOnlyList<PublishedLinkQuality> published, IReadOnlyDictionary<string, long>? rowsStored = null)
    {
        var tables = PublishedTables.OfLinkQuality(
            published.Select(p => new LinkQualityLine(p.Feed, p.Key, p.Records, p.Linked, p.Ambiguous, p.Unlinked, p.LinkRate, p.Marker)), RulesOf, rowsStored);
        return [.. RecoveryVerifier.FindRecoverableCells(tables.Rows, tables.Options()).Select(c => $"{c.Row.Measure} {c.Role} = {c.RecoveredValue}")];
    }

    [Fact]
    public void Shows_a_partner_feeds_records_exactly_and_protects_its_other_counts_knowing_them()
    {
        // Seed 1, 5 families: the mental health feed's 24 rows (the deliveries table shows them) were 12 linked, 0 ambiguous and
        // 12 unlinked. Published 25, 10, 0 and 10, beside the 24 rows only 12 and 12 fit.
        var published = LinkQualityPublisher.Publish([new LinkQualityRow("mental-health-scores", "all", 24, 12, 0, 12)], ProfileOf);

        published.Single().Records.Should().Be(24, "the governance tables show the feed's rows exactly");
        Recovered(published, new Dictionary<string, long> { ["mental-health-scores"] = 24 }).Should().BeEmpty();
    }

    [Fact]
    public void Gives_a_key_row_holding_the_same_counts_as_the_feeds_all_row_the_same_publication()
    {
        LinkQualityRow[] rows =
        [
            new("csc-people", "all", 131, 127, 3, 1), new("csc-people", "local", 131, 127, 3, 1), new("csc-people", "nhs", 110, 108, 2, 0),
            new("da-programmes", "all", 26, 21, 3, 2), new("da-programmes", "name_dob", 26, 21, 3, 2), new("da-programmes", "attributor", 26, 21, 3, 2),
        ];

        var published = LinkQualityPublisher.Publish(rows, ProfileOf);

        published[1].Should().BeEquivalentTo(published[0] with { Key = "local" });
        published[4].Should().BeEquivalentTo(published[3] with { Key = "name_dob" });
        published[5].Should().BeEquivalentTo(published[3] with { Key = "attributor" });
        Recovered(published).Should().BeEmpty();
    }

    [Fact]
    public void Protects_a_first_keys_counts_that_the_feeds_all_row_would_give_back()
    {
        // Seed 101, 5 families: 3 substance misuse episodes, 1 with an NHS number that matched no one. The NHS row withheld its
        // 1 unlinked and, to protect it, its 0 ambiguous; but NHS is the feed's first key, so its ambiguous are some of the
        // feed's 0, which gave the 0 back and the 1 with it.
        LinkQualityRow[] rows =
        [
            new("substance-misuse-episodes", "all", 3, 2, 0, 1), new("substance-misuse-episodes", "nhs", 1, 0, 0, 1),
            new("substance-misuse-episodes", "attributor", 3, 2, 0, 1),
        ];

        Recovered(LinkQualityPublisher.Publish(rows, ProfileOf)).Should().BeEmpty();
    }

    [Fact]
    public void No_count_of_many_random_feeds_can_be_worked_out_across_their_rows()
    {
        var random = new Random(20261122);
        var failures = new List<string>();
        string[] feeds = ["csc-people", "mental-health-scores", "police-da-incidents", "school-attendance"];
        for (var run = 0; run < 1000; run++)
        {
            var feed = feeds[run % feeds.Length];
            var rows = Tally(feed, random, random.Next(1, 40));
            var published = LinkQualityPublisher.Publish(rows, ProfileOf);
            var rowsStored = feed.StartsWith("csc-", StringComparison.Ordinal) ? null : new Dictionary<string, long> { [feed] = rows[0].Records };
            failures.AddRange(Recovered(published, rowsStored).Select(f => $"run {run} {string.Join(" ", rows)}: {f}"));
        }

        failures.Should().BeEmpty();
    }

    // Records with random keys, each key matching 0, 1 or several cohort people; the first key in the hub's order that matches
    // decides (the linkage rule), counted the way link_quality counts them.
    private static IReadOnlyList<LinkQualityRow> Tally(string feed, Random random, int records)
    {
        var order = (feed.StartsWith("csc-", StringComparison.Ordinal) ? LinkKeys.SamePartnerOrder : LinkKeys.CrossPartnerOrder).Select(LinkKeys.Name).ToArray();
        var carried = order.Select(_ => random.NextDouble()).ToArray();
        var byKey = order.ToDictionary(k => k, _ => new long[4]);
        var all = new long[4];
        for (var r = 0; r < records; r++)
        {
            int? decided = null;
            for (var k = 0; k < order.Length; k++)
            {
                if (random.NextDouble() >= carried[k])
                {
                    continue;
                }

                var matches = random.Next(10) switch { < 5 => 1, < 7 => 0, _ => 2 };
                var outcome = matches == 1 ? 1 : matches == 0 ? 3 : 2;
                byKey[order[k]][0]++;
                byKey[order[k]][outcome]++;
                decided ??= matches > 0 ? outcome : null;
            }

            all[0]++;
            all[decided ?? 3]++;
        }

        return
        [
            new(feed, "all", all[0], all[1], all[2], all[3]),
            .. order.Where(k => byKey[k][0] > 0).Select(k => new LinkQualityRow(feed, k, byKey[k][0], byKey[k][1], byKey[k][2], byKey[k][3])),
        ];
    }
}
