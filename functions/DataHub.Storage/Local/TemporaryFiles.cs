using System.IO.Enumeration;
using System.Text.RegularExpressions;
using DataHub.Core.Hub;

namespace DataHub.Storage.Local;

/// <summary>
/// The hidden temporary files every atomic local write goes through, written beside their destination and renamed onto
/// it: ".tmp-{pid}-{process start}-{random}". The name carries the writing process, so a sweep removes only the files of
/// processes that have gone (killed mid-write), never a live writer's; it keeps nothing of the destination's name, so a
/// long name stays within the file system's limits, a file name never leaks into a temporary one, and no reader's glob
/// (*.parquet, *.csv) matches one.
/// </summary>
internal static partial class TemporaryFiles
{
    /// <summary>How every temporary file's name starts.</summary>
    public const string Prefix = ".tmp-";

    // A temporary file in an older naming (no writing process) is abandoned once it is this old: no write lasts so long.
    private static readonly TimeSpan UnownedAge = TimeSpan.FromHours(1);

    /// <summary>A new temporary file's path in the folder of <paramref name="destination"/>.</summary>
    public static string PathBeside(string destination) =>
        Path.Combine(Path.GetDirectoryName(destination)!, $"{Prefix}{ProcessIdentity.Current.Tag}-{Guid.NewGuid():N}");

    /// <summary>
    /// True for a temporary file's name, exactly as the hub writes one (or wrote one, in the older naming): a partner's file
    /// that merely starts ".tmp-" is a hidden file like any other, listed and quarantined with a report, never swept unseen.
    /// </summary>
    public static bool IsTemporary(string name) => name.StartsWith(Prefix, StringComparison.Ordinal) && OwnName().IsMatch(name);

    /// <summary>
    /// Deletes the abandoned temporary files under <paramref name="folder"/> (links are not followed); returns how many.
    /// <paramref name="unopenable"/> is told each folder under it (by its path from it, '/' between names) the process may
    /// not open or enter, where a killed write's file could not be looked for.
    /// </summary>
    public static int Sweep(string folder, DateTimeOffset now, Action<string> unopenable)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var found = new FileSystemEnumerable<(string Path, DateTimeOffset Written)>(
            folder,
            (ref FileSystemEntry e) => (LocalObjectStore.FullPathOf(ref e), e.LastWriteTimeUtc),
            new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && IsTemporary(e.FileName.ToString()) && !LocalObjectStore.IsBeyondReach(LocalObjectStore.FullPathOf(ref e)),
            // A folder that cannot be opened by its path (nested past the OS path limit by a partner, in landing) holds
            // none of the hub's writes, which all have a path the OS takes; opening it would end the sweep. One the
            // process may not open could hold one (its permissions changed after a write was killed in it): said, not
            // skipped without a word, as the enumeration would.
            ShouldRecursePredicate = (ref FileSystemEntry e) =>
            {
                if ((e.Attributes & FileAttributes.ReparsePoint) != 0)
                {
                    return false;
                }

                var full = LocalObjectStore.FullPathOf(ref e);
                if (!Directory.Exists(full))
                {
                    return false;
                }

                // One gone meanwhile (a raw archive's batch folder its abandoned copy took with it) is not unopenable.
                if (!LocalObjectStore.CanOpen(full) && Directory.Exists(full))
                {
                    unopenable(Path.GetRelativePath(folder, full).Replace(Path.DirectorySeparatorChar, '/'));
                    return false;
                }

                return true;
            },
        };
        var swept = 0;
        foreach (var (path, written) in found.ToList())
        {
            if (!IsAbandoned(Path.GetFileName(path), written, now))
            {
                continue;
            }

            try
            {
                File.Delete(path);
                swept++;
            }
            catch (IOException)
            {
                // Gone already, or busy: the next sweep sees it again.
            }
            catch (UnauthorizedAccessException)
            {
                // In a folder the process may list but not change: said, and left for the next sweep.
                unopenable(Path.GetRelativePath(folder, Path.GetDirectoryName(path)!).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }

        return swept;
    }

    /// <summary>True when a temporary file's writer has gone (or, for an older name, when it is too old to be live).</summary>
    internal static bool IsAbandoned(string name, DateTimeOffset written, DateTimeOffset now)
    {
        var parts = name[Prefix.Length..].Split('-');
        var writer = parts.Length == 3 ? ProcessIdentity.FromTag(parts[0] + "-" + parts[1]) : null;
        return writer?.IsGone() ?? now - written > UnownedAge;
    }

    // ".tmp-{pid}-{process start, hex}-{32 hex}", or the older ".tmp-{32 hex}-{destination name}".
    [GeneratedRegex(@"^\.tmp-(?:[0-9]+-[0-9a-f]+-[0-9a-f]{32}|[0-9a-f]{32}-.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex OwnName();
}
