using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Storage.Local;

/// <summary>
/// A versioned secret key in a file under "{root}/keys": every version's random material and which one is current. The
/// folder is created 700 and the file 600, and a key whose file or folder other users could read is refused (exit 3
/// from the command line) with the chmod that fixes it. Messages name the file, never a byte of the key.
/// </summary>
internal sealed partial class LocalKeyFile
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private readonly string _label;

    /// <summary>The key file <paramref name="fileName"/> under <paramref name="root"/>'s keys folder; <paramref name="label"/> names it in messages.</summary>
    public LocalKeyFile(string root, string fileName, string label)
    {
        Root = root;
        Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(root), "keys", fileName);
        _label = label;
    }

    /// <summary>The root the key belongs to, as given (for the commands in messages).</summary>
    public string Root { get; }

    /// <summary>The key file's full path.</summary>
    public string Path { get; }

    /// <summary>True when the file exists.</summary>
    public bool Exists => File.Exists(Path);

    /// <summary>Creates the file with a fresh random key, version "v1".</summary>
    /// <exception cref="InvalidOperationException">The file already exists (it is never overwritten: that would orphan what it keyed).</exception>
    public string Create()
    {
        if (Exists)
        {
            throw new InvalidOperationException($"A {_label} already exists at {Path}; it is never overwritten.");
        }

        Save(new KeyFile("v1", new Dictionary<string, string>(StringComparer.Ordinal) { ["v1"] = NewMaterial() }), createOnly: true);
        return "v1";
    }

    /// <summary>Adds a fresh random key as the next version and makes it current; older versions stay readable.</summary>
    public string Rotate()
    {
        var file = Load();

        // A damaged file is restored from its backup, not extended: every version must still decode.
        foreach (var version in file.Keys.Keys)
        {
            CryptographicOperations.ZeroMemory(Material(file, version));
        }

        var next = "v" + (file.Keys.Keys.Select(NumberOf).DefaultIfEmpty(0).Max() + 1).ToString(CultureInfo.InvariantCulture);
        var keys = new Dictionary<string, string>(file.Keys, StringComparer.Ordinal) { [next] = NewMaterial() };
        Save(new KeyFile(next, keys), createOnly: false);
        return next;
    }

    /// <summary>The current version's label and bytes (zero them after use).</summary>
    /// <exception cref="KeyUnavailableException">No file, a file or folder open to others, or malformed content.</exception>
    public (string Version, byte[] Material) Current()
    {
        var file = Load();
        return (file.Current, Material(file, file.Current));
    }

    /// <summary>Every version's name, in the order of their numbers (v1, v2, …).</summary>
    /// <exception cref="KeyUnavailableException">As <see cref="Current"/>.</exception>
    public IReadOnlyList<string> Versions() =>
        [.. Load().Keys.Keys.OrderBy(NumberOf).ThenBy(v => v, StringComparer.Ordinal)];

    /// <summary>A version's bytes (zero them after use).</summary>
    /// <exception cref="KeyUnavailableException">As <see cref="Current"/>, or the version does not exist.</exception>
    public byte[] Version(string version) => Material(Load(), version);

    private byte[] Material(KeyFile file, string version)
    {
        if (!file.Keys.TryGetValue(version, out var text))
        {
            throw new KeyUnavailableException($"The {_label} file {Path} has no key version '{version}'.");
        }

        return KeyMaterial.Decode(text, $"version {version} of the {_label} file {Path}");
    }

    private KeyFile Load()
    {
        if (!Exists)
        {
            throw new KeyUnavailableException($"No {_label} at {Path}. Run `datahub key init --root {Root}` to create it; there is no default key.");
        }

        CheckPrivate();
        KeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllText(Path), StorageJson.Default.KeyFile);
        }
        catch (JsonException)
        {
            // Never include the file's content or the parser's message: both can quote key material.
            throw new KeyUnavailableException($"The {_label} file {Path} is malformed: it is not the JSON `datahub key init` writes. Restore it from its backup; nothing was pseudonymised or written.");
        }

        if (file?.Keys is null || string.IsNullOrEmpty(file.Current) || file.Keys.Values.Any(v => v is null))
        {
            throw new KeyUnavailableException($"The {_label} file {Path} is malformed: it lacks its current version or a key. Restore it from its backup; nothing was pseudonymised or written.");
        }

        // A version name is repeated in messages and stamped on every token and mart, so one that is not what `key init` and
        // `key rotate` write (key material pasted into it, say) is refused without being repeated.
        if (!VersionName().IsMatch(file.Current) || file.Keys.Keys.Any(v => !VersionName().IsMatch(v)))
        {
            throw new KeyUnavailableException($"The {_label} file {Path} is malformed: a version name is not of the form v1, v2, … as `datahub key init` and `key rotate` write them. Restore it from its backup; nothing was pseudonymised or written.");
        }

        return file;
    }

    /// <summary>Refuses a key other users could read or replace: the file must be 600 (or stricter) and its folder 700.</summary>
    private void CheckPrivate()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (new FileInfo(Path).LinkTarget is not null)
        {
            throw new KeyUnavailableException($"The {_label} file {Path} is a symbolic link; a key is used only from a regular file in {folder}. Replace the link with the file itself.");
        }

        var folderMode = File.GetUnixFileMode(folder);
        if ((folderMode & Others) != 0)
        {
            throw new KeyUnavailableException($"The key folder {folder} is open to other users (mode {Octal(folderMode)}), so the {_label} cannot be trusted to be private. Run `chmod 700 {folder}` (and check who may have copied the key).");
        }

        var fileMode = File.GetUnixFileMode(Path);
        if ((fileMode & Others) != 0)
        {
            throw new KeyUnavailableException($"The {_label} file {Path} is readable by other users (mode {Octal(fileMode)}). Run `chmod 600 {Path}` (and check who may have copied the key).");
        }
    }

    private void Save(KeyFile file, bool createOnly)
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        var temp = TemporaryFiles.PathBeside(Path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder, OwnerFolder);
            options.UnixCreateMode = OwnerFile;
        }
        else
        {
            Directory.CreateDirectory(folder);
        }

        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, file, StorageJson.Default.KeyFile);
        }

        File.Move(temp, Path, overwrite: !createOnly);
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8);

    private static string NewMaterial() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyMaterial.MinimumBytes));

    // A version's number: every name a loaded file holds is "v" and up to nine digits (VersionName).
    private static int NumberOf(string version) => int.Parse(version.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^v[0-9]{1,9}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionName();

    /// <summary>The file: the current version and each version's material.</summary>
    internal sealed record KeyFile(string Current, Dictionary<string, string> Keys);
}
