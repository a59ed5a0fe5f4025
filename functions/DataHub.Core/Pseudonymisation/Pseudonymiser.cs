using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace DataHub.Core.Pseudonymisation;

/// <summary>
/// Makes linkage tokens: <c>{keyVersion}:{64 lowercase hex}</c> of HMAC-SHA256(key, <c>{domain}|{normalised value}</c>),
/// with domain nhs, upn, name_dob, attributor or local|{partner} (contract C6).
/// </summary>
/// <remarks>
/// The same key and value always give the same token; a different key or domain gives an unrelated one. The HMAC is the
/// platform's (System.Security.Cryptography, OpenSSL on Linux): one keyed instance is kept and reset between tokens, so
/// the key's padding is done once. One instance serves one thread at a time.
/// </remarks>
public sealed class Pseudonymiser : IDisposable
{
    private readonly IncrementalHash _hmac;
    private readonly byte[] _prefixBytes;

    /// <summary>Uses <paramref name="key"/> for every token.</summary>
    public Pseudonymiser(PseudonymisationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Material);
        KeyVersion = key.Version;
        _prefixBytes = Encoding.UTF8.GetBytes(key.Version + ":");
    }

    /// <summary>The version stamped on every token made here.</summary>
    public string KeyVersion { get; }

    /// <summary>The token for a normalised value; <paramref name="partner"/> is required for <see cref="LinkageKey.Local"/> only.</summary>
    public string Token(LinkageKey key, string normalised, string? partner = null)
    {
        ArgumentNullException.ThrowIfNull(normalised);
        return Token(Domain(key, partner), normalised);
    }

    /// <summary>The domain label a key's messages start with: the key's label, or local|{partner} for partners' own ids.</summary>
    internal static string Domain(LinkageKey key, string? partner) => key == LinkageKey.Local
        ? "local|" + (partner ?? throw new ArgumentException("A local token needs the partner it is namespaced by.", nameof(partner)))
        : key.Label();

    /// <inheritdoc />
    public void Dispose() => _hmac.Dispose();

    /// <summary>The length in bytes of every token made here (the version, a colon and 64 hex digits).</summary>
    public int TokenLength => _prefixBytes.Length + 64;

    /// <summary>Writes the token of <paramref name="message"/> (a domain label, a bar and a normalised value) as ASCII into <paramref name="text"/> (<see cref="TokenLength"/> long).</summary>
    internal void Token(ReadOnlySpan<byte> message, Span<byte> text)
    {
        Span<byte> mac = stackalloc byte[32];
        _hmac.AppendData(message);
        _hmac.GetHashAndReset(mac);
        Format(mac, text);
    }

    private string Token(string domain, string value)
    {
        var length = Encoding.UTF8.GetByteCount(domain) + 1 + Encoding.UTF8.GetByteCount(value);
        var rented = length <= 256 ? null : ArrayPool<byte>.Shared.Rent(length);
        var message = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            var written = Encoding.UTF8.GetBytes(domain, message);
            message[written++] = (byte)'|';
            Encoding.UTF8.GetBytes(value, message[written..]);
            Span<byte> text = stackalloc byte[TokenLength];
            Token(message, text);
            return Encoding.UTF8.GetString(text);
        }
        finally
        {
            // The message holds an identifier: clear it before it leaves our hands.
            message.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The token text: the key version, a colon and the MAC in lowercase hex, as bytes into <paramref name="text"/>.</summary>
    private void Format(ReadOnlySpan<byte> mac, Span<byte> text)
    {
        _prefixBytes.CopyTo(text);
        TokenHex.Write(mac, text[_prefixBytes.Length..]);
    }
}
