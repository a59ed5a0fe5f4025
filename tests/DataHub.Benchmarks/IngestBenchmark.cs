using System.Diagnostics;
using System.Globalization;
using DataHub.Seeds;
using DataHub.Testing;
using static DataHub.Benchmarks.ProcessMeasure;

namespace DataHub.Benchmarks;

/// <summary>
/// Issue 15 acceptance 2 (and issue 12's ingest figures): a partner-like police-da-incidents extract (realistic names,
/// mixed date-of-birth forms, repeated and invalid rows; see <see cref="PartnerLikeExtracts"/>) ingested by the whole
/// `datahub ingest` process of the published CLI, as a user runs it (<see cref="PublishedCli"/>; start-up, copy into
/// landing, content hash, parse, validate, pseudonymise, write the mart, archive), against DuckDB doing its natural job
/// on the same file: read_csv with detection, SHA-256 of the identifier columns, COPY to Parquet. Goal: ≤ 1.5× DuckDB at
/// 1M and 5M rows; peak RSS &lt; 300 MB and flat.
/// </summary>
/// <remarks>The machine may be shared: each size runs <c>--rounds</c> times (default 2), the sides taking turns, every
/// round is printed with the load average, and the summary takes each side's best round. CPU seconds are the steadier
/// comparison when the load is high.</remarks>
internal static class IngestBenchmark
{
    /// <summary>`ingest [--sizes 1000000,5000000] [--rounds R]`.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = Option(args, "--sizes")?.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() ?? [1_000_000, 5_000_000];
        var rounds = Option(args, "--rounds") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 2;
        var cli = PublishedCli.Publish("DataHub.Benchmarks");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"datahub: {PublishedCli.Description}, {cli.Path}, published or checked in {cli.Took.TotalSeconds:F0} s"));
        var datahub = cli.Path;
        var work = Path.Combine(Path.GetTempPath(), "datahub-bench-ingest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var summary = new List<string>();
        var peakRss = new List<double>();
        try
        {
            Console.WriteLine($"ingest benchmark: partner-like police-da-incidents, sizes {string.Join(", ", sizes)} rows, {rounds} rounds; {Environment.ProcessorCount} cores");
            foreach (var rows in sizes)
            {
                var csv = Path.Combine(work, $"police-{rows}.csv");
                PartnerLikeExtract extract;
                await using (var output = File.Create(csv))
                {
                    extract = PartnerLikeExtracts.WritePoliceIncidentsCsv(output, rows, 20171001);
                }

                var mb = new FileInfo(csv).Length / 1024.0 / 1024.0;

                // An extract delivered earlier, as operators ingest them: one just written would first wait 10 s to settle.
                Delivered.Earlier(csv);
                Console.WriteLine(F($"{rows:N0} rows, {mb:F0} MB: {extract.Invalid:N0} invalid, {extract.Duplicates:N0} repeated, {extract.Valid:N0} to keep"));
                RunCost? bestOurs = null;
                (double Seconds, double CpuSeconds, long Rows)? bestDuck = null;
                for (var round = 1; round <= rounds; round++)
                {
                    var ours = Ingest(datahub, csv, Path.Combine(work, $"root-{rows}-{round}"));
                    var duck = await DuckDbReferenceAsync(csv, Path.Combine(work, $"duckdb-{rows}.parquet"));
                    Console.WriteLine(F($"  round {round}: datahub {ours.Seconds,6:F2} s {ours.CpuSeconds,6:F2} CPU s, peak RSS {ours.PeakRssMb,4:F0} MB | duckdb {duck.Seconds,6:F2} s {duck.CpuSeconds,6:F2} CPU s ({duck.Rows:N0} rows) | {ours.Seconds / duck.Seconds:F2}x time, {ours.CpuSeconds / duck.CpuSeconds:F2}x CPU; load {Load()}"));
                    Console.WriteLine($"    datahub: {ours.Output}");
                    bestOurs = bestOurs is null || ours.Seconds < bestOurs.Seconds ? ours : bestOurs;
                    bestDuck = bestDuck is null || duck.Seconds < bestDuck.Value.Seconds ? duck : bestDuck;
                }

                peakRss.Add(bestOurs!.PeakRssMb);
                summary.Add(F($"{rows,10:N0} rows ({mb:F0} MB): datahub {bestOurs!.Seconds,6:F2} s {bestOurs.CpuSeconds,6:F2} CPU s, peak RSS {bestOurs.PeakRssMb,4:F0} MB | duckdb {bestDuck!.Value.Seconds,6:F2} s {bestDuck.Value.CpuSeconds,6:F2} CPU s | ratio {bestOurs.Seconds / bestDuck.Value.Seconds:F2}x time, {bestOurs.CpuSeconds / bestDuck.Value.CpuSeconds:F2}x CPU"));
                File.Delete(csv);
            }

            Console.WriteLine("best rounds:");
            summary.ForEach(Console.WriteLine);
            if (peakRss.Count > 1)
            {
                Console.WriteLine(F($"peak RSS at {sizes[^1]:N0} rows against {sizes[0]:N0}: {(peakRss[^1] / peakRss[0]) - 1:+0.0%;-0.0%}"));
            }

            Console.WriteLine("goal: ratio <= 1.5x at both sizes; peak RSS < 300 MB, the 5M figure within 15% of the 1M one");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>`datahub key init` (not timed), then `datahub ingest` measured, in a fresh root that is deleted afterwards.</summary>
    private static RunCost Ingest(string datahub, string csv, string root)
    {
        try
        {
            var init = Run(datahub, ["key", "init", "--root", root]);
            if (init.ExitCode != 0)
            {
                throw new InvalidOperationException($"datahub key init failed ({init.ExitCode}): {init.Output}");
            }

            var ingest = Run(datahub, ["ingest", csv, "--partner", "police", "--feed", "police-da-incidents", "--root", root]);
            return ingest.ExitCode == 0 ? ingest : throw new InvalidOperationException($"datahub ingest failed ({ingest.ExitCode}): {ingest.Output}");
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>DuckDB in this process (which does nothing else meanwhile), so its CPU time is the process's.</summary>
    private static async Task<(double Seconds, double CpuSeconds, long Rows)> DuckDbReferenceAsync(string csv, string parquet)
    {
        // DuckDB's natural job on a partner's file: detect the dialect and types (mixed date forms stay text), skip the
        // rows it cannot read, hash the identifying columns and write Parquet.
        var sql = $"""
            COPY (
              SELECT "Incident Id" AS incident_id, "Incident Date" AS incident_date, "Role" AS role,
                     sha256(upper(trim("Surname")) || '|' || upper(trim("Forename")) || '|' || "Date Of Birth") AS name_dob_token,
                     sha256(left(upper(trim("Forename")), 1) || left(upper(trim("Surname")), 1) || '|' || "Date Of Birth" || '|' || "Sex") AS attributor_token,
                     "Sex" AS sex, "Crime" AS crime, "Marac Referral" AS marac_referral
              FROM read_csv({DuckDb.Literal(csv)}, header = true, ignore_errors = true)
            ) TO {DuckDb.Literal(parquet)} (FORMAT parquet, COMPRESSION snappy);
            SELECT count(*) AS n FROM read_parquet({DuckDb.Literal(parquet)});
            """;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = await DuckDb.QueryAsync(sql);
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        File.Delete(parquet);
        return (seconds, cpuSeconds, long.Parse(result.Rows[0][0].ToString(), CultureInfo.InvariantCulture));
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
