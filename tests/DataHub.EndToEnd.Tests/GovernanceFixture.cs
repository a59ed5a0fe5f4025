using System.Globalization;
using System.Text;
using System.Text.Json;
using DataHub.Core.Kpis;
using DataHub.Seeds;

namespace DataHub.EndToEnd.Tests;

/// <summary>
/// `datahub demo`, then the deliveries a board hears about (a file with a few rows rejected, one rejected above tolerance, an
/// exact re-send, a feed outside its partner's agreement), then `datahub rollup`, which publishes the KPI and governance
/// tables and the board report. Shared by the governance and report tests.
/// </summary>
public sealed class GovernanceFixture : IAsyncLifetime
{
    private readonly HubRoot _root = new();

    internal HubRoot Root => _root;

    /// <summary>The same dataset the demo generated (same default seed).</summary>
    public SyntheticDataset Dataset { get; } = SyntheticHub.Generate(new SeedOptions());

    /// <summary>Everything the commands printed, for failure messages.</summary>
    public StringBuilder Output { get; } = new();

    /// <summary>The audit log's events as JSON, read without the hub's own reader.</summary>
    public IReadOnlyList<JsonElement> AuditEvents { get; private set; } = [];

    /// <summary>The current governance version folder (relative to the root).</summary>
    public string GovernanceVersion { get; private set; } = "";

    /// <summary>The current KPI version folder (relative to the root).</summary>
    public string KpiVersion { get; private set; } = "";

    /// <summary>The quarter the rollup's board report was written for (the latest KPI quarter).</summary>
    public Quarter ReportQuarter { get; private set; }

    public async Task InitializeAsync()
    {
        await Run("demo");
        var police = Dataset.Files.Single(f => f.Feed == "police-da-incidents");
        var lines = Encoding.UTF8.GetString(police.Content).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var (header, rows) = (lines[0], lines[1..]);

        // 100 rows plus 2 exact repeats: 2% rejected, within the police agreement's 5% tolerance.
        await Ingest("police", "police-da-incidents", "resend-with-repeats.csv", [header, .. rows[..100], rows[3], rows[7]]);

        // 20 rows plus 10 repeats: a third rejected, so the whole file is quarantined.
        await Ingest("police", "police-da-incidents", "mostly-repeats.csv", [header, .. rows[..20], .. Enumerable.Repeat(rows[0], 10)]);

        // The demo's own file again: a duplicate delivery. And a feed the police agreement does not cover.
        await Ingest("police", "police-da-incidents", "again.csv", lines);
        await Ingest("police", "school-attendance", "wrong-feed.csv", [header, .. rows[..5]]);
        await Run("rollup");

        GovernanceVersion = Pointer("published/governance/current.json");
        KpiVersion = Pointer("published/kpi/current.json");
        ReportQuarter = Quarter.Parse(JsonDocument.Parse(_root.Text(KpiVersion + "/manifest.json")).RootElement.GetProperty("quarters").EnumerateArray().Last().GetString()!);
        AuditEvents = [.. File.ReadAllLines(Path.Combine(_root.Path, "audit", "audit-log.jsonl")).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>A published CSV table as (column → cell) rows.</summary>
    public IReadOnlyList<Dictionary<string, string>> Table(string version, string name)
    {
        using var csv = CsvHelper.CsvReader.Create(File.ReadAllBytes(Path.Combine(_root.Path, version, name + ".csv")), null);
        var columns = csv.Headers.ToArray();
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read())
        {
            rows.Add(columns.Select((c, i) => (c, v: csv.GetString(i) ?? "")).ToDictionary(x => x.c, x => x.v, StringComparer.Ordinal));
        }

        return rows;
    }

    public async Task<(int Code, string Output)> Run(params string[] args)
    {
        var (code, output) = await _root.RunAsync(args);
        Output.AppendLine(CultureInfo.InvariantCulture, $"$ datahub {string.Join(' ', args)} -> {code}").AppendLine(output);
        return (code, output);
    }

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    private Task Ingest(string partner, string feed, string name, IEnumerable<string> lines) =>
        _root.IngestAsync(partner, feed, name, string.Join("\r\n", lines) + "\r\n").ContinueWith(t => Output.AppendLine(t.Result.Output), TaskScheduler.Default);

    private string Pointer(string path) => JsonDocument.Parse(_root.Text(path)).RootElement.GetProperty("version").GetString()!;
}

/// <summary>The tests that share one <see cref="GovernanceFixture"/> (its demo and rollup run once).</summary>
[CollectionDefinition(Name)]
public sealed class GovernanceCollection : ICollectionFixture<GovernanceFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "governance";
}
