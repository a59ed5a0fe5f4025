using System.Diagnostics;
using System.Globalization;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Benchmarks;

/// <summary>
/// `rollup [--families N] [--keep DIR]`: writes a county-scale set of secure marts (default 10,000 families, 40,000 people,
/// 5 years) with <see cref="RollupMarts"/>, then times the RollupQuarter job over all quarters and prints wall time and peak
/// RSS of the rollup alone, with DuckDB (npm) joining and aggregating the same files as the reference.
/// </summary>
public static class RollupBenchmark
{
    /// <summary>Runs the benchmark; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var families = IntOption(args, "--families", 10_000);
        var keep = StringOption(args, "--keep");
        var root = keep ?? Path.Combine(Path.GetTempPath(), "datahub-bench-rollup-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            return RunAsync(root, families).GetAwaiter().GetResult();
        }
        finally
        {
            if (keep is null && Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static async Task<int> RunAsync(string root, int families)
    {
        var store = new LocalObjectStore(root);
        var generate = Stopwatch.StartNew();
        if (Directory.Exists(Path.Combine(root, "secure", "csc-people")))
        {
            // --keep DIR from an earlier run: the same seeded marts are already there.
            Console.WriteLine($"marts: reusing {root}");
        }
        else
        {
            var counts = await RollupMarts.WriteAsync(store, families, seed: 20171001, CancellationToken.None);
            generate.Stop();
            Console.WriteLine($"marts: {families:N0} families, {counts.People:N0} people; rows: attendance {counts.Attendance:N0}, incidents {counts.Incidents:N0}, TOPS {counts.Tops:N0}, all feeds {counts.Total:N0}; {counts.Files} files, {DirectorySize(Path.Combine(root, "secure")) / 1048576.0:F1} MB; written in {generate.Elapsed.TotalSeconds:F1} s");
        }

        // How much of the load phase is Parquet decoding alone: every column of every mart file.
        var decode = Stopwatch.StartNew();
        long cells = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "secure"), "*.parquet", SearchOption.AllDirectories))
        {
            using var stream = new MemoryStream(File.ReadAllBytes(file));
            await using var reader = await DataHub.Parquet.ParquetReader.OpenAsync(stream, file);
            for (var rg = 0; rg < reader.RowGroups.Count; rg++)
            {
                foreach (var column in reader.Schema.Columns)
                {
                    cells += (await reader.ReadColumnAsync(rg, column.Name)).Count;
                }
            }
        }

        Console.WriteLine($"decode only: {cells:N0} cells in {decode.Elapsed.TotalSeconds:F2} s");
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var resetPeak = ResetPeakRss();
        if (!LocalAuditKeyProvider.Exists(root))
        {
            LocalAuditKeyProvider.Create(root);
        }

        var job = new RollupQuarter(store, new LocalAuditLog(root, TimeProvider.System), TimeProvider.System, new RollupSettings());
        var wall = Stopwatch.StartNew();
        var outcome = await job.RunAsync(new RollupRequest(), CancellationToken.None);
        wall.Stop();
        var peak = PeakRssBytes();
        Console.WriteLine($"rollup: {outcome.Quarters.Count} quarters, {outcome.KpiRows:N0} kpi_values rows, {outcome.SuppressedCells:N0} cells suppressed");
        Console.WriteLine($"rollup wall time: {wall.Elapsed.TotalSeconds:F2} s (goal < 20 s): {string.Join(", ", outcome.PhaseTimings.Select(p => $"{p.Key} {p.Value}"))}");
        Console.WriteLine($"rollup peak RSS: {peak / 1048576.0:F0} MB{(resetPeak ? "" : " (process peak: generation included)")} (goal < 2048 MB)");

        var secure = Path.Combine(root, "secure");
        string Files(string feed) => DuckDb.Literal(Path.Combine(secure, feed, "*", "*.parquet"));
        var sql = $"""
            with people as (select name_dob_token, upn_token, min(fs_start_date) as fs from read_parquet({Files("csc-people")}) group by all),
            incidents as (select p.fs, i.incident_date from read_parquet({Files("police-da-incidents")}) i join people p using (name_dob_token) where i.role <> 'other'),
            attendance as (select sum(a.unauthorised_absence_sessions) as unauthorised, sum(a.possible_sessions) as possible
                           from read_parquet({Files("school-attendance")}) a join people p on a.upn_token = p.upn_token)
            select (select count(*) from incidents where incident_date >= fs - 365 and incident_date < fs) as before,
                   (select count(*) from incidents where incident_date >= fs and incident_date <= fs + 365) as after,
                   (select unauthorised / possible from attendance) as rate
            """;
        var reference = Stopwatch.StartNew();
        var duck = await DuckDb.QueryAsync(sql);
        reference.Stop();
        Console.WriteLine($"reference (DuckDB via node, same files: two joins and aggregates, process start included): {reference.Elapsed.TotalSeconds:F2} s; before/after incidents {duck.Rows[0][0]}/{duck.Rows[0][1]}");
        Console.WriteLine($"ratio rollup / DuckDB reference: {wall.Elapsed.TotalSeconds / reference.Elapsed.TotalSeconds:F2}");
        return wall.Elapsed.TotalSeconds < 20 && peak < 2L * 1024 * 1024 * 1024 ? 0 : 1;
    }

    // Linux: writing 5 to clear_refs resets the peak RSS (VmHWM), so the figure is the rollup's own.
    private static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long PeakRssBytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (var line in File.ReadLines(status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    private static long DirectorySize(string path) =>
        Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    private static int IntOption(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string? StringOption(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
