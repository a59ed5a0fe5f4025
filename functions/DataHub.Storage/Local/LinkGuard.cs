using System.Globalization;
using DataHub.Core.Storage;
using Microsoft.Win32.SafeHandles;

namespace DataHub.Storage.Local;

/// <summary>
/// Keeps the local store from following a symbolic link. .NET cannot open with O_NOFOLLOW, so every part of a path is
/// looked at without following it (<see cref="LinkOn"/>) before it is used, and an opened file is checked through its
/// handle after (<see cref="Verify"/>): on Linux the kernel names the file a descriptor refers to (/proc/self/fd), which
/// must be the expected path under the root's real location. Elsewhere the check before opening stands alone.
/// </summary>
internal sealed class LinkGuard
{
    private const string Descriptors = "/proc/self/fd";
    private readonly string _root;
    private readonly string? _realRoot;

    /// <summary>Guards paths under <paramref name="root"/>.</summary>
    public LinkGuard(string root)
    {
        _root = root;
        _realRoot = OperatingSystem.IsLinux() && Directory.Exists(Descriptors) ? RealPath(root) : null;
    }

    /// <summary>The first link met walking from the root down to <paramref name="full"/> itself (nothing is followed); null when none.</summary>
    public string? LinkOn(string full)
    {
        var current = _root;
        foreach (var segment in Path.GetRelativePath(_root, full).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, segment);
            var entry = new FileInfo(current);
            try
            {
                if (entry.LinkTarget is not null)
                {
                    return current;
                }
            }
            catch (UnauthorizedAccessException)
            {
                // In a folder the hub's user may not enter: nothing here can be read or followed, link or not; the store
                // says the path is out of reach.
                return null;
            }

            if (!entry.Exists && !Directory.Exists(current))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary><paramref name="full"/>, refused when any part of it below the root is a link.</summary>
    /// <exception cref="ObjectRefusedException">A link is on the path; <paramref name="path"/> names it in the exception.</exception>
    public string Checked(string full, string path)
    {
        if (LinkOn(full) is { } link)
        {
            throw new ObjectRefusedException(path, string.Equals(link, full, StringComparison.Ordinal) ? "it is a link, not a file." : "a folder on its path is a link.");
        }

        return full;
    }

    /// <summary>Throws <see cref="ObjectRefusedException"/> unless <paramref name="handle"/> refers to <paramref name="full"/> itself, or <see cref="ObjectChangedException"/> when that file has been replaced since.</summary>
    public void Verify(SafeFileHandle handle, string full, string path)
    {
        if (_realRoot is null)
        {
            return;
        }

        var fd = handle.DangerousGetHandle().ToInt64().ToString(CultureInfo.InvariantCulture);
        var opened = new FileInfo(Path.Combine(Descriptors, fd)).LinkTarget;
        var expected = Path.Combine(_realRoot, Path.GetRelativePath(_root, full));

        // The kernel marks a file replaced or removed since it was opened (another delivery renamed its copy over it):
        // not a link, but no longer the object at the path.
        if (string.Equals(opened, expected + " (deleted)", StringComparison.Ordinal))
        {
            throw new ObjectChangedException(path);
        }

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
