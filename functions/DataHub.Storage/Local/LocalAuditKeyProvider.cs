using System.Security.Cryptography;
using DataHub.Core.Audit;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Storage.Local;

/// <summary>
/// The audit key in a local file beside the pseudonymisation key, "{root}/keys/audit-key.json" (same format, same 600/700
/// rules, created by `datahub key init`). It seals the audit chain, so an edited log cannot be re-sealed without it.
/// </summary>
public sealed class LocalAuditKeyProvider : IAuditKeyProvider
{
    /// <summary>The key file's name under "{root}/keys".</summary>
    public const string FileName = "audit-key.json";

    private const string Label = "audit key";
    private readonly LocalKeyFile _file;

    /// <summary>Reads the audit key file under <paramref name="root"/>.</summary>
    public LocalAuditKeyProvider(string root) => _file = File(root);

    /// <summary>The key file's full path for a root.</summary>
    public static string PathFor(string root) => File(root).Path;

    /// <summary>True when the root has an audit key file.</summary>
    public static bool Exists(string root) => File(root).Exists;

    /// <summary>Creates the audit key file (mode 600, in a 700 folder) with a fresh random key, version "v1".</summary>
    /// <exception cref="InvalidOperationException">An audit key already exists (it is never overwritten: that would orphan every seal).</exception>
    public static string Create(string root) => File(root).Create();

    /// <summary>Adds a fresh random audit key as the next version and makes it current; events sealed under older versions still verify.</summary>
    /// <exception cref="KeyUnavailableException">The audit key file is missing, exposed or malformed.</exception>
    public static string Rotate(string root) => File(root).Rotate();

    /// <inheritdoc />
    public Task<AuditKey> GetCurrentAsync(CancellationToken cancellationToken)
    {
        var (version, material) = _file.Current();
        return Task.FromResult(Make(version, material));
    }

    /// <inheritdoc />
    public Task<AuditKey> GetVersionAsync(string version, CancellationToken cancellationToken) =>
        Task.FromResult(Make(version, _file.Version(version)));

    private static LocalKeyFile File(string root) => new(root, FileName, Label);

    private static AuditKey Make(string version, byte[] material)
    {
        try
        {
            return new AuditKey(version, material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
