using System.Security.Cryptography;

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
        if (material.Length < KeyMaterial.MinimumBytes)
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

/// <summary>
/// Raised when a key (pseudonymisation or audit) cannot be had: none configured, its store unreachable, its file open to
/// other users, or its material malformed. Nothing is pseudonymised or written without it. The message names where the
/// key is kept and what to do, never a byte of it.
/// </summary>
public sealed class KeyUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Turns stored key text into key bytes, with one set of checks and messages for every key store.</summary>
public static class KeyMaterial
{
    /// <summary>The least key material accepted: 256 bits.</summary>
    public const int MinimumBytes = 32;

    /// <summary>Decodes base64 key material of at least <see cref="MinimumBytes"/> bytes; the caller zeroes the result after use.</summary>
    /// <param name="text">The stored text.</param>
    /// <param name="which">Where it came from, for the message (e.g. "version v1 of the key file at …"); never the text itself.</param>
    /// <exception cref="KeyUnavailableException">The text is missing, not base64, or too short.</exception>
    public static byte[] Decode(string? text, string which)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text ?? string.Empty);
        }
        catch (FormatException)
        {
            // The exception's own message is generic, but the text is key material: nothing of it goes further.
            throw new KeyUnavailableException($"The key material of {which} is malformed: it is not base64. Restore the key from its backup; nothing was pseudonymised or written.");
        }

        if (bytes.Length < MinimumBytes)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw new KeyUnavailableException($"The key material of {which} is malformed: it holds fewer than {MinimumBytes} bytes. Restore the key from its backup; nothing was pseudonymised or written.");
        }

        return bytes;
    }
}
