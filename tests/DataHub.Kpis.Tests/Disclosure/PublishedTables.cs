using System.Globalization;
using System.Text.Json;
using DataHub.Core.Kpis;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>The rules a feed's agreement names for what is made from it: counts 1..Threshold (and 0 when SuppressZeros) withheld,
/// the rest rounded half up to RoundingBase (none: exact).</summary>
internal sealed record FeedRules(int Threshold, bool SuppressZeros, int? RoundingBase);

/// <summary>One published link_quality row: counts (null when withheld), the link rate and the marker.</summary>
internal sealed record LinkQualityLine(string Feed, string Key, long? Records, long? Linked, long? Ambiguous, long? Unlinked, double? Rate, string Marker);

/// <summary>
/// A published KPI version as a reader gets it, read with DuckDB (not our Parquet code): kpi_values and the cohorts table as
/// rows for the verifier, and from kpi_definitions what a reader is told: which quantity each numerator and denominator is
/// (and whether it is the same in every quarter), which are counts, and the threshold and rounding each is published under.
/// Beside them, every other published number about the cohort and the relations a reader can rely on between them:
/// link_quality (per feed and key), the run manifest, and, with the governance version, the deliveries' stored rows and the
/// scorecard's cohort coverage.
/// </summary>
internal sealed class PublishedTables
{
    // The order the hub tries keys in (docs/linkage.md): a feed's first key listed decides every record carrying it that matches.
    private static readonly string[] KeyOrder = ["local", "nhs", "upn", "name_dob", "attributor"];

    // The children's social care extracts are records of cohort people; every other feed's records are public (docs/disclosure.md)
    // and link_quality shows them exactly.
    private static readonly string[] CohortFeeds = ["csc-people", "csc-cp-plans", "csc-cla-periods"];

    private readonly Dictionary<string, Definition> _definitions;

    private PublishedTables(IReadOnlyList<KpiValueRow> rows, Dictionary<string, Definition> definitions, IReadOnlyList<QuantityRelation> relations)
    {
        Rows = rows;
        _definitions = definitions;
        Relations = relations;
    }

    /// <summary>kpi_values rows, then one row per cohort size of the cohorts table (indicator "cohorts"), then one row per count of
    /// link_quality, the manifest, the deliveries and the scorecard's coverage.</summary>
    public IReadOnlyList<KpiValueRow> Rows { get; }

    /// <summary>The sums and inequalities across rows and tables a reader can rely on.</summary>
    public IReadOnlyList<QuantityRelation> Relations { get; }

    /// <summary>Each feed's rules as the demo agreements (functions/protocols) name them.</summary>
    public static Func<string, FeedRules> Agreements { get; } = FromAgreements();

    /// <summary>Reads a KPI version folder and, when given, the governance version published with it. <paramref name="feedRules"/>
    /// says what a reader knows of each feed's rules (the agreements by default). With <paramref name="oneCohortEach"/> the reader
    /// knows (or rightly guesses) that every person is in one family and every family in a cohort window, so a quarter's cohort
    /// people are exactly the children and adults of the cohorts started by then.</summary>
    public static async Task<PublishedTables> ReadAsync(string versionFolder, string? governanceFolder = null, Func<string, FeedRules>? feedRules = null, bool oneCohortEach = false)
    {
        feedRules ??= Agreements;
        string Table(string name) => DuckDb.Literal(Path.Combine(versionFolder, name + ".parquet"));
        var d = await DuckDb.QueryAsync($"""
            select measure_key, unit, numerator_quantity, numerator_kind, numerator_scope, denominator_quantity, denominator_kind,
                   denominator_scope, threshold, suppress_zeros, rounding_base
            from read_parquet({Table("kpi_definitions")})
            """);
        var definitions = d.Rows.ToDictionary(r => r[0].GetString()!, r => new Definition(
            r[1].GetString()!, r[2].GetString()!, r[3].GetString() == "count", r[4].GetString() == "cohort",
            r[5].GetString(), r[6].GetString() == "count", r[7].GetString() == "cohort",
            (int)Long(r[8])!.Value, r[9].GetBoolean(), (int?)Long(r[10])));

        var v = await DuckDb.QueryAsync($"""
            select cohort, quarter, indicator, measure, case when breakdown_type = 'all' then 'all' else breakdown_type || ':' || breakdown_value end,
                   numerator, denominator, value, marker
            from read_parquet({Table("kpi_values")})
            """);
        var rows = v.Rows.Select(x => new KpiValueRow(x[0].GetString()!, x[1].GetString()!, x[2].GetString()!, x[3].GetString()!, x[4].GetString()!,
            Long(x[5]), Long(x[6]), Double(x[7]), x[8].GetString()!)).ToList();
        var relations = new List<QuantityRelation>();

        // The cohort sizes are the cohort feed's populations, published under the same rules as the children's social care measures.
        var csc = definitions["KPI01.children_with_active_plan"];
        var c = await DuckDb.QueryAsync($"select cohort, families, children, adults, marker, window_start, window_end from read_parquet({Table("cohorts")})");
        var cohorts = new List<Cohort>();
        foreach (var x in c.Rows)
        {
            cohorts.Add(new(x[0].GetString()!, DateOnly.Parse(x[5].GetString()!, CultureInfo.InvariantCulture), DateOnly.Parse(x[6].GetString()!, CultureInfo.InvariantCulture), Long(x[2]), Long(x[3])));
            foreach (var (column, name) in new[] { (1, "families"), (2, "children"), (3, "adults") })
            {
                rows.Add(new KpiValueRow(x[0].GetString()!, "*", "cohorts", name, "all", Long(x[column]), null, null, Long(x[column]) is null ? x[4].GetString()! : ""));
                definitions["cohorts." + name] = new Definition("count", "cohort." + name, true, true, null, false, true, csc.Threshold, csc.SuppressZeros, csc.RoundingBase);
            }
        }

        string[] People(string cohort) => [CohortKey(cohort, "children"), CohortKey(cohort, "adults")];

        // Every row of the cohort feed is one cohort person in one family, so its records (link_quality) and the rows of its latest
        // delivery (governance deliveries) are the cohort sizes summed over cohorts.
        var allPeople = cohorts.SelectMany(x => People(x.Name)).ToArray();
        var linkQuality = await DuckDb.QueryAsync($"select feed, key, records, linked, ambiguous, unlinked, link_rate, marker from read_parquet({Table("link_quality")})");
        ReadLinkQuality(
            linkQuality.Rows.Select(x => new LinkQualityLine(x[0].GetString()!, x[1].GetString()!, Long(x[2]), Long(x[3]), Long(x[4]), Long(x[5]), Double(x[6]), x[7].GetString()!)),
            feedRules, rows, definitions, relations);
        relations.Add(new QuantityRelation([LinkKey("csc-people", "all", "records")], allPeople));

        ReadManifest(Path.Combine(versionFolder, "manifest.json"), cohorts, rows, definitions, relations);

        if (governanceFolder is not null)
        {
            string Governance(string name) => DuckDb.Literal(Path.Combine(governanceFolder, name + ".parquet"));
            var stored = await DuckDb.QueryAsync($"""
                select rows_stored from read_parquet({Governance("deliveries")})
                where feed = 'csc-people' and outcome in ('stored', 'partly_rejected') order by received_at desc limit 1
                """);
            foreach (var x in stored.Rows)
            {
                rows.Add(new KpiValueRow("*", "*", "deliveries", "csc_people_rows_stored", "all", Long(x[0]), null, null, Long(x[0]) is null ? "[c]" : ""));
                definitions["deliveries.csc_people_rows_stored"] = new Definition("count", "deliveries.csc_people_rows_stored", true, true, null, false, true, csc.Threshold, csc.SuppressZeros, csc.RoundingBase);
                relations.Add(new QuantityRelation([Key("*", "*", "deliveries.csc_people_rows_stored")], allPeople));
            }

            var sums = await DuckDb.QueryAsync($"""
                select feed, sum(rows_stored), count(*) - count(rows_stored) from read_parquet({Governance("deliveries")})
                where outcome in ('stored', 'partly_rejected') group by feed
                """);
            foreach (var x in sums.Rows.Where(x => Long(x[2]) == 0))
            {
                AddRowsStored(x[0].GetString()!, Long(x[1]), rows, definitions, relations);
            }

            ReadCoverage(
                await DuckDb.QueryAsync($"select feed, quarter, cohort_people_reached, cohort_people, cohort_coverage, coverage_marker from read_parquet({Governance("scorecard")}) order by feed, quarter"),
                feedRules, cohorts, oneCohortEach, rows, definitions, relations);
        }

        return new PublishedTables(rows, definitions, relations);
    }

    /// <summary>The options a reader of these tables has: quantity identities, the published rules and the relations.</summary>
    public RecoveryOptions Options() => new(
        DenominatorQuantity: r => Key(r, Of(r).DenominatorQuantity ?? r.Indicator + "." + r.Measure + ".none", Of(r).DenominatorPerCohort),
        NumeratorQuantity: r => Key(r, Of(r).NumeratorQuantity, Of(r).NumeratorPerCohort),
        Publication: r =>
        {
            var x = Of(r);
            return new RowPublication(x.Unit, x.NumeratorIsCount, x.DenominatorQuantity is not null && x.DenominatorIsCount, x.Threshold, x.SuppressZeros, x.RoundingBase,
                x.DenominatorRules is { } d ? (d.Threshold, d.SuppressZeros, d.RoundingBase) : null);
        },
        Relations: Relations);

    // link_quality: per feed and key, records = linked + ambiguous + unlinked, the rate beside linked. Across its rows (the linkage
    // rule, docs/linkage.md): a key's records are some of the feed's; the feed's first key decides every record carrying it that
    // it matches, so its linked and ambiguous are at most the feed's; a record left unlinked matched no key it carries; a record
    // linked (or ambiguous) was decided by a key that matched it so; a record with no key is unlinked.
    /// <summary>link_quality rows alone, as a reader reads them, with the relations across them and, when given, each partner
    /// feed's rows stored as the deliveries table shows them.</summary>
    public static PublishedTables OfLinkQuality(IEnumerable<LinkQualityLine> lines, Func<string, FeedRules>? feedRules = null, IReadOnlyDictionary<string, long>? rowsStored = null)
    {
        var rows = new List<KpiValueRow>();
        var definitions = new Dictionary<string, Definition>(StringComparer.Ordinal);
        var relations = new List<QuantityRelation>();
        ReadLinkQuality(lines, feedRules ?? Agreements, rows, definitions, relations);
        foreach (var (feed, stored) in rowsStored ?? new Dictionary<string, long>())
        {
            AddRowsStored(feed, stored, rows, definitions, relations);
        }

        return new PublishedTables(rows, definitions, relations);
    }

    // Partner feeds' deliveries add up to the feed's records, exactly (a reader assumes no record was sent twice).
    private static void AddRowsStored(string feed, long? stored, List<KpiValueRow> rows, Dictionary<string, Definition> definitions, List<QuantityRelation> relations)
    {
        var measure = feed + ".rows_stored";
        rows.Add(new KpiValueRow("*", "*", "deliveries", measure, "all", stored, null, null, ""));
        definitions["deliveries." + measure] = Exact("deliveries." + measure);
        relations.Add(new QuantityRelation([Key("*", "*", "deliveries." + measure)], [LinkKey(feed, "all", "records")]));
    }

    private static void ReadLinkQuality(IEnumerable<LinkQualityLine> lines, Func<string, FeedRules> feedRules, List<KpiValueRow> rows, Dictionary<string, Definition> definitions, List<QuantityRelation> relations)
    {
        foreach (var feed in lines.GroupBy(x => x.Feed))
        {
            var rules = feedRules(feed.Key);
            var keys = new List<string>();
            foreach (var x in feed)
            {
                var key = x.Key;
                var marker = x.Marker;
                foreach (var (count, name) in new[] { (x.Records, "records"), (x.Linked, "linked"), (x.Ambiguous, "ambiguous"), (x.Unlinked, "unlinked") })
                {
                    var measure = $"{feed.Key}.{key}.{name}";
                    var withRate = name == "linked";
                    rows.Add(new KpiValueRow("*", "*", "link_quality", measure, "all", count, withRate ? x.Records : null, withRate ? x.Rate : null,
                        count is null ? "[c]" : withRate && marker is "[u]" or "[z]" ? marker : ""));
                    definitions["link_quality." + measure] = name == "records" && !CohortFeeds.Contains(feed.Key)
                        ? Exact("link_quality." + measure)
                        : new Definition(
                            withRate ? "proportion" : "count", "link_quality." + measure, true, true, withRate ? $"link_quality.{feed.Key}.{key}.records" : null, true, true,
                            rules.Threshold, rules.SuppressZeros, rules.RoundingBase);
                }

                relations.Add(new QuantityRelation([LinkKey(feed.Key, key, "records")], [LinkKey(feed.Key, key, "linked"), LinkKey(feed.Key, key, "ambiguous"), LinkKey(feed.Key, key, "unlinked")]));
                if (key != "all")
                {
                    keys.Add(key);
                }
            }

            string All(string column) => LinkKey(feed.Key, "all", column);
            foreach (var key in keys)
            {
                relations.Add(new QuantityRelation([All("records")], [LinkKey(feed.Key, key, "records")], LeftAtLeast: true));
                // Unlinked overall: matched none of its keys. Those carrying this key are among the key's unlinked.
                relations.Add(new QuantityRelation([LinkKey(feed.Key, key, "unlinked"), All("records")], [All("unlinked"), LinkKey(feed.Key, key, "records")], LeftAtLeast: true));
            }

            if (keys.OrderBy(k => Array.IndexOf(KeyOrder, k)).FirstOrDefault() is { } first)
            {
                relations.Add(new QuantityRelation([All("linked")], [LinkKey(feed.Key, first, "linked")], LeftAtLeast: true));
                relations.Add(new QuantityRelation([All("ambiguous")], [LinkKey(feed.Key, first, "ambiguous")], LeftAtLeast: true));
            }

            if (keys.Count > 0)
            {
                relations.Add(new QuantityRelation([.. keys.Select(k => LinkKey(feed.Key, k, "linked"))], [All("linked")], LeftAtLeast: true));
                relations.Add(new QuantityRelation([.. keys.Select(k => LinkKey(feed.Key, k, "ambiguous"))], [All("ambiguous")], LeftAtLeast: true));
                // A record carrying no key is unlinked.
                relations.Add(new QuantityRelation([.. keys.Select(k => LinkKey(feed.Key, k, "records")), All("unlinked")], [All("records")], LeftAtLeast: true));
            }
        }
    }

    // The run manifest's inputs: when it states each mart file's rows, the cohort feed's latest delivery gives each cohort window's
    // people (its quarter files), and a partner feed's files add up to its records.
    private static void ReadManifest(string path, List<Cohort> cohorts, List<KpiValueRow> rows, Dictionary<string, Definition> definitions, List<QuantityRelation> relations)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(path));
        var inputs = manifest.RootElement.GetProperty("inputs").EnumerateArray()
            .Where(i => i.TryGetProperty("rows", out _))
            .Select(i => (Feed: i.GetProperty("feed").GetString()!, Path: i.GetProperty("path").GetString()!, Rows: i.GetProperty("rows").GetInt64(),
                Batch: i.TryGetProperty("batch_id", out var b) ? b.GetString() : null, Received: i.TryGetProperty("received", out var r) ? r.GetString() : null))
            .ToList();
        foreach (var feed in inputs.GroupBy(i => i.Feed))
        {
            var files = feed.Key == "csc-people" ? feed.GroupBy(i => i.Batch).MaxBy(b => b.Max(i => i.Received))!.ToList() : feed.ToList();
            var quarters = new List<(Quarter Quarter, string Key)>();
            foreach (var (quarter, count) in files.GroupBy(i => QuarterOf(i.Path)).Select(g => (g.Key, g.Sum(i => i.Rows))))
            {
                var measure = $"{feed.Key}.{quarter}.rows";
                rows.Add(new KpiValueRow("*", "*", "manifest", measure, "all", count, null, null, ""));
                definitions["manifest." + measure] = Exact("manifest." + measure);
                quarters.Add((quarter, Key("*", "*", "manifest." + measure)));
            }

            if (feed.Key == "csc-people")
            {
                foreach (var cohort in cohorts)
                {
                    relations.Add(new QuantityRelation(
                        [.. quarters.Where(q => q.Quarter.Start >= cohort.Start && q.Quarter.End <= cohort.End).Select(q => q.Key)],
                        [CohortKey(cohort.Name, "children"), CohortKey(cohort.Name, "adults")]));
                }
            }
            else
            {
                relations.Add(new QuantityRelation([.. quarters.Select(q => q.Key)], [LinkKey(feed.Key, "all", "records")]));
            }
        }
    }

    // Cohort coverage per feed and quarter: people reached over the cohorts' people. The people reached only grow from quarter to
    // quarter and are no more than the feed's linked records. The cohorts' people are read as the scorecard shows them: when
    // every figure is the cohorts table's published children and adults of the cohorts started by then, added up, they say
    // nothing more, and the people reached are among those cohorts' people. Otherwise they are a count of their own (under the
    // cohort feed's rules), one quantity whichever feed's row shows it: they only grow, number at least each cohort that has
    // ended and at most all that have started (every family is in a cohort window), and with one cohort each, exactly.
    private static void ReadCoverage(DuckDbResult table, Func<string, FeedRules> feedRules, List<Cohort> cohorts, bool oneCohortEach,
        List<KpiValueRow> rows, Dictionary<string, Definition> definitions, List<QuantityRelation> relations)
    {
        long? Summed(Quarter q) => cohorts.Where(x => x.Start <= q.End).SelectMany(x => new[] { x.Children, x.Adults }).Aggregate((long?)0, (a, b) => a + b);
        string[] Started(Quarter q) => [.. cohorts.Where(x => x.Start <= q.End).SelectMany(x => new[] { CohortKey(x.Name, "children"), CohortKey(x.Name, "adults") })];
        var derived = table.Rows.Where(x => Long(x[3]) is not null).All(x => Long(x[3]) == Summed(Quarter.Parse(x[1].GetString()!)));
        var quarters = new SortedSet<Quarter>();
        var cohortRules = feedRules("csc-people");
        foreach (var feed in table.Rows.GroupBy(x => x[0].GetString()!))
        {
            // A feed without coverage (the cohort feed, aggregates) shows [z] everywhere; elsewhere [z] is a cohort of none.
            if (feed.All(x => x[5].GetString() == "[z]"))
            {
                continue;
            }

            var rules = feedRules(feed.Key);
            definitions["coverage." + feed.Key] = new Definition("proportion", "coverage." + feed.Key, true, false, derived ? "cohort_people_summed" : "cohort_people", !derived, false,
                rules.Threshold, rules.SuppressZeros, rules.RoundingBase, DenominatorRules: cohortRules);
            string? previous = null;
            foreach (var x in feed.OrderBy(x => Quarter.Parse(x[1].GetString()!)))
            {
                var quarter = Quarter.Parse(x[1].GetString()!);
                quarters.Add(quarter);
                var marker = x[5].GetString()!;
                var none = marker == "[z]";
                rows.Add(new KpiValueRow("*", quarter.ToString(), "coverage", feed.Key, "all", none ? 0 : Long(x[2]), none ? 0 : Long(x[3]), Double(x[4]), marker));
                var reached = Key("*", quarter.ToString(), "coverage." + feed.Key);
                relations.Add(derived
                    ? new QuantityRelation(Started(quarter), [reached], LeftAtLeast: true)
                    : new QuantityRelation([Key("*", quarter.ToString(), "cohort_people")], [reached], LeftAtLeast: true));
                relations.Add(new QuantityRelation([LinkKey(feed.Key, "all", "linked")], [reached], LeftAtLeast: true));
                if (previous is not null)
                {
                    relations.Add(new QuantityRelation([reached], [previous], LeftAtLeast: true));
                }

                previous = reached;
            }
        }

        if (derived)
        {
            return;
        }

        Quarter? before = null;
        foreach (var quarter in quarters)
        {
            var people = Key("*", quarter.ToString(), "cohort_people");
            if (before is { } b)
            {
                relations.Add(new QuantityRelation([people], [Key("*", b.ToString(), "cohort_people")], LeftAtLeast: true));
            }

            before = quarter;
            foreach (var ended in cohorts.Where(x => x.End <= quarter.End))
            {
                relations.Add(new QuantityRelation([people], [CohortKey(ended.Name, "children"), CohortKey(ended.Name, "adults")], LeftAtLeast: true));
            }

            relations.Add(oneCohortEach && !cohorts.Any(x => x.Start <= quarter.End && quarter.End < x.End)
                ? new QuantityRelation(Started(quarter), [people])
                : new QuantityRelation(Started(quarter), [people], LeftAtLeast: true));
        }
    }

    private static Func<string, FeedRules> FromAgreements()
    {
        var agreements = ProtocolFolder.Load(Path.Combine(RepoPaths.Root, "functions", "protocols"));
        var byFeed = agreements.Partners.SelectMany(p => p.Feeds.Values).ToDictionary(
            f => f.Feed,
            f => new FeedRules(agreements.Profiles[f.DisclosureProfile].Threshold, agreements.Profiles[f.DisclosureProfile].SuppressZeros, agreements.Profiles[f.DisclosureProfile].RoundingBase),
            StringComparer.Ordinal);
        return feed => byFeed[feed];
    }

    private static Quarter QuarterOf(string path)
    {
        var at = path.IndexOf("quarter=", StringComparison.Ordinal) + "quarter=".Length;
        return Quarter.Parse(path[at..path.IndexOf('/', at)]);
    }

    private static Definition Exact(string quantity) => new("count", quantity, true, true, null, false, true, 0, false, null);

    private static string CohortKey(string cohort, string population) => Key(cohort, "*", "cohort." + population);

    private static string LinkKey(string feed, string key, string column) => Key("*", "*", $"link_quality.{feed}.{key}.{column}");

    private Definition Of(KpiValueRow row) => _definitions[row.Indicator + "." + row.Measure];

    private static string Key(KpiValueRow row, string quantity, bool perCohort) =>
        Key(row.Cohort, perCohort ? "*" : row.Quarter, quantity, row.Breakdown);

    private static string Key(string cohort, string quarter, string quantity, string breakdown = "all") =>
        string.Join('|', cohort, quarter, quantity, breakdown);

    private static long? Long(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => long.Parse(e.GetString()!, CultureInfo.InvariantCulture),
        _ => e.GetInt64(),
    };

    private static double? Double(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => double.Parse(e.GetString()!, CultureInfo.InvariantCulture),
        _ => e.GetDouble(),
    };

    private sealed record Cohort(string Name, DateOnly Start, DateOnly End, long? Children, long? Adults);

    private sealed record Definition(
        string Unit, string NumeratorQuantity, bool NumeratorIsCount, bool NumeratorPerCohort,
        string? DenominatorQuantity, bool DenominatorIsCount, bool DenominatorPerCohort,
        int Threshold, bool SuppressZeros, int? RoundingBase, FeedRules? DenominatorRules = null);
}
