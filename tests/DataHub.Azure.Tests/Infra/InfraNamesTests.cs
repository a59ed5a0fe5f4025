using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataHub.Host.Functions;
using DataHub.Storage.Azure;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>No Bicep compiler here: these read infra/main.bicep, host.json and the function.json files as text and check they agree with the code's names.</summary>
public sealed partial class InfraNamesTests
{
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.bicep"));

    private static IReadOnlyList<string> BicepList(string variable)
    {
        var match = Regex.Match(Bicep, $@"var {variable} = \[(?<items>[^\]]*)\]");
        match.Success.Should().BeTrue($"infra/main.bicep defines var {variable}");
        return QuotedPattern().Matches(match.Groups["items"].Value).Select(m => m.Groups[1].Value).ToList();
    }

    private static IReadOnlyList<string> BicepAppSettings() =>
        AppSettingPattern().Matches(Bicep).Select(m => m.Groups[1].Value).ToList();

    private static IReadOnlyList<string> CodeSettings() =>
        typeof(AzureNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Setting", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    private static JsonElement Json(params string[] path) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine([RepoPaths.Root, .. path]))).RootElement.Clone();

    [Fact]
    public void Containers_the_code_uses_are_the_ones_infra_creates()
    {
        BicepList("containerNames").Should().BeEquivalentTo(AzureNames.Containers);
    }

    [Fact]
    public void Tables_the_code_uses_are_the_ones_infra_creates()
    {
        BicepList("tableNames").Should().BeEquivalentTo(AzureNames.Tables);
    }

    [Fact]
    public void Every_app_setting_the_code_reads_in_azure_is_set_by_infra()
    {
        // The connection-string form and the local key file are for Azurite and local runs; the port is set by the host itself.
        var localOnly = new[] { AzureNames.StorageSetting, AzureNames.KeyRootSetting, AzureNames.CustomHandlerPortSetting };

        BicepAppSettings().Should().Contain(CodeSettings().Except(localOnly));
    }

    [Fact]
    public void Every_datahub_app_setting_infra_sets_is_one_the_code_reads()
    {
        var known = CodeSettings().Append(AzureNames.StorageSetting + "__queueServiceUri");

        BicepAppSettings().Where(s => s.StartsWith("DATAHUB_", StringComparison.Ordinal)).Should().BeSubsetOf(known);
    }

    [Fact]
    public void Function_folders_match_the_handler_routes_and_read_settings_infra_defines()
    {
        var settings = BicepAppSettings();
        foreach (var function in CustomHandler.FunctionNames)
        {
            var binding = Json("functions", function, "function.json").GetProperty("bindings")[0];
            if (binding.GetProperty("type").GetString() == "blobTrigger")
            {
                binding.GetProperty("connection").GetString().Should().Be(AzureNames.StorageSetting);
                binding.GetProperty("path").GetString().Should().Be("landing/{partner}/{feed}/{name}");
                binding.GetProperty("source").GetString().Should().Be("EventGrid");
                settings.Should().Contain(AzureNames.BlobServiceUriSetting);
            }
            else
            {
                binding.GetProperty("type").GetString().Should().Be("timerTrigger");
                var schedule = binding.GetProperty("schedule").GetString()!;
                schedule.Should().MatchRegex("^%[A-Z_]+%$");
                settings.Should().Contain(schedule.Trim('%'));
                CodeSettings().Should().Contain(schedule.Trim('%'));
            }
        }
    }

    [Fact]
    public void Host_json_runs_the_datahub_executable_as_a_custom_handler()
    {
        var host = Json("host.json");
        var description = host.GetProperty("customHandler").GetProperty("description");

        description.GetProperty("defaultExecutablePath").GetString().Should().Be("datahub");
        description.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()).Should().Equal("serve");
        host.GetProperty("customHandler").GetProperty("enableForwardingHttpRequest").GetBoolean().Should().BeFalse();
        host.GetProperty("extensionBundle").GetProperty("version").GetString().Should().Be("[4.*, 5.0.0)");
        Bicep.Should().Contain("{ name: 'FUNCTIONS_WORKER_RUNTIME', value: 'custom' }");
    }

    [Fact]
    public void Local_settings_sample_sets_every_setting_the_code_reads_locally()
    {
        var values = Json("local.settings.sample.json").GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();

        values.Should().Contain(CodeSettings().Except([AzureNames.BlobServiceUriSetting, AzureNames.TableServiceUriSetting, AzureNames.CustomHandlerPortSetting]));
    }

    [Fact]
    public void Partners_get_write_only_sftp_users_homed_in_their_landing_folder()
    {
        Bicep.Should().Contain("homeDirectory: 'landing/${partner.name}'");
        Bicep.Should().Contain("permissions: 'cw'");
        Bicep.Should().Contain("isHnsEnabled: true").And.Contain("isSftpEnabled: true");
        foreach (var role in new[] { "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "4633458b-17de-408a-b874-0445c86b69e6" })
        {
            Bicep.Should().Contain(role);
        }
    }

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedPattern();

    [GeneratedRegex(@"\{ name: '([A-Za-z0-9_]+)', value:")]
    private static partial Regex AppSettingPattern();
}
