using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataHub.Parquet;
using DataHub.Testing;

namespace DataHub.Benchmarks;

/// <summary>Writes a mart-like CSV as SNAPPY Parquet with our writer (Parquet.Net), with ParquetSharp and with DuckDB, and prints rows/s, size, peak RSS and the ratios.</summary>
/// <remarks>Both sides do the same work on the same bytes: read one generated CSV (10 columns: 3 low-cardinality strings,
/// 2 pseudonym tokens `k1:{64 hex}` of HMAC-SHA256, 2 dates, 2 ints, 1 bool, 10% nulls) and write Parquet. Our side and ParquetSharp's each run
/// in a child process so its peak RSS (VmHWM) is its own; DuckDB's runs in node (tests/node/bench-parquet.mjs), timing only its COPY.</remarks>
internal static class ParquetBenchmark
{
    private static readonly string[] Feeds = ["csc-people", "csc-cp-plans", "csc-cla-periods", "police-da-incidents", "health-aggregates", "substance-misuse-episodes", "substance-misuse-tops", "school-attendance", "da-programmes", "mental-health-scores"];
    private static readonly string[] Sexes = ["F", "M", "U", "X"];

    private static readonly ParquetSchema Schema = new([
        new("feed", ParquetType.String), new("quarter", ParquetType.String), new("sex", ParquetType.String),
        new("nhs_token", ParquetType.String), new("upn_token", ParquetType.String),
        new("event_date", ParquetType.Date), new("start_date", ParquetType.Date),
        new("birth_year", ParquetType.Int32), new("sessions", ParquetType.Int32), new("flag", ParquetType.Boolean),
    ]);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length >= 3 && args[0] == "--child-write")
        {
            return await ChildWriteAsync(args[1], args[2]);
        }

        if (args.Length >= 3 && args[0] == "--child-write-parquetsharp")
        {
            return ParquetSharpMartWriter.Run(args[1], args[2]);
        }

        var rows = 5_000_000;
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--rows")
            {
                rows = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        var folder = Path.Combine(Path.GetTempPath(), "datahub-bench");
        Directory.CreateDirectory(folder);
        var csv = Path.Combine(folder, $"mart-{rows}-v1.csv");
        if (!File.Exists(csv))
        {
            Console.WriteLine($"generating {rows:N0} rows into {csv} (once; reused by later runs)");
            GenerateCsv(csv, rows);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"input: {csv} ({new FileInfo(csv).Length / 1e6:F0} MB, {rows:N0} rows)"));
        Console.WriteLine($"load: {ProcessMeasure.Load()}");
        var ours = Path.Combine(folder, $"datahub-{Environment.ProcessId}.parquet");
        var sharp = Path.Combine(folder, $"parquetsharp-{Environment.ProcessId}.parquet");
        var duck = Path.Combine(folder, $"duckdb-{Environment.ProcessId}.parquet");
        try
        {
            var our = RunChild("--child-write", csv, ours, "our writer");
            var sharpFigures = RunChild("--child-write-parquetsharp", csv, sharp, "ParquetSharp");
            var theirs = RunDuckDb(csv, duck);
            Print(rows, our, sharpFigures, theirs);
            Console.WriteLine($"load: {ProcessMeasure.Load()}");
        }
        finally
        {
            File.Delete(ours);
            File.Delete(sharp);
            File.Delete(duck);
        }

        return 0;
    }

    private sealed record Figures(double Seconds, double CpuSeconds, long Bytes, long PeakRss);

    private static void Print(int rows, Figures our, Figures sharp, Figures duck)
    {
        static string Row(string name, int rows, Figures f) =>
            string.Create(CultureInfo.InvariantCulture, $"{name,-16} {f.Seconds,8:F2} s {rows / f.Seconds,14:N0} rows/s {f.CpuSeconds,8:F2} CPU s {f.Bytes / 1e6,10:F1} MB {f.PeakRss / 1e6,10:F0} MB peak RSS");
        Console.WriteLine(Row("DataHub.Parquet", rows, our));
        Console.WriteLine(Row("ParquetSharp", rows, sharp));
        Console.WriteLine(Row("DuckDB", rows, duck));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratios (ours / DuckDB): time {our.Seconds / duck.Seconds:F2} (goal <= 2.00)  CPU {our.CpuSeconds / duck.CpuSeconds:F2}  size {(double)our.Bytes / duck.Bytes:F2} (goal <= 1.25)  peak RSS {(double)our.PeakRss / duck.PeakRss:F2}; our peak RSS {our.PeakRss / 1e6:F0} MB (goal < 500)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratios (ParquetSharp / DuckDB): time {sharp.Seconds / duck.Seconds:F2}  CPU {sharp.CpuSeconds / duck.CpuSeconds:F2}  size {(double)sharp.Bytes / duck.Bytes:F2}  peak RSS {(double)sharp.PeakRss / duck.PeakRss:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratios (Parquet.Net / ParquetSharp): time {our.Seconds / sharp.Seconds:F2}  CPU {our.CpuSeconds / sharp.CpuSeconds:F2}  size {(double)our.Bytes / sharp.Bytes:F2}  peak RSS {(double)our.PeakRss / sharp.PeakRss:F2}"));
    }

    /// <summary>One writer in a child process of this program, so its CPU time and peak RSS are its own.</summary>
    private static Figures RunChild(string mode, string csv, string output, string what)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(ParquetBenchmark).Assembly.Location);
        }

        foreach (var arg in new[] { "parquet", mode, csv, output })
        {
            start.ArgumentList.Add(arg);
        }

        return RunForFigures(start, what);
    }

    private static Figures RunDuckDb(string csv, string output)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = RepoPaths.NodeTools };
        start.ArgumentList.Add(Path.Combine(RepoPaths.NodeTools, "bench-parquet.mjs"));
        start.ArgumentList.Add(csv);
        start.ArgumentList.Add(output);
        return RunForFigures(start, "DuckDB");
    }

    private static Figures RunForFigures(ProcessStartInfo start, string what)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{what} did not start");
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed with exit code {process.ExitCode}");
        }

        using var json = JsonDocument.Parse(text.Trim().Split('\n')[^1]);
        var root = json.RootElement;
        if (root.TryGetProperty("threads", out var threads))
        {
            Console.WriteLine($"{what}: {threads.GetInt32()} threads");
        }

        if (root.TryGetProperty("allocated", out var allocated))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {allocated.GetInt64() / 1e6:F0} MB allocated in total by the child process"));
        }

        return new Figures(root.GetProperty("seconds").GetDouble(), root.GetProperty("cpuSeconds").GetDouble(), root.GetProperty("bytes").GetInt64(), root.GetProperty("peakRss").GetInt64());
    }

    /// <summary>The child: streams the CSV through <see cref="ParquetWriter"/> and prints its time, file size and VmHWM as JSON.</summary>
    private static async Task<int> ChildWriteAsync(string csv, string output)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await using (var file = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        await using (var writer = await ParquetWriter.CreateAsync(file, Schema, new ParquetWriterOptions { Compression = ParquetCompression.Snappy }))
        {
            foreach (var line in MartCsv.Lines(csv))
            {
                SetRow(writer, line.Span);
                await writer.EndRowAsync();
            }

            await writer.FinishAsync();
        }

        watch.Stop();
        MartCsv.Report(watch, cpu, output);
        return 0;
    }

    private static void SetRow(ParquetWriter writer, ReadOnlySpan<byte> line)
    {
        for (var c = 0; c < 10; c++)
        {
            var field = MartCsv.NextField(ref line);
            if (field.IsEmpty)
            {
                continue;
            }

            switch (c)
            {
                case < 5:
                    writer.Set(c, field);
                    break;
                case 5 or 6:
                    writer.Set(c, MartCsv.Date(field));
                    break;
                case 7 or 8:
                    writer.Set(c, MartCsv.Int(field));
                    break;
                default:
                    writer.Set(c, field[0] == (byte)'t');
                    break;
            }
        }
    }

    /// <summary>The deterministic input: row i's values come from a seeded generator; tokens are HMAC-SHA256 of a person number under a fixed demo key.</summary>
    private static void GenerateCsv(string path, int rows)
    {
        var people = Math.Max(1, rows / 4);
        var key = SHA256.HashData("datahub benchmark key"u8);
        var nhs = Tokens(key, "nhs", people);
        var upn = Tokens(key, "upn", people);
        var random = new Random(20171001);
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false), 1 << 20))
        {
            writer.Write("feed,quarter,sex,nhs_token,upn_token,event_date,start_date,birth_year,sessions,flag\n");
            var epoch = new DateOnly(2016, 10, 1).DayNumber;
            for (var i = 0; i < rows; i++)
            {
                var person = random.Next(people);
                var eventDate = DateOnly.FromDayNumber(epoch + random.Next(1600));
                writer.Write(Feeds[random.Next(Feeds.Length)]);
                writer.Write(',');
                if (random.Next(10) != 0)
                {
                    writer.Write(string.Create(CultureInfo.InvariantCulture, $"{eventDate.Year}Q{((eventDate.Month - 1) / 3) + 1}"));
                }

                writer.Write(',');
                Field(writer, random, Sexes[random.Next(Sexes.Length)]);
                Field(writer, random, nhs[person]);
                Field(writer, random, upn[person]);
                Field(writer, random, eventDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                Field(writer, random, eventDate.AddDays(-random.Next(400)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                Field(writer, random, (2000 + (person % 18)).ToString(CultureInfo.InvariantCulture));
                Field(writer, random, random.Next(0, 400).ToString(CultureInfo.InvariantCulture));
                if (random.Next(10) != 0)
                {
                    writer.Write(random.Next(2) == 0 ? "true" : "false");
                }

                writer.Write('\n');
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    private static void Field(StreamWriter writer, Random random, string value)
    {
        if (random.Next(10) != 0)
        {
            writer.Write(value);
        }

        writer.Write(',');
    }

    private static string[] Tokens(byte[] key, string domain, int people)
    {
        var tokens = new string[people];
        for (var p = 0; p < people; p++)
        {
            tokens[p] = "k1:" + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{domain}|{p:D10}"))));
        }

        return tokens;
    }
}
