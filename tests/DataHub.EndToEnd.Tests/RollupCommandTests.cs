using System.Text.Json;
using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 13, acceptance 4, from the command line: `rollup --quarter Q` publishes a version with every quarter, and a
/// quarter the tables do not report is a usage error that leaves the current version alone.</summary>
public sealed class RollupCommandTests : IDisposable
{
    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Rollup_of_one_quarter_leaves_current_holding_every_quarter_and_an_unreported_quarter_changes_nothing()
    {
        var dataset = SyntheticHub.Generate(new SeedOptions { Families = 20 });
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        foreach (var file in dataset.Files.Where(f => f.Feed is "csc-people" or "police-da-incidents").DistinctBy(f => f.Feed))
        {
            (await _root.IngestAsync(file.Partner, file.Feed, file.FileName, file.Content)).Code.Should().Be(ExitCodes.Ok);
        }

        (await _root.RunAsync("rollup")).Code.Should().Be(ExitCodes.Ok);
        var every = await CurrentQuartersAsync();
        every.Should().HaveCountGreaterThan(4);

        var (code, output) = await _root.RunAsync("rollup", "--quarter", every[2]);
        code.Should().Be(ExitCodes.Ok, output);
        (await CurrentQuartersAsync()).Should().Equal(every, "a one-quarter rollup still publishes every quarter");

        var current = _root.Text("published/kpi/current.json");
        (code, output) = await _root.RunAsync("rollup", "--quarter", "2099Q1");
        code.Should().Be(ExitCodes.Usage);
        output.Should().Contain("2099Q1").And.Contain($"{every[0]} to {every[^1]}");
        _root.Text("published/kpi/current.json").Should().Be(current);
    }

    private async Task<string[]> CurrentQuartersAsync()
    {
        using var pointer = JsonDocument.Parse(_root.Text("published/kpi/current.json"));
        var values = Path.Combine(_root.Path, pointer.RootElement.GetProperty("version").GetString()!, "kpi_values.parquet");
        var r = await DuckDb.QueryAsync($"select distinct quarter from read_parquet({DuckDb.Literal(values)}) order by 1");
        return r.Rows.Select(x => x[0].GetString()!).ToArray();
    }
}
