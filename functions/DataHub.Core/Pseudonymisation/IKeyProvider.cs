namespace DataHub.Core.Pseudonymisation;

/// <summary>Supplies the secret key that identifiers are HMAC'd under: a local key file, or Azure Key Vault.</summary>
public interface IKeyProvider
{
    /// <summary>The key new tokens are made with.</summary>
    /// <exception cref="KeyUnavailableException">No key is configured, or its store cannot be reached.</exception>
    Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken);

    /// <summary>A specific earlier or current version of the key.</summary>
    /// <exception cref="KeyUnavailableException">That version does not exist or cannot be read.</exception>
    Task<PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken);
}

/// <summary>A key version and its secret bytes. Never logged, never serialised into an output.</summary>
public sealed class PseudonymisationKey
{
    private readonly byte[] _material;

    /// <summary>Creates a key; at least 32 bytes of material are required.</summary>
    public PseudonymisationKey(string version, ReadOnlySpan<byte> material)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (material.Length < 32)
        {
            throw new ArgumentException("A pseudonymisation key needs at least 32 bytes of material.", nameof(material));
        }

        Version = version;
        _material = material.ToArray();
    }

    /// <summary>The key's version label, stamped on every token and mart file made with it.</summary>
    public string Version { get; }

    /// <summary>The secret bytes.</summary>
    public ReadOnlySpan<byte> Material => _material;

    /// <summary>Shows the version only, so the key cannot leak through string formatting.</summary>
    public override string ToString() => $"key version {Version}";
}

/// <summary>Raised when the pseudonymisation key cannot be had; nothing is pseudonymised or written without it.</summary>
public sealed class KeyUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
