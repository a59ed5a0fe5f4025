using System.IO.Compression;
using System.Text;
using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 9: a zip-bomb workbook is quarantined in bounded memory; Ctrl+C stops `run` between files with nothing half-written.</summary>
[Collection(ProcessCollection.Name)]
public sealed class BombAndInterruptTests : IDisposable
{
    private const string PoliceHeader = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral";
    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_zip_bomb_workbook_is_quarantined_with_a_rule_and_memory_stays_far_below_two_gigabytes()
    {
        (await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "key", "init", "--root", _root.Path)).Code.Should().Be(ExitCodes.Ok);
        var bomb = Path.Combine(_root.Inputs, "bomb.xlsx");
        WriteBomb(bomb, cellCharacters: 400L << 20);
        new FileInfo(bomb).Length.Should().BeLessThan(1 << 20, "a small file that inflates to 400 MB");
        Delivered.Earlier(bomb); // delivered earlier: not waited for as an upload under way

        using var ingest = CliProcess.Start("ingest", bomb, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path);
        var code = await ingest.WaitAsync(TimeSpan.FromMinutes(5));

        Console.WriteLine($"zip-bomb ingest: peak resident memory {ingest.PeakBytes >> 20} MB");
        code.Should().Be(ExitCodes.Rejected, ingest.Output);
        ingest.Output.Should().Contain("file.cell_too_large");
        ingest.PeakBytes.Should().BeLessThan(400L << 20, "the cell is refused as the workbook inflates, before anything holds it");
        _root.Files("quarantine").Should().Contain(f => f.EndsWith(".report.json", StringComparison.Ordinal));
        _root.Files("secure").Should().BeEmpty();
        _root.Files("receipts").Where(f => f.EndsWith(".json", StringComparison.Ordinal)).Select(_root.Text).Should().OnlyContain(r => r.Contains("\"Completed\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ctrl_c_during_a_file_lets_run_finish_that_file_then_exit_130_with_nothing_half_written()
    {
        (await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "key", "init", "--root", _root.Path)).Code.Should().Be(ExitCodes.Ok);
        using var run = CliProcess.Start("run", "--root", _root.Path, "--poll-seconds", "0.2", "--settle-seconds", "1");
        await Until(() => run.Output.Contains("Watching", StringComparison.Ordinal), "run to start", TimeSpan.FromMinutes(3));

        var landing = Directory.CreateDirectory(Path.Combine(_root.Path, "landing", "police", "police-da-incidents")).FullName;
        using (var file = File.Create(Path.Combine(landing, "big.csv")))
        {
            LargeExtracts.WritePoliceIncidentsCsv(file, 150_000, seed: 7);
        }

        // The file is being written to the mart (its quarter files are still temporary) when Ctrl+C comes.
        var secure = Path.Combine(_root.Path, "secure");
        await Until(() => Directory.Exists(secure) && Directory.EnumerateFiles(secure, ".tmp-*", SearchOption.AllDirectories).Any(), "the mart write to begin", TimeSpan.FromMinutes(3));
        run.Interrupt();
        var code = await run.WaitAsync(TimeSpan.FromMinutes(5));

        code.Should().Be(ExitCodes.Interrupted, run.Output);
        run.Output.Should().Contain("Stored, 150000 rows stored", "the file under way was finished, not cut");
        Directory.EnumerateFiles(_root.Path, ".tmp-*", SearchOption.AllDirectories).Should().BeEmpty();
        _root.Files("landing").Should().OnlyContain(f => f.StartsWith("landing/_processed/", StringComparison.Ordinal));
        _root.Files("secure").Should().Contain(f => f.Contains("/_batches/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ctrl_c_ends_an_ingest_waiting_for_another_delivery_of_the_same_content_with_130_and_loses_nothing()
    {
        (await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "key", "init", "--root", _root.Path)).Code.Should().Be(ExitCodes.Ok);
        var extract = Path.Combine(_root.Inputs, "twice.csv");
        using (var file = File.Create(extract))
        {
            LargeExtracts.WritePoliceIncidentsCsv(file, 1_000_000, seed: 11);
        }

        Delivered.Earlier(extract); // delivered earlier: not waited for as an upload under way

        string[] ingest = ["ingest", extract, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path];
        using var first = CliProcess.Start(ingest);
        var secure = Path.Combine(_root.Path, "secure");
        await Until(() => Directory.Exists(secure) && Directory.EnumerateFiles(secure, ".tmp-*", SearchOption.AllDirectories).Any(), "the first delivery's mart write to begin", TimeSpan.FromMinutes(3));

        // The same file again while the first holds the claim: the second waits for it, and Ctrl+C ends that wait at once.
        // The first is paused meanwhile, so on a busy machine it cannot finish (and end the wait) before the Ctrl+C lands.
        first.Pause();
        using var second = CliProcess.Start(ingest);
        await Until(() => second.Output.Contains("waiting for it to end", StringComparison.Ordinal), "the second delivery to wait", TimeSpan.FromMinutes(2));
        second.Interrupt();
        var code = await second.WaitAsync(TimeSpan.FromMinutes(1));
        first.Resume();

        code.Should().Be(ExitCodes.Interrupted, second.Output);
        second.Output.Should().Contain("stopped waiting").And.NotContain("twice");
        (await first.WaitAsync(TimeSpan.FromMinutes(5))).Should().Be(ExitCodes.Ok, first.Output);
        first.Output.Should().Contain("Stored, 1000000 rows stored");
        _root.Files("landing").Should().OnlyContain(f => f.StartsWith("landing/_processed/", StringComparison.Ordinal), "the one landed copy was ingested and archived");
        Directory.EnumerateFiles(_root.Path, ".tmp-*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    private static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(1));
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"waiting for {what}");
            await Task.Delay(20);
        }
    }

    // A valid workbook whose one data row holds a cell of the given length, written as it is compressed (never in memory).
    private static void WriteBomb(string path, long cellCharacters)
    {
        using var template = new MemoryStream();
        XlsxWriter.Write(template, PoliceHeader.Split(','), [["INC1", "2018-03-31", "BOMB", "Zoe", "Smith", "1990-04-05", "F", "Y", "N"]]);
        using var output = File.Create(path);
        using var target = new ZipArchive(output, ZipArchiveMode.Create);
        using var source = new ZipArchive(new MemoryStream(template.ToArray()));
        foreach (var entry in source.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            var text = reader.ReadToEnd();
            using var writer = new StreamWriter(target.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open(), new UTF8Encoding(false), 1 << 20);
            var bomb = text.IndexOf("BOMB", StringComparison.Ordinal);
            if (bomb < 0)
            {
                writer.Write(text);
                continue;
            }

            writer.Write(text.AsSpan(0, bomb));
            var chunk = new string('A', 1 << 20);
            for (var written = 0L; written < cellCharacters; written += chunk.Length)
            {
                writer.Write(chunk);
            }

            writer.Write(text.AsSpan(bomb + 4));
        }
    }
}
