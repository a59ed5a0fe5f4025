using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataHub.Storage.Azure;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// No Functions host here: these read the functions.metadata the Functions SDK generated at build, infra/main.bicep (whose
/// compiling <see cref="BicepBuildTests"/> checks), host.json and local.settings.sample.json as they are, and check they
/// agree with each other and the code.
/// </summary>
public sealed partial class InfraNamesTests
{
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.bicep"));

    private static IReadOnlyList<string> BicepList(string variable)
    {
        var match = Regex.Match(Bicep, $@"var {variable} = \[(?<items>[^\]]*)\]");
        match.Success.Should().BeTrue($"infra/main.bicep defines var {variable}");
        return QuotedPattern().Matches(match.Groups["items"].Value).Select(m => m.Groups[1].Value).ToList();
    }

    private static Dictionary<string, string> BicepAppSettings() =>
        AppSettingPattern().Matches(Bicep).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);

    private static IReadOnlyList<string> CodeSettings() =>
        typeof(AzureNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Setting", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    private static Dictionary<string, string> LocalSettings() =>
        Json("local.settings.sample.json").GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);

    private static JsonElement Json(params string[] path) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine([RepoPaths.Root, .. path]))).RootElement.Clone();

    private static Dictionary<string, JsonElement> Triggers() =>
        BuildOutputs.Json(BuildOutputs.FunctionApp, "functions.metadata").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In"));

    [Fact]
    public void Generated_metadata_has_the_four_functions_with_triggers_that_infra_and_local_settings_configure()
    {
        var triggers = Triggers();
        var bicep = BicepAppSettings();
        var local = LocalSettings();

        triggers.Keys.Should().BeEquivalentTo("IngestExtract", "RollupQuarter", "EnforceRetention", "SweepLanding");

        var queue = triggers["IngestExtract"];
        queue.GetProperty("type").GetString().Should().Be("queueTrigger");
        queue.GetProperty("queueName").GetString().Should().Be(AzureNames.LandingEventsQueue);
        var connection = queue.GetProperty("connection").GetString()!;
        connection.Should().Be(AzureNames.StorageSetting);
        bicep.Keys.Should().Contain([connection + "__blobServiceUri", connection + "__queueServiceUri"], "in Azure the trigger's connection is identity-based");
        bicep.Keys.Should().NotContain(connection, "no connection string (so no account key) in Azure");
        local[connection].Should().Be("UseDevelopmentStorage=true");
        Bicep.Should().Contain($"var landingEventsQueue = '{AzureNames.LandingEventsQueue}'").And.Contain("queueName: landingEventsQueue", "Event Grid puts each landing event on the queue the trigger reads");
        AzureNames.LandingEventsPoisonQueue.Should().Be(AzureNames.LandingEventsQueue + "-poison", "the host moves a message it gives up on to the queue's name and -poison");
        Bicep.Should().Contain($"var landingEventsPoisonQueue = '{AzureNames.LandingEventsPoisonQueue}'").And.Contain("name: landingEventsPoisonQueue", "the sweep tidies the poison queue infra makes");
        Bicep.Should().Contain("subjectBeginsWith: '/blobServices/default/containers/" + LandingContainers.PartnerPrefix + "'", "one subscription covers every partner's landing container, and no other");

        foreach (var timer in new[] { "RollupQuarter", "EnforceRetention", "SweepLanding" })
        {
            triggers[timer].GetProperty("type").GetString().Should().Be("timerTrigger");
            triggers[timer].GetProperty("useMonitor").GetBoolean().Should().BeTrue();
            var schedule = triggers[timer].GetProperty("schedule").GetString()!;
            schedule.Should().MatchRegex("^%[A-Z_]+%$", "the schedule comes from an app setting");
            var setting = schedule.Trim('%');
            bicep.Keys.Should().Contain(setting);
            local.Should().ContainKey(setting);
            CodeSettings().Should().Contain(setting);
        }
    }

    [Fact]
    public void Worker_runtime_is_dotnet_isolated_everywhere_with_no_custom_handler()
    {
        BuildOutputs.Json(BuildOutputs.FunctionApp, "worker.config.json").GetProperty("description").GetProperty("language").GetString().Should().Be("dotnet-isolated");
        BicepAppSettings()["FUNCTIONS_WORKER_RUNTIME"].Should().Be("'dotnet-isolated'");
        Bicep.Should().Contain("linuxFxVersion: 'DOTNET-ISOLATED|10.0'");
        LocalSettings()["FUNCTIONS_WORKER_RUNTIME"].Should().Be("dotnet-isolated");
        LocalSettings()["AzureWebJobsStorage"].Should().Be("UseDevelopmentStorage=true");
        var host = Json("host.json");
        host.GetProperty("version").GetString().Should().Be("2.0");
        host.TryGetProperty("customHandler", out _).Should().BeFalse();
        host.TryGetProperty("extensionBundle", out _).Should().BeFalse("the isolated worker brings its own extensions");
        File.Exists(Path.Combine(BuildOutputs.FunctionApp, "host.json")).Should().BeTrue("the app carries the top-level host.json");
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "functions"), "function.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Should().BeEmpty("the SDK generates the metadata; none is written by hand");
    }

    [Fact]
    public void Containers_and_tables_the_code_uses_are_the_ones_infra_creates()
    {
        BicepList("containerNames").Should().BeEquivalentTo(AzureNames.Containers);
        BicepList("tableNames").Should().BeEquivalentTo(AzureNames.Tables);
    }

    [Fact]
    public void Audit_anchors_container_is_created_apart_under_a_time_based_retention_policy()
    {
        var container = Regex.Match(Bicep, @"resource (?<symbol>\w+) 'Microsoft\.Storage/storageAccounts/blobServices/containers@[^']+' = \{\s*parent: blobService\s*name: '" + AzureNames.AnchorsContainer + "'");
        container.Success.Should().BeTrue("infra/main.bicep creates the anchors container by the name the code uses");
        AzureNames.Containers.Should().NotContain(AzureNames.AnchorsContainer, "the hub's other containers are not made immutable");

        var policy = Regex.Match(Bicep, @"'Microsoft\.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@[^']+' = \{\s*parent: " + container.Groups["symbol"].Value + @"\s*name: 'default'\s*properties: \{(?<properties>[^}]*)\}");
        policy.Success.Should().BeTrue("the anchors container has a container-level WORM policy");
        policy.Groups["properties"].Value.Should().Contain("immutabilityPeriodSinceCreationInDays: anchorRetentionDays").And.Contain("allowProtectedAppendWrites: false");
    }

    [Fact]
    public void Every_app_setting_the_code_reads_in_azure_is_set_by_infra_and_none_carries_a_key()
    {
        // The emulator's connection string and the local key root are for local runs only.
        var localOnly = new[] { AzureNames.StorageSetting, AzureNames.KeyRootSetting };
        var bicep = BicepAppSettings();

        bicep.Keys.Should().Contain(CodeSettings().Except(localOnly));
        bicep.Keys.Where(s => s.StartsWith("DATAHUB_", StringComparison.Ordinal)).Should().BeSubsetOf(CodeSettings());
        bicep.Keys.Should().Contain("AzureWebJobsStorage__accountName").And.NotContain("AzureWebJobsStorage");
        bicep.Values.Should().NotContain(v => v.Contains("AccountKey", StringComparison.OrdinalIgnoreCase) || v.Contains("listKeys", StringComparison.Ordinal));
        OutputPattern().Matches(Bicep).Select(m => m.Value).Should().NotContain(o => o.Contains("listKeys", StringComparison.Ordinal) || o.Contains("primaryKey", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Local_settings_sample_sets_every_setting_the_code_reads_locally()
    {
        LocalSettings().Keys.Should().Contain(CodeSettings().Except([AzureNames.BlobServiceUriSetting, AzureNames.TableServiceUriSetting, AzureNames.QueueServiceUriSetting]));
    }

    [Fact]
    public void Partners_get_create_only_sftp_users_homed_in_their_landing_container_and_the_app_its_roles()
    {
        Bicep.Should().Contain("homeDirectory: 'landing-${partner.name}'");
        Bicep.Should().Contain("permissions: 'c'");
        Bicep.Should().Contain("isHnsEnabled: true").And.Contain("isSftpEnabled: true");

        // Blob Data Owner (every landing container, and creating a partner's it finds missing), Queue Data Contributor (the landing events queue and its poison queue), Table Data Contributor, Key Vault Secrets User.
        foreach (var role in new[] { "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "4633458b-17de-408a-b874-0445c86b69e6" })
        {
            Bicep.Should().Contain(role);
        }
    }

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedPattern();

    [GeneratedRegex(@"\{ name: '(?<name>[A-Za-z0-9_]+)', value: (?<value>[^}]+?) \}")]
    private static partial Regex AppSettingPattern();

    [GeneratedRegex(@"^output .*$", RegexOptions.Multiline)]
    private static partial Regex OutputPattern();
}
