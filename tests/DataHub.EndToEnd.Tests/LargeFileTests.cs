using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 3, acceptance 3: the 100 MB file of the bad-input matrix, in one bounded test.</summary>
public sealed class LargeFileTests : IDisposable
{
    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Ingests_a_100_MB_file_in_bounded_memory()
    {
        await _root.RunAsync("key", "init");
        var file = System.IO.Path.Combine(_root.Inputs, "big.csv");
        await using (var output = File.Create(file))
        {
            // Size the row count from a sample so the file is just over 100 MB.
            using var sample = new MemoryStream();
            LargeExtracts.WritePoliceIncidentsCsv(sample, 10_000, seed: 7);
            var rows = (int)(100L * 1024 * 1024 * 1.02 / (sample.Length / 10_000.0));
            LargeExtracts.WritePoliceIncidentsCsv(output, rows, seed: 7);
        }

        new FileInfo(file).Length.Should().BeGreaterThan(100L * 1024 * 1024);
        Delivered.Earlier(file, _root.Clock); // delivered earlier: not waited for as an upload under way
        var (code, output2) = await _root.RunAsync("ingest", file, "--partner", "police", "--feed", "police-da-incidents");
        code.Should().Be(ExitCodes.Ok, output2);
        _root.Files("landing/_processed").Should().ContainSingle();
        var count = await DuckDb.QueryAsync($"SELECT count(*) FROM read_parquet({DuckDb.Literal(System.IO.Path.Combine(_root.Path, "secure", "police-da-incidents", "*", "*.parquet"))})");
        long.Parse(count.Rows[0][0].Text()!).Should().BeGreaterThan(1_000_000);
        _root.Files("quarantine").Should().BeEmpty();
    }

}
