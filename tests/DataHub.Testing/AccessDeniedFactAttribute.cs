using System.Runtime.Versioning;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DataHub.Testing;

/// <summary>
/// A test that needs the file system to deny this process a folder or file by its permission bits: skipped, with the
/// reason, when it does not (root with CAP_DAC_OVERRIDE reads a mode-000 folder), or failed when
/// <see cref="RequiredVariable"/> is set. Every such test carries the trait Category=AccessDenied, by which tests/run.sh
/// runs them again as root under <c>setpriv --bounding-set -dac_override,-dac_read_search</c> so the bits apply.
/// </summary>
[XunitTestCaseDiscoverer("DataHub.Testing.AccessDeniedFactDiscoverer", "DataHub.Testing")]
[TraitDiscoverer("DataHub.Testing.AccessDeniedTraitDiscoverer", "DataHub.Testing")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class AccessDeniedFactAttribute : FactAttribute, ITraitAttribute
{
    /// <summary>The trait value (of Category) every such test carries: <c>dotnet test --filter Category=AccessDenied</c>.</summary>
    public const string Category = "AccessDenied";

    /// <summary>Set (to anything) where the denial must take effect: a test then fails, rather than skips, when it does not.</summary>
    public const string RequiredVariable = "DATAHUB_ACCESS_DENIAL_REQUIRED";

    /// <summary>What a test says when permission bits deny this process nothing.</summary>
    public const string NotDenied = "This process opens a mode-000 folder (root with CAP_DAC_OVERRIDE): permission bits deny it nothing. "
        + "tests/run.sh runs these tests again under `setpriv --bounding-set -dac_override,-dac_read_search`; by hand: `setpriv --bounding-set -dac_override,-dac_read_search dotnet test … --filter Category=AccessDenied` (or run as another user).";

    private static readonly Lazy<bool> Denied = new(() => OperatingSystem.IsWindows() || Probe());

    /// <summary>Skips the test when a mode-000 folder can be opened by this process (unless the denial is required).</summary>
    public AccessDeniedFactAttribute()
    {
        if (!Denies && !Required)
        {
            Skip = NotDenied;
        }
    }

    /// <summary>True when permission bits deny this process a mode-000 folder.</summary>
    public static bool Denies => Denied.Value;

    /// <summary>True when <see cref="RequiredVariable"/> is set: a test the bits deny nothing fails.</summary>
    public static bool Required => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RequiredVariable));

    [UnsupportedOSPlatform("windows")]
    private static bool Probe()
    {
        using var folder = new TempFolder();
        var closed = Directory.CreateDirectory(Path.Combine(folder.Path, "closed")).FullName;
        using var denied = new DeniedAccess(closed);
        try
        {
            _ = Directory.EnumerateFileSystemEntries(closed).Any();
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}

/// <summary>
/// Finds <see cref="AccessDeniedFactAttribute"/> tests: each carries Category=AccessDenied, and, when the denial is required
/// but does not take effect, is reported as a failure saying so rather than run (it would test nothing) or skipped.
/// </summary>
public sealed class AccessDeniedFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc />
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        AccessDeniedFactAttribute.Required && !AccessDeniedFactAttribute.Denies
            ? [new ExecutionErrorTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, $"{AccessDeniedFactAttribute.RequiredVariable} is set, but: {AccessDeniedFactAttribute.NotDenied}")]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Gives every <see cref="AccessDeniedFactAttribute"/> test the trait Category=AccessDenied.</summary>
public sealed class AccessDeniedTraitDiscoverer : ITraitDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) => [new("Category", AccessDeniedFactAttribute.Category)];
}
