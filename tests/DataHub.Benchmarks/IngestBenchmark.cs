using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataHub.Core.Hub;
using DataHub.Host.Embedded;
using DataHub.Seeds;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Benchmarks;

/// <summary>
/// Issue 3, acceptance 6: ingest a generated police-da-incidents CSV end to end (parse, validate, pseudonymise, write the
/// mart) and compare with DuckDB reading the same CSV and writing Parquet with SHA-256 of the identifier columns.
/// Each of our runs is a child process, so its peak RSS (VmHWM) is its own. Goal: ≤ 1.5× DuckDB; RSS &lt; 300 MB, flat.
/// </summary>
internal static class IngestBenchmark
{
    /// <summary>`ingest [--sizes 1000000,5000000]`, or `ingest --child CSV ROOT` inside the child process.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 3 && args[0] == "--child")
        {
            return await ChildAsync(args[1], args[2]);
        }

        var sizes = args.Length == 2 && args[0] == "--sizes"
            ? args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : [1_000_000, 5_000_000];
        var work = Path.Combine(Path.GetTempPath(), "datahub-bench-ingest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            Console.WriteLine($"ingest benchmark: police-da-incidents, sizes {string.Join(", ", sizes)} rows; {Environment.ProcessorCount} cores");
            foreach (var rows in sizes)
            {
                var csv = Path.Combine(work, $"police-{rows}.csv");
                await using (var output = File.Create(csv))
                {
                    LargeExtracts.WritePoliceIncidentsCsv(output, rows, 20171001);
                }

                var mb = new FileInfo(csv).Length / 1024.0 / 1024.0;
                var ours = RunChild(csv, Path.Combine(work, $"root-{rows}"));
                var duck = await DuckDbReferenceAsync(csv, Path.Combine(work, $"duckdb-{rows}.parquet"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{rows,10:N0} rows ({mb:F0} MB): datahub {ours.Seconds,7:F2} s {ours.CpuSeconds,7:F2} CPU s ({ours.Rows:N0} stored), peak RSS {ours.PeakRssMb,6:F0} MB | duckdb {duck.Seconds,6:F2} s {duck.CpuSeconds,6:F2} CPU s | ratio {ours.Seconds / duck.Seconds:F2}x time, {ours.CpuSeconds / duck.CpuSeconds:F2}x CPU; load {File.ReadAllText("/proc/loadavg").Trim()}"));
                File.Delete(csv);
                Directory.Delete(Path.Combine(work, $"root-{rows}"), recursive: true);
            }

            Console.WriteLine("goal: ratio <= 1.5x; peak RSS < 300 MB and flat from 1M to 5M rows (on a shared machine the CPU ratio is the steadier figure)");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static (double Seconds, double CpuSeconds, double PeakRssMb, long Rows) RunChild(string csv, string root)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(IngestBenchmark).Assembly.Location);
        }

        foreach (var a in new[] { "ingest", "--child", csv, root })
        {
            start.ArgumentList.Add(a);
        }

        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The ingest child failed ({child.ExitCode}): {output}");
        }

        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var r = doc.RootElement;
        Console.WriteLine($"  child: {r}");
        return (r.GetProperty("seconds").GetDouble(), r.GetProperty("cpu_seconds").GetDouble(), r.GetProperty("peak_rss_kb").GetDouble() / 1024, r.GetProperty("rows").GetInt64());
    }

    private static async Task<int> ChildAsync(string csv, string root)
    {
        LocalKeyProvider.Create(root);
        LocalAuditKeyProvider.Create(root);
        using var hub = EmbeddedHub.Open(root, null, TimeProvider.System, settings: new IngestSettings());
        var watch = Stopwatch.StartNew();
        var outcome = await hub.DropAndIngestAsync(csv, "police", "police-da-incidents", CancellationToken.None);
        watch.Stop();
        if (outcome.Status is not (Core.Ingestion.IngestStatus.Stored or Core.Ingestion.IngestStatus.StoredWithRowErrors))
        {
            Console.WriteLine(EmbeddedRunner.Describe(outcome));
            return 1;
        }

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["seconds"] = watch.Elapsed.TotalSeconds,
            ["peak_rss_kb"] = PeakRssKb(),
            ["rows"] = outcome.RowsAccepted,
            ["cpu_seconds"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            ["allocated_mb"] = GC.GetTotalAllocatedBytes() / 1024.0 / 1024.0,
            ["gcs"] = $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}",
            ["gc_heap_mb"] = GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0,
            ["gc_committed_mb"] = GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0,
        }));
        return 0;
    }

    /// <summary>VmHWM from /proc/self/status: the process's peak resident set size.</summary>
    private static long PeakRssKb()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>DuckDB in this process (it does nothing else meanwhile), so its CPU time is the process's.</summary>
    private static async Task<(double Seconds, double CpuSeconds)> DuckDbReferenceAsync(string csv, string parquet)
    {
        // The reference does what our ingest does at its core: read the CSV and write Parquet with the identifiers hashed.
        var sql = $"""
            COPY (
              SELECT incident_id, incident_date, role,
                     sha256(upper(surname) || '|' || upper(forename) || '|' || CAST(date_of_birth AS VARCHAR)) AS name_dob_token,
                     sha256(left(upper(forename), 1) || left(upper(surname), 1) || '|' || CAST(date_of_birth AS VARCHAR) || '|' || sex) AS attributor_token,
                     sex, crime, marac_referral
              FROM read_csv({DuckDb.Literal(csv)}, header = true)
            ) TO {DuckDb.Literal(parquet)} (FORMAT parquet, COMPRESSION snappy);
            SELECT count(*) AS n FROM read_parquet({DuckDb.Literal(parquet)});
            """;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await DuckDb.QueryAsync(sql);
        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }
}
