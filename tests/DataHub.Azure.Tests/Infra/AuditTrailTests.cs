using System.Text.Json;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// The platform audit trail infra/main.bicep deploys: a Log Analytics workspace that only its own readers can query, the
/// Key Vault's AuditEvent log (every read of the key secrets, by whom) and the data account's blob and table logs (every
/// read, write and delete, by whom: for an SFTP upload, the partner's local user), all sent to it.
/// </summary>
public sealed class AuditTrailTests(MainTemplate template) : IClassFixture<MainTemplate>
{
    private const string Workspace = "Microsoft.OperationalInsights/workspaces";
    private static readonly string WorkspaceId = MainTemplate.ResourceId(Workspace, "variables('workspaceName')");

    private JsonElement DiagnosticSettingOn(string scope) =>
        template.OfType("Microsoft.Insights/diagnosticSettings").Should().ContainSingle(d => d.GetProperty("scope").GetString() == scope, $"one diagnostic setting on {scope}").Subject;

    private static Dictionary<string, bool> Categories(JsonElement setting) =>
        setting.GetProperty("properties").GetProperty("logs").EnumerateArray()
            .ToDictionary(l => l.GetProperty("category").GetString()!, l => l.GetProperty("enabled").GetBoolean());

    [Fact]
    public void Key_vault_sends_every_audit_event_to_the_audit_workspace()
    {
        var setting = DiagnosticSettingOn(MainTemplate.ResourceId("Microsoft.KeyVault/vaults", "variables('vaultName')"));

        setting.GetProperty("properties").GetProperty("workspaceId").GetString().Should().Be(WorkspaceId);
        Categories(setting).Should().Equal(new Dictionary<string, bool> { ["AuditEvent"] = true }, "AuditEvent records each secret read: who, when, from where, which version");
        setting.GetProperty("properties").GetProperty("logAnalyticsDestinationType").GetString().Should().Be("Dedicated", "the runbook's query reads the resource-specific table AZKVAuditLogs");
    }

    [Theory]
    [InlineData("blobServices")] // StorageBlobLogs: each landed file's creation, with the SFTP local user behind it
    [InlineData("tableServices")] // StorageTableLogs: who read or changed the audit and receipts tables
    public void Data_account_logs_every_read_write_and_delete_of_the_service_to_the_audit_workspace(string service)
    {
        var setting = DiagnosticSettingOn(MainTemplate.ResourceId($"Microsoft.Storage/storageAccounts/{service}", "variables('dataAccountName')", "'default'"));

        setting.GetProperty("properties").GetProperty("workspaceId").GetString().Should().Be(WorkspaceId);
        Categories(setting).Should().Equal(new Dictionary<string, bool> { ["StorageRead"] = true, ["StorageWrite"] = true, ["StorageDelete"] = true });
    }

    [Fact]
    public void Audit_workspace_keeps_a_year_by_default_and_answers_only_to_workspace_permissions()
    {
        var workspace = template.OfType(Workspace).Should().ContainSingle().Subject.GetProperty("properties");
        workspace.GetProperty("retentionInDays").GetString().Should().Be("[parameters('auditLogRetentionDays')]");
        var retention = template.Parameter("auditLogRetentionDays");
        retention.GetProperty("defaultValue").GetInt32().Should().Be(365);
        retention.GetProperty("minValue").GetInt32().Should().Be(30);
        retention.GetProperty("maxValue").GetInt32().Should().Be(730);

        // Resource-context access would let anyone who can read the data account read its logs, landed file names and all.
        workspace.GetProperty("features").GetProperty("enableLogAccessUsingOnlyResourcePermissions").GetBoolean().Should().BeFalse();
        workspace.GetProperty("features").GetProperty("disableLocalAuth").GetBoolean().Should().BeTrue("no shared workspace key to query or send with");
    }

    [Fact]
    public void Only_the_named_audit_readers_are_given_a_role_on_the_workspace_and_no_role_is_given_on_the_resource_group()
    {
        const string logAnalyticsReader = "73c42c96-874c-492b-b04d-ab87d138a893";
        var assignments = template.OfType("Microsoft.Authorization/roleAssignments");

        assignments.Where(a => !a.TryGetProperty("scope", out _)).Should().BeEmpty("every assignment names its resource; none covers the whole resource group, which would reach the workspace");
        var readers = assignments.Should().ContainSingle(a => a.GetProperty("scope").GetString() == WorkspaceId).Subject;
        readers.GetProperty("copy").GetProperty("count").GetString().Should().Be("[length(parameters('auditLogReaderPrincipalIds'))]");
        readers.GetProperty("properties").GetProperty("principalId").GetString().Should().Be("[parameters('auditLogReaderPrincipalIds')[copyIndex()]]");
        readers.GetProperty("properties").GetProperty("roleDefinitionId").GetString().Should().Be("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('roles').logAnalyticsReader)]");
        template.Variable("roles").GetProperty("logAnalyticsReader").GetString().Should().Be(logAnalyticsReader, "the built-in Log Analytics Reader role");
        template.Parameter("auditLogReaderPrincipalIds").GetProperty("defaultValue").EnumerateArray().Should().BeEmpty("nobody reads the audit logs until named");
    }
}
