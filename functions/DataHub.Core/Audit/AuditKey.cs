using System.Security.Cryptography;

namespace DataHub.Core.Audit;

/// <summary>
/// Supplies the audit key the chain is sealed with: a secret of its own, never the pseudonymisation key (a local key
/// file beside it, or a Key Vault secret). Whoever lacks it cannot re-seal an edited chain.
/// </summary>
public interface IAuditKeyProvider
{
    /// <summary>The key new events are sealed with.</summary>
    /// <exception cref="Pseudonymisation.KeyUnavailableException">No audit key is configured, it is exposed, or it cannot be read.</exception>
    Task<AuditKey> GetCurrentAsync(CancellationToken cancellationToken);

    /// <summary>A specific version, to check events sealed before a rotation.</summary>
    /// <exception cref="Pseudonymisation.KeyUnavailableException">That version does not exist or cannot be read.</exception>
    Task<AuditKey> GetVersionAsync(string version, CancellationToken cancellationToken);
}

/// <summary>An audit key version and its secret bytes: seals events with HMAC-SHA256. Never logged or serialised.</summary>
public sealed class AuditKey
{
    private readonly byte[] _material;

    /// <summary>Creates a key; at least 32 bytes of material are required.</summary>
    public AuditKey(string version, ReadOnlySpan<byte> material)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (material.Length < Pseudonymisation.KeyMaterial.MinimumBytes)
        {
            throw new ArgumentException("An audit key needs at least 32 bytes of material.", nameof(material));
        }

        Version = version;
        _material = material.ToArray();
    }

    /// <summary>The key's version label, recorded in every event sealed with it.</summary>
    public string Version { get; }

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under this key, as lowercase hex.</summary>
    public string Seal(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(HMACSHA256.HashData(_material, data));

    /// <summary>Shows the version only, so the key cannot leak through string formatting.</summary>
    public override string ToString() => $"audit key version {Version}";
}
