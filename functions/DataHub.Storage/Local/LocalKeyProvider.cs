using System.Security.Cryptography;
using System.Text.Json;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Storage.Local;

/// <summary>
/// The pseudonymisation key in a local file, "{root}/keys/datahub-key.json": every version's random material and which
/// one is current. There is no default key: without the file every pseudonymising command refuses to run.
/// </summary>
public sealed class LocalKeyProvider : IKeyProvider
{
    /// <summary>The key file's name under "{root}/keys".</summary>
    public const string FileName = "datahub-key.json";

    private const int KeyBytes = 32;
    private readonly string _path;

    /// <summary>Reads the key file under <paramref name="root"/>.</summary>
    public LocalKeyProvider(string root) => _path = PathFor(root);

    /// <summary>The key file's full path for a root.</summary>
    public static string PathFor(string root) => Path.Combine(Path.GetFullPath(root), "keys", FileName);

    /// <summary>True when the root has a key file.</summary>
    public static bool Exists(string root) => File.Exists(PathFor(root));

    /// <summary>Creates the key file with a fresh random key, version "v1".</summary>
    /// <exception cref="InvalidOperationException">A key file already exists (it is never overwritten: that would orphan every token).</exception>
    public static string Create(string root)
    {
        var path = PathFor(root);
        if (File.Exists(path))
        {
            throw new InvalidOperationException($"A key file already exists at {path}; use `datahub key rotate` to add a new version.");
        }

        Save(path, new KeyFile("v1", new Dictionary<string, string>(StringComparer.Ordinal) { ["v1"] = NewMaterial() }), createOnly: true);
        return "v1";
    }

    /// <summary>Adds a fresh random key as the next version and makes it current; older versions stay readable.</summary>
    public static string Rotate(string root)
    {
        var path = PathFor(root);
        var file = Load(path);
        var next = "v" + (file.Keys.Keys.Select(v => int.TryParse(v.AsSpan(1), out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var keys = new Dictionary<string, string>(file.Keys, StringComparer.Ordinal) { [next] = NewMaterial() };
        Save(path, new KeyFile(next, keys), createOnly: false);
        return next;
    }

    /// <inheritdoc />
    public Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken)
    {
        var file = Load(_path);
        return Task.FromResult(Material(file, file.Current));
    }

    /// <inheritdoc />
    public Task<PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken) =>
        Task.FromResult(Material(Load(_path), version));

    private static PseudonymisationKey Material(KeyFile file, string version)
    {
        if (!file.Keys.TryGetValue(version, out var material))
        {
            throw new KeyUnavailableException($"The key file has no key version '{version}'.");
        }

        var bytes = Convert.FromBase64String(material);
        try
        {
            return new PseudonymisationKey(version, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static KeyFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new KeyUnavailableException($"No pseudonymisation key at {path}. Run `datahub key init` to create one; there is no default key.");
        }

        try
        {
            var file = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(path));
            if (file?.Keys is null || string.IsNullOrEmpty(file.Current))
            {
                throw new KeyUnavailableException($"The key file at {path} is incomplete.");
            }

            return file;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            // Never include the file's content: it is key material.
            throw new KeyUnavailableException($"The key file at {path} cannot be read.", null);
        }
    }

    private static void Save(string path, KeyFile file, bool createOnly)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = TemporaryFiles.PathBeside(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, file);
        }

        File.Move(temp, path, overwrite: !createOnly);
    }

    private static string NewMaterial() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));

    private sealed record KeyFile(string Current, Dictionary<string, string> Keys);
}
