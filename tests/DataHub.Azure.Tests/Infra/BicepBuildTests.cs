using System.Text.Json;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// infra/main.bicep built by the Bicep compiler (from its NuGet package, restored with these tests) as `az deployment`
/// builds it before deploying: a mistyped property, a wrong resource type or a linter warning fails here, not in a deployment.
/// </summary>
public sealed class BicepBuildTests
{
    [Fact]
    public async Task Main_bicep_compiles_with_no_errors_or_warnings_into_the_resources_the_infra_readme_lists()
    {
        var build = await BicepCompiler.BuildAsync(Path.Combine(RepoPaths.Root, "infra", "main.bicep"));

        build.Exit.Should().Be(0, build.Diagnostics);
        build.Diagnostics.Should().BeEmpty("the compiler's and the linter's warnings are mistakes waiting for a deployment");
        using var template = JsonDocument.Parse(build.Template);
        var types = template.RootElement.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("type").GetString()).ToList();
        types.Should().Contain(
        [
            "Microsoft.Storage/storageAccounts",
            "Microsoft.Storage/storageAccounts/localUsers",
            "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
            "Microsoft.KeyVault/vaults",
            "Microsoft.Web/serverfarms",
            "Microsoft.Web/sites",
            "Microsoft.Authorization/roleAssignments",
            "Microsoft.EventGrid/systemTopics/eventSubscriptions",
            "Microsoft.OperationalInsights/workspaces",
            "Microsoft.Insights/diagnosticSettings",
        ]);
        types.Count(t => t == "Microsoft.Storage/storageAccounts").Should().Be(2, "the data account and the host's own account");
    }

    [Fact]
    public async Task A_template_with_an_unknown_property_fails_the_build_naming_its_line()
    {
        // The harness itself: a broken file must come back as a failed build with the compiler's diagnostic, not as silence.
        using var folder = new TempFolder();
        var broken = Path.Combine(folder.Path, "broken.bicep");
        await File.WriteAllTextAsync(broken, """
            param location string = resourceGroup().location

            resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
              name: 'plan'
              location: location
              skew: { name: 'Y1' }
            }
            """);

        var build = await BicepCompiler.BuildAsync(broken);

        build.Exit.Should().NotBe(0);
        build.Diagnostics.Should().Contain("broken.bicep(6,").And.Contain("skew");
    }
}
