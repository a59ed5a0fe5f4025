using System.Text.RegularExpressions;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// What infra/main.bicep does so that a partner cannot lose a landed file by sending another under the same name: SFTP
/// users may only create files, and deleted blobs stay recoverable for a short, bounded time. Blob versioning is not
/// asked for, because an account with a hierarchical namespace (SFTP needs one) refuses it and the deployment would fail.
/// </summary>
public sealed partial class LandingProtectionTests(MainTemplate template) : IClassFixture<MainTemplate>
{
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.bicep"));

    [Fact]
    public void Each_partner_user_is_confined_to_its_own_landing_container_with_create_only_and_no_acl_or_shared_key_to_widen_it()
    {
        var user = template.OfType("Microsoft.Storage/storageAccounts/localUsers").Should().ContainSingle("one local user per partner, from one loop").Subject;
        user.GetProperty("copy").GetProperty("count").GetString().Should().Be("[length(parameters('partners'))]");
        var properties = user.GetProperty("properties");
        properties.GetProperty("homeDirectory").GetString().Should().Be("[format('landing-{0}', parameters('partners')[copyIndex()].name)]");

        // Container permissions cover a whole container, so only a container of its own confines a partner: with the
        // shared 'landing' here, partner A could create files in B's folder and the hub would take them as B's.
        var scope = properties.GetProperty("permissionScopes").EnumerateArray().Should().ContainSingle("the partner's own container, and nothing else").Subject;
        scope.GetProperty("service").GetString().Should().Be("blob");
        scope.GetProperty("resourceName").GetString().Should().Be("[format('landing-{0}', parameters('partners')[copyIndex()].name)]");
        scope.GetProperty("permissions").GetString().Should().Be("c", "create only: no read, list, overwrite or delete in its container");

        // 'c' covers the whole container whatever the ACLs say; with ACL authorization on, an ACL granting "other" users
        // read or list on a landing path would add to it (ACLs are consulted where the container permission falls short).
        properties.GetProperty("allowAclAuthorization").GetBoolean().Should().BeFalse("no ACL may give a partner more than create-only");
        properties.GetProperty("hasSharedKey").GetBoolean().Should().BeFalse("a local user's shared key is for SMB, which partners do not use");
        properties.GetProperty("hasSshPassword").GetBoolean().Should().BeFalse("partners authenticate with their SSH key only");
    }

    [Fact]
    public void Partners_may_only_create_files_in_landing_over_sftp_never_overwrite_read_or_delete_them()
    {
        var scopes = PermissionScope().Matches(Bicep);
        scopes.Should().ContainSingle("every partner's local user is made from one permission scope");
        scopes[0].Groups["container"].Value.Should().Be("landing-${partner.name}");
        scopes[0].Groups["permissions"].Value.Should().Be("c", "'w' would let an upload replace a file the hub has not ingested yet");
    }

    [Fact]
    public void Each_partner_gets_a_landing_container_named_as_the_code_names_it_and_the_archive_container_is_no_partners()
    {
        var partnerContainers = template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Where(c => c.TryGetProperty("copy", out var copy) && copy.GetProperty("count").GetString() == "[length(parameters('partners'))]")
            .Should().ContainSingle("one landing container per partner, from one loop").Subject;
        partnerContainers.GetProperty("name").GetString().Should().Contain($"'landing-{{0}}'", "the container is landing-{partner}, as LandingContainers.For names it");
        DataHub.Storage.Azure.LandingContainers.For("substance-misuse").Should().Be("landing-substance-misuse");
        PermissionScope().Matches(Bicep).Select(m => m.Groups["container"].Value).Should().NotContain(["landing", "quarantine", "secure", "published", "audit", "anchors"]);
    }

    [Fact]
    public void Deleted_blobs_stay_recoverable_for_a_bounded_time_and_versioning_is_not_asked_of_a_hierarchical_namespace_account()
    {
        Bicep.Should().Contain("isHnsEnabled: true", "SFTP needs a hierarchical namespace");
        Bicep.Should().NotContain("isVersioningEnabled", "accounts with a hierarchical namespace do not support blob versioning");
        DeleteRetention().IsMatch(Bicep).Should().BeTrue("blob soft delete is on, for the days the parameter sets");
        Regex.IsMatch(Bicep, @"@maxValue\(30\)\s*\r?\nparam deletedBlobRetentionDays int = 7").Should().BeTrue("a deletion under retention is final within a month at most, a week by default");
    }

    [GeneratedRegex(@"resourceName: '(?<container>[^']+)'\s*\r?\n\s*permissions: '(?<permissions>[^']*)'")]
    private static partial Regex PermissionScope();

    [GeneratedRegex(@"deleteRetentionPolicy: \{\s*enabled: true\s*days: deletedBlobRetentionDays\s*\}")]
    private static partial Regex DeleteRetention();
}
