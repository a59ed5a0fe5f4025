using System.Diagnostics;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>
/// A chain of nested folders whose full path runs past the OS path limit (4,096 bytes on Linux), as a partner can make with
/// mkdir in a loop. .NET cannot make one (it creates folders by their full path) nor should a test change the process's
/// working folder, so coreutils' mkdir -p makes it (it goes down the chain one folder at a time) and rm -rf removes it.
/// </summary>
internal sealed class DeepFolder : IDisposable
{
    private readonly string _top;

    /// <summary>Makes <paramref name="levels"/> folders named <paramref name="name"/>, one inside the other, in <paramref name="parent"/>.</summary>
    public DeepFolder(string parent, string name, int levels)
    {
        Directory.CreateDirectory(parent);
        _top = Path.Combine(parent, name);
        Run(parent, "mkdir", "-p", string.Join('/', Enumerable.Repeat(name, levels)));
    }

    /// <summary>The deepest folder of the chain whose path the OS still takes (null when even the first is past it).</summary>
    public string? DeepestReachable { get; private set; }

    /// <summary>
    /// Makes the deepest chain of <paramref name="name"/> folders in <paramref name="parent"/> whose deepest folder's path the
    /// OS still takes (4,095 bytes), and in it a file named <paramref name="fileName"/> whose own path is past the limit.
    /// </summary>
    public static DeepFolder WithFileJustPastTheLimit(string parent, string name, string fileName) =>
        WithEntryJustPastTheLimit(parent, name, fileName, "printf 'x' > \"$0\"");

    /// <summary>As <see cref="WithFileJustPastTheLimit"/>, with a dangling symbolic link named <paramref name="linkName"/> in place of the file.</summary>
    public static DeepFolder WithLinkJustPastTheLimit(string parent, string name, string linkName) =>
        WithEntryJustPastTheLimit(parent, name, linkName, "ln -s nowhere \"$0\"");

    private static DeepFolder WithEntryJustPastTheLimit(string parent, string name, string entryName, string make)
    {
        var levels = (4095 - System.Text.Encoding.UTF8.GetByteCount(Path.GetFullPath(parent))) / (name.Length + 1);
        var deep = new DeepFolder(parent, name, levels);
        deep.DeepestReachable = Path.Combine([parent, .. Enumerable.Repeat(name, levels)]);
        System.Text.Encoding.UTF8.GetByteCount(Path.Combine(deep.DeepestReachable, entryName)).Should().BeGreaterThan(4095);
        Run(deep.DeepestReachable, "sh", "-c", make, entryName);
        return deep;
    }

    /// <summary>A 250-byte folder name made of a person's name, to check it is never written anywhere.</summary>
    public static string PersonName { get; } = string.Concat(Enumerable.Repeat("Zebedee Quillfeather ", 12))[..250];

    /// <summary>Removes the chain (.NET's recursive delete would stop at the limit too).</summary>
    public void Dispose() => Run(Path.GetDirectoryName(_top)!, "rm", "-rf", Path.GetFileName(_top));

    private static void Run(string folder, string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { UseShellExecute = false, WorkingDirectory = folder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"{command} works through the chain one folder at a time");
    }
}
