using System.Text.RegularExpressions;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// What infra/main.bicep does so that a partner cannot lose a landed file by sending another under the same name: SFTP
/// users may only create files, and deleted blobs stay recoverable for a short, bounded time. Blob versioning is not
/// asked for, because an account with a hierarchical namespace (SFTP needs one) refuses it and the deployment would fail.
/// </summary>
public sealed partial class LandingProtectionTests
{
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.bicep"));

    [Fact]
    public void Partners_may_only_create_files_in_landing_over_sftp_never_overwrite_read_or_delete_them()
    {
        var scopes = PermissionScope().Matches(Bicep);
        scopes.Should().ContainSingle("every partner's local user is made from one permission scope");
        scopes[0].Groups["container"].Value.Should().Be("landing");
        scopes[0].Groups["permissions"].Value.Should().Be("c", "'w' would let an upload replace a file the hub has not ingested yet");
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
