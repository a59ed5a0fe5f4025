using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>What each deliverable carries: the CLI no ASP.NET Core or Functions packages, the Function App no demo generator or seeds.</summary>
public sealed class LayoutTests
{
    [Fact]
    public void Cli_runs_on_the_base_runtime_without_aspnet_core_or_the_functions_packages()
    {
        var runtime = BuildOutputs.Json(BuildOutputs.Cli, "datahub.runtimeconfig.json").GetProperty("runtimeOptions");
        var deps = File.ReadAllText(Path.Combine(BuildOutputs.Cli, "datahub.deps.json"));

        // One shared framework is written as "framework"; a second (ASP.NET Core) would make it a "frameworks" list.
        runtime.TryGetProperty("frameworks", out _).Should().BeFalse();
        runtime.GetProperty("framework").GetProperty("name").GetString().Should().Be("Microsoft.NETCore.App");
        deps.Should().NotContain("Microsoft.Azure.Functions").And.NotContain("Microsoft.AspNetCore");
    }

    [Fact]
    public void Function_app_ships_neither_the_demo_generator_nor_the_cli_and_core_embeds_nothing_from_seeds()
    {
        var files = Directory.EnumerateFiles(BuildOutputs.FunctionApp, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        var deps = File.ReadAllText(Path.Combine(BuildOutputs.FunctionApp, "DataHub.Functions.deps.json"));
        var core = File.ReadAllText(Path.Combine(RepoPaths.Root, "functions", "DataHub.Core", "DataHub.Core.csproj"));

        files.Should().Contain(["DataHub.Functions.dll", "DataHub.Core.dll", "functions.metadata", "host.json", "police.yaml"]);
        files.Should().NotContain(f => f!.StartsWith("DataHub.Seeds", StringComparison.Ordinal) || f.StartsWith("datahub.", StringComparison.Ordinal));
        deps.Should().NotContain("DataHub.Seeds").And.NotContain("DataHub.Host");
        core.Should().NotContain("seeds/", "reference lists production needs live with production code");
        typeof(DataHub.Core.Feeds.ReferenceLists).Assembly.GetManifestResourceNames().Should().Contain("DataHub.Core.Reference.ethnicity.csv");
    }
}
