using System.Runtime.Versioning;
using Xunit;

namespace DataHub.Testing;

/// <summary>
/// A test that needs the file system to deny this process a folder or file by its permission bits: skipped, with the
/// reason, when it does not (root with CAP_DAC_OVERRIDE reads a mode-000 folder). As root, run the test project under
/// <c>capsh --drop=cap_dac_override,cap_dac_read_search -- -c 'dotnet test …'</c> so the bits apply.
/// </summary>
public sealed class AccessDeniedFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Denies = new(() => OperatingSystem.IsWindows() || Probe());

    /// <summary>Skips the test when a mode-000 folder can be opened by this process.</summary>
    public AccessDeniedFactAttribute()
    {
        if (!Denies.Value)
        {
            Skip = "This process opens a mode-000 folder (root with CAP_DAC_OVERRIDE): permission bits deny it nothing. "
                + "tests/run.sh runs them again under `capsh --drop=cap_dac_override,cap_dac_read_search`; by hand: `capsh --drop=cap_dac_override,cap_dac_read_search -- -c 'dotnet test …'` (or run as another user).";
        }
    }

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
