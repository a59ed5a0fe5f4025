using System.Globalization;
using DataHub.Core.Storage;
using Microsoft.Win32.SafeHandles;

namespace DataHub.Storage.Local;

/// <summary>
/// Checks, through an open handle, that the file opened is the one named under the root and not something a link led to.
/// .NET cannot open with O_NOFOLLOW, so the path is checked for links before opening and the handle after: on Linux the
/// kernel names the file a descriptor refers to (/proc/self/fd), which must be the expected path under the root's real
/// location. Elsewhere the check before opening stands alone.
/// </summary>
internal sealed class OpenedFileCheck
{
    private const string Descriptors = "/proc/self/fd";
    private readonly string _root;
    private readonly string? _realRoot;

    /// <summary>Checks files opened under <paramref name="root"/>.</summary>
    public OpenedFileCheck(string root)
    {
        _root = root;
        _realRoot = OperatingSystem.IsLinux() && Directory.Exists(Descriptors) ? RealPath(root) : null;
    }

    /// <summary>Throws <see cref="ObjectRefusedException"/> unless <paramref name="handle"/> refers to <paramref name="full"/> itself.</summary>
    public void Verify(SafeFileHandle handle, string full, string path)
    {
        if (_realRoot is null)
        {
            return;
        }

        var fd = handle.DangerousGetHandle().ToInt64().ToString(CultureInfo.InvariantCulture);
        var opened = new FileInfo(Path.Combine(Descriptors, fd)).LinkTarget;
        var expected = Path.Combine(_realRoot, Path.GetRelativePath(_root, full));
        if (!string.Equals(opened, expected, StringComparison.Ordinal))
        {
            throw new ObjectRefusedException(path, "the file opened is not the one named (a link was swapped in).");
        }
    }

    // The root with every link on its own path resolved (the root itself may sit under a linked folder, which is allowed).
    private static string RealPath(string path)
    {
        var real = Path.GetPathRoot(path)!;
        foreach (var part in path[real.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(real, part);
            var target = new DirectoryInfo(next).LinkTarget is null ? null : Directory.ResolveLinkTarget(next, returnFinalTarget: true);
            real = target is null ? next : RealPath(target.FullName);
        }

        return real;
    }
}
