using System.Text;
using System.Text.RegularExpressions;
using DataHub.Core.Feeds;
using DataHub.Host.Commands;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 3, acceptance 1 and 4: the demo runs, leaves marts DuckDB can query, and no raw value reaches any output.</summary>
public sealed class DemoTests(DemoFixture demo) : IClassFixture<DemoFixture>
{
    [Fact]
    public void Demo_prints_a_summary_per_feed_and_succeeds()
    {
        demo.ExitCode.Should().Be(ExitCodes.Ok, demo.Output);
        demo.Output.Should().Contain("created a fresh random key");
        foreach (var feed in FeedCatalog.All)
        {
            demo.Output.Should().Contain(feed.Name);
        }

        demo.Output.Should().Contain("rows accepted").And.Contain("name_dob");
    }

    [Fact]
    public void Demo_stores_every_feed_in_the_secure_mart_and_archives_every_landed_file()
    {
        var marts = demo.Root.Files("secure");
        foreach (var feed in FeedCatalog.All)
        {
            marts.Should().Contain(f => f.StartsWith($"secure/{feed.Name}/quarter=", StringComparison.Ordinal), feed.Name);
        }

        demo.Root.Files("landing").Should().OnlyContain(f => f.StartsWith("landing/_processed/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DuckDb_reads_the_demo_marts_with_the_row_counts_and_metadata_we_wrote()
    {
        var glob = DuckDb.Literal(Path.Combine(demo.Root.Path, "secure", "police-da-incidents", "*", "*.parquet"));
        var counted = await DuckDb.QueryAsync($"""
            SELECT count(*) AS n, count(DISTINCT quarter) AS quarters, min(length(name_dob_token)) AS token_length,
                   count(*) FILTER (WHERE role NOT IN ('victim', 'perpetrator', 'other')) AS bad_roles
            FROM read_parquet({glob}, hive_partitioning = true)
            """);
        var stamped = await DuckDb.QueryAsync($"SELECT sum(CAST(decode(value) AS BIGINT)) FROM parquet_kv_metadata({glob}) WHERE decode(key) = 'datahub.rows'");
        var row = counted.Rows[0];
        long.Parse(row[counted.IndexOf("n")].Text()!).Should().BePositive();
        row[counted.IndexOf("n")].Text().Should().Be(stamped.Rows[0][0].Text(), "each file's datahub.rows matches what DuckDB counts");
        long.Parse(row[counted.IndexOf("quarters")].Text()!).Should().BeGreaterThan(1);
        row[counted.IndexOf("bad_roles")].Text().Should().Be("0");
        row[counted.IndexOf("token_length")].Text().Should().Be("67", "v1: plus 64 hex characters");

        var meta = await MartFiles.MetadataAsync(Directory.EnumerateFiles(Path.Combine(demo.Root.Path, "secure", "police-da-incidents"), "*.parquet", SearchOption.AllDirectories).First());
        meta["datahub.agreement"].Should().Be("DSA-FS-2024-POL-01");
        meta["datahub.key_version"].Should().Be("v1");
    }

    [Fact]
    public async Task No_raw_identifier_name_or_date_of_birth_appears_in_any_output()
    {
        // The dataset's identifiers, and those planted in file names, header cells and misplaced cells (DemoFixture).
        var raw = demo.Dataset.RawValues.All.Where(v => v.Length >= 3).Concat(DemoFixture.Planted).ToHashSet(StringComparer.Ordinal);
        raw.Should().NotBeEmpty();
        demo.PlantedOutput.Should().Contain("StoredWithRowErrors").And.Contain("quarantined", "both planted deliveries were handled");
        DemoFixture.Planted.Where(v => (demo.Output + demo.PlantedOutput).Contains(v, StringComparison.Ordinal)).Should().BeEmpty("the console repeats no name");
        var scanned = new List<string>();

        // The governance tables and board report show due dates and arrival dates the hub works out; one may fall on someone's birthday.
        var calendar = demo.Root.Files("published/governance").Where(f => f.EndsWith("/scorecard.csv", StringComparison.Ordinal))
            .SelectMany(f => Regex.Matches(demo.Root.Text(f), @"\d{4}-\d{2}-\d{2}").Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        var rawBesideCalendar = raw.Where(v => !calendar.Contains(v)).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in new[] { "secure", "published", "audit", "logs", "quarantine", "receipts", "landing" })
        {
            foreach (var file in demo.Root.Files(folder))
            {
                // Every path the hub derives is free of names: quarantined and archived files are kept under labels.
                DemoFixture.Planted.Where(v => file.Contains(v, StringComparison.Ordinal)).Should().BeEmpty($"the path {file} must not carry a name");

                // Quarantined and archived raw files are the partner's own data kept for them; their reports are scanned.
                if (folder is "quarantine" or "landing" && !file.EndsWith(".report.json", StringComparison.Ordinal) && !file.EndsWith(".report.csv", StringComparison.Ordinal))
                {
                    continue;
                }

                scanned.Add(file);
                var text = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(demo.Root.Path, file)));
                var scan = file.StartsWith("published/governance/", StringComparison.Ordinal) || file.StartsWith("published/report/", StringComparison.Ordinal) ? rawBesideCalendar : raw;

                // Compressed Parquet pages are noise in which a short name turns up by chance ("Lee" in a few hundred KB):
                // their bytes are searched for the long values (identifiers, dates, full names), and every decoded text
                // value of the marts for all of them below; published tables have CSV twins, searched for all of them above.
                if (file.EndsWith(".parquet", StringComparison.Ordinal))
                {
                    scan = scan.Where(v => v.Length >= 8).ToHashSet(StringComparer.Ordinal);
                }

                scan.Where(v => text.Contains(v, StringComparison.Ordinal)).Take(3).Should().BeEmpty($"{file} must not contain raw values");
            }
        }

        scanned.Should().Contain(f => f.StartsWith("secure/", StringComparison.Ordinal)).And.Contain(f => f.StartsWith("audit/", StringComparison.Ordinal)).And.Contain(f => f.StartsWith("logs/", StringComparison.Ordinal));
        scanned.Should().Contain(f => f.Contains("row-errors", StringComparison.Ordinal), "the row-error report of the planted delivery was scanned");

        // And every decoded text value of every mart, whatever the page encoding. (Typed dates are excluded: an
        // incident date may fall on someone's birthday; a date of birth itself is never stored, only year and month.)
        foreach (var feed in Directory.EnumerateDirectories(Path.Combine(demo.Root.Path, "secure")))
        {
            var result = await DuckDb.QueryAsync($"SELECT * FROM read_parquet({DuckDb.Literal(Path.Combine(feed, "*", "*.parquet"))}, hive_partitioning = false)");
            var text = result.Types.Select((t, i) => (t, i)).Where(c => c.t == "VARCHAR").Select(c => c.i).ToList();
            text.Should().NotBeEmpty();
            result.Rows.SelectMany(r => text.Select(i => r[i].Text())).Where(v => v is not null && raw.Contains(v)).Should().BeEmpty(feed);
        }
    }

    [Fact]
    public async Task The_readme_duckdb_query_reads_exactly_the_committed_batches()
    {
        var sql = ReadmeQuery().Replace("'.datahub/", "'" + demo.Root.Path + "/", StringComparison.Ordinal);
        var committed = Rows(await DuckDb.QueryAsync(sql));

        // What a crash mid-commit and a killed writer leave beside the committed files: neither may be read.
        var quarter = Directory.EnumerateDirectories(Path.Combine(demo.Root.Path, "secure", "police-da-incidents"), "quarter=*").First();
        var orphan = Path.Combine(quarter, "police-ffffffffffffffff.parquet");
        var temporary = Path.Combine(quarter, ".tmp-0123456789abcdef0123456789abcdef-police-ffffffffffffffff.parquet");
        File.Copy(Directory.EnumerateFiles(quarter, "*.parquet").First(), orphan);
        File.WriteAllText(temporary, "not yet parquet");
        try
        {
            committed.Should().BePositive();
            Rows(await DuckDb.QueryAsync(sql)).Should().Be(committed, "files no committed batch lists are not read");
        }
        finally
        {
            File.Delete(orphan);
            File.Delete(temporary);
        }

        static long Rows(DuckDbResult result) => result.Rows.Sum(r => long.Parse(r[1].Text()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    // The DuckDB query the README gives for the demo root: its sql block, or else the inline query naming read_parquet.
    private static string ReadmeQuery()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var block = readme.IndexOf("```sql", StringComparison.Ordinal);
        if (block >= 0)
        {
            var start = readme.IndexOf('\n', block) + 1;
            return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        }

        var call = readme.IndexOf("read_parquet(", StringComparison.Ordinal);
        var open = readme.LastIndexOf('`', call) + 1;
        return readme[open..readme.IndexOf('`', call)];
    }
}
