using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace DataHub.Core.Pseudonymisation;

/// <summary>
/// Makes linkage tokens: <c>{keyVersion}:{64 lowercase hex}</c> of HMAC-SHA256(key, <c>{domain}|{normalised value}</c>),
/// with domain nhs, upn, name_dob, attributor or local|{partner} (contract C6).
/// </summary>
/// <remarks>
/// The same key and value always give the same token; a different key or domain gives an unrelated one. One instance
/// serves one file on one thread (it keeps the keyed HMAC state between tokens, which is what makes it fast).
/// </remarks>
public sealed class Pseudonymiser : IDisposable
{
    private readonly IncrementalHash _hmac;
    private readonly string _prefix;
    private string[] _made = new string[1024];

    /// <summary>Uses <paramref name="key"/> for every token.</summary>
    public Pseudonymiser(PseudonymisationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Material);
        KeyVersion = key.Version;
        _prefix = key.Version + ":";
    }

    /// <summary>The version stamped on every token made here.</summary>
    public string KeyVersion { get; }

    /// <summary>The token for a normalised value; <paramref name="partner"/> is required for <see cref="LinkageKey.Local"/> only.</summary>
    public string Token(LinkageKey key, string normalised, string? partner = null)
    {
        ArgumentNullException.ThrowIfNull(normalised);
        var domain = key == LinkageKey.Local
            ? "local|" + (partner ?? throw new ArgumentException("A local token needs the partner it is namespaced by.", nameof(partner)))
            : key.Label();
        return Token(domain, normalised);
    }

    /// <inheritdoc />
    public void Dispose() => _hmac.Dispose();

    /// <summary>The tokens of every message in <paramref name="messages"/>, in order; valid until the next call.</summary>
    internal ReadOnlySpan<string> Tokens(TokenMessages messages)
    {
        if (_made.Length < messages.Count)
        {
            _made = new string[Math.Max(messages.Count, _made.Length * 2)];
        }

        var bytes = messages.Bytes;
        var offsets = messages.Offsets;
        Span<byte> mac = stackalloc byte[32];
        for (var m = 0; m < messages.Count; m++)
        {
            _hmac.AppendData(bytes[offsets[m]..offsets[m + 1]]);
            _hmac.GetHashAndReset(mac);
            _made[m] = Format(mac);
        }

        return _made.AsSpan(0, messages.Count);
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
            _hmac.AppendData(message);
            Span<byte> mac = stackalloc byte[32];
            _hmac.GetHashAndReset(mac);
            return Format(mac);
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

    /// <summary>The token text: the key version, a colon and the MAC in lowercase hex.</summary>
    private string Format(ReadOnlySpan<byte> mac)
    {
        Span<char> chars = stackalloc char[_prefix.Length + 64];
        _prefix.CopyTo(chars);
        Convert.TryToHexStringLower(mac, chars[_prefix.Length..], out _);
        return new string(chars);
    }
}
