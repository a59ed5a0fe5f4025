using System.Security.Cryptography;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Storage.Local;

/// <summary>
/// The pseudonymisation key in a local file, "{root}/keys/datahub-key.json": every version's random material and which
/// one is current. There is no default key: without the file every pseudonymising command refuses to run, as it does when
/// the file or its folder is open to other users or its material is malformed.
/// </summary>
public sealed class LocalKeyProvider : IKeyProvider
{
    /// <summary>The key file's name under "{root}/keys".</summary>
    public const string FileName = "datahub-key.json";

    private const string Label = "pseudonymisation key";
    private readonly LocalKeyFile _file;

    /// <summary>Reads the key file under <paramref name="root"/>.</summary>
    public LocalKeyProvider(string root) => _file = File(root);

    /// <summary>The key file's full path for a root.</summary>
    public static string PathFor(string root) => File(root).Path;

    /// <summary>True when the root has a key file.</summary>
    public static bool Exists(string root) => File(root).Exists;

    /// <summary>Creates the key file (mode 600, in a 700 folder) with a fresh random key, version "v1".</summary>
    /// <exception cref="InvalidOperationException">A key file already exists (it is never overwritten: that would orphan every token).</exception>
    public static string Create(string root) => File(root).Create();

    /// <summary>Adds a fresh random key as the next version and makes it current; older versions stay readable.</summary>
    /// <exception cref="KeyUnavailableException">The key file is missing, exposed or malformed.</exception>
    public static string Rotate(string root) => File(root).Rotate();

    /// <summary>Every version the key file holds, oldest first.</summary>
    /// <exception cref="KeyUnavailableException">The key file is missing, exposed or malformed.</exception>
    public IReadOnlyList<string> Versions() => _file.Versions();

    /// <inheritdoc />
    public Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken)
    {
        var (version, material) = _file.Current();
        return Task.FromResult(Make(version, material));
    }

    /// <inheritdoc />
    public Task<PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken) =>
        Task.FromResult(Make(version, _file.Version(version)));

    private static LocalKeyFile File(string root) => new(root, FileName, Label);

    private static PseudonymisationKey Make(string version, byte[] material)
    {
        try
        {
            return new PseudonymisationKey(version, material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
