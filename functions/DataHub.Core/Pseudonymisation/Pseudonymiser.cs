using System.Buffers;
using System.Text;

namespace DataHub.Core.Pseudonymisation;

/// <summary>
/// Makes linkage tokens: <c>{keyVersion}:{64 lowercase hex}</c> of HMAC-SHA256(key, <c>{domain}|{normalised value}</c>),
/// with domain nhs, upn, name_dob, attributor or local|{partner} (contract C6).
/// </summary>
/// <remarks>
/// The same key and value always give the same token; a different key or domain gives an unrelated one. One instance
/// serves one file on one thread (it keeps the key's HMAC states between tokens and keys many messages side by side,
/// which is what makes it fast).
/// </remarks>
public sealed class Pseudonymiser : IDisposable
{
    private readonly HmacLanes _hmac;
    private byte[] _macs = new byte[32 * 1024];
    private readonly byte[] _prefixBytes;

    /// <summary>Uses <paramref name="key"/> for every token.</summary>
    public Pseudonymiser(PseudonymisationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _hmac = new HmacLanes(key.Material);
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

    /// <summary>Makes the token of every message in <paramref name="messages"/> into the slot of <paramref name="into"/> that <paramref name="slots"/> names for it.</summary>
    internal void Tokens(TokenMessages messages, ReadOnlySpan<(int Row, int Key)> slots, TokenBatch into)
    {
        if (_macs.Length < messages.Count * 32)
        {
            _macs = new byte[messages.Count * 64];
        }

        _hmac.Compute(messages.Bytes, messages.Offsets, _macs);
        for (var m = 0; m < messages.Count; m++)
        {
            Format(_macs.AsSpan(m * 32, 32), into.Fill(slots[m].Row, slots[m].Key));
        }
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
            Span<byte> mac = stackalloc byte[32];
            _hmac.Compute(message, [0, length], mac);
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
        Span<byte> text = stackalloc byte[TokenLength];
        Format(mac, text);
        return Encoding.UTF8.GetString(text);
    }

    /// <summary>The token text as bytes into <paramref name="text"/> (<see cref="TokenLength"/> long).</summary>
    private void Format(ReadOnlySpan<byte> mac, Span<byte> text)
    {
        _prefixBytes.CopyTo(text);
        var hex = text[_prefixBytes.Length..];
        for (var i = 0; i < 32; i++)
        {
            hex[2 * i] = (byte)"0123456789abcdef"[mac[i] >> 4];
            hex[(2 * i) + 1] = (byte)"0123456789abcdef"[mac[i] & 0xF];
        }
    }
}
