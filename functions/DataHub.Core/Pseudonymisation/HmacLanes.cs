using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace DataHub.Core.Pseudonymisation;

/// <summary>
/// HMAC-SHA256 under one key for many short messages at once: eight messages side by side in the lanes of 256-bit
/// vectors. Tokens' messages are short, so with the key's inner and outer states computed once, each MAC is just two
/// SHA-256 block compressions, and running eight of them together costs little more than one.
/// </summary>
/// <remarks>Messages of up to 55 bytes (one inner block) take the lanes; longer ones, and machines without 256-bit
/// vectors, take .NET's own HMAC. Both give exactly HMACSHA256 (RFC 2104, FIPS 180-4); the tests hold them to it.</remarks>
public sealed class HmacLanes : IDisposable
{
    /// <summary>The longest message whose padded inner hash fits one 64-byte block.</summary>
    public const int MaxLaneMessage = 55;

    private const int Width = 8;

    private static readonly uint[] RoundConstants =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static readonly uint[] InitialState = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    private readonly uint[] _inner = new uint[8];
    private readonly uint[] _outer = new uint[8];
    private readonly IncrementalHash _fallback;
    private readonly bool _useLanes;

    /// <summary>Prepares the key's inner and outer states.</summary>
    public HmacLanes(ReadOnlySpan<byte> key)
        : this(key, Vector256.IsHardwareAccelerated)
    {
    }

    /// <summary>As the public constructor; <paramref name="useLanes"/> false forces the fallback (for tests).</summary>
    internal HmacLanes(ReadOnlySpan<byte> key, bool useLanes)
    {
        _fallback = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        _useLanes = useLanes;

        // RFC 2104: a key longer than the block is hashed first; the block-sized key is XORed with 0x36 and 0x5c.
        Span<byte> block = stackalloc byte[64];
        block.Clear();
        if (key.Length > 64)
        {
            SHA256.HashData(key, block);
        }
        else
        {
            key.CopyTo(block);
        }

        Span<byte> pad = stackalloc byte[64];
        for (var i = 0; i < 64; i++)
        {
            pad[i] = (byte)(block[i] ^ 0x36);
        }

        InitialState.CopyTo(_inner, 0);
        CompressOne(_inner, pad);
        for (var i = 0; i < 64; i++)
        {
            pad[i] = (byte)(block[i] ^ 0x5c);
        }

        InitialState.CopyTo(_outer, 0);
        CompressOne(_outer, pad);
        pad.Clear();
        block.Clear();
    }

    /// <summary>How many messages one vector holds side by side: 8, or 1 when the lanes are not used.</summary>
    public int Lanes => _useLanes ? 8 : 1;

    /// <summary>
    /// Writes the MAC of each message into <paramref name="macs"/> (32 bytes each, in order). <paramref name="messages"/>
    /// holds the messages back to back; <paramref name="offsets"/> has where each starts, then where the last ends.
    /// </summary>
    public void Compute(ReadOnlySpan<byte> messages, ReadOnlySpan<int> offsets, Span<byte> macs)
    {
        var count = Math.Max(0, offsets.Length - 1);
        if (macs.Length < count * 32)
        {
            throw new ArgumentException("There must be room for 32 bytes per message.", nameof(macs));
        }

        Span<int> waiting = stackalloc int[Width];
        var queued = 0;
        for (var m = 0; m < count; m++)
        {
            var message = messages[offsets[m]..offsets[m + 1]];
            if (!_useLanes || message.Length > MaxLaneMessage)
            {
                _fallback.AppendData(message);
                _fallback.GetHashAndReset(macs.Slice(m * 32, 32));
                continue;
            }

            waiting[queued++] = m;
            if (queued == Width)
            {
                ComputeLanes(messages, offsets, waiting, macs);
                queued = 0;
            }
        }

        if (queued > 0)
        {
            ComputeLanes(messages, offsets, waiting[..queued], macs);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Array.Clear(_inner);
        Array.Clear(_outer);
        _fallback.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateRight(Vector256<uint> x, [ConstantExpected] byte n) =>
        Avx512F.VL.IsSupported
            ? Avx512F.VL.RotateRight(x, n)
            : Vector256.ShiftRightLogical(x, n) | Vector256.ShiftLeft(x, 32 - n);

    /// <summary>One SHA-256 block compression of <paramref name="block"/> into <paramref name="state"/>, scalar (key set-up only).</summary>
    private static void CompressOne(Span<uint> state, ReadOnlySpan<byte> block)
    {
        Span<uint> w = stackalloc uint[64];
        for (var i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(4 * i)..]);
        }

        for (var i = 16; i < 64; i++)
        {
            var s0 = uint.RotateRight(w[i - 15], 7) ^ uint.RotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
            var s1 = uint.RotateRight(w[i - 2], 17) ^ uint.RotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        for (var i = 0; i < 64; i++)
        {
            var t1 = h + (uint.RotateRight(e, 6) ^ uint.RotateRight(e, 11) ^ uint.RotateRight(e, 25)) + ((e & f) ^ (~e & g)) + RoundConstants[i] + w[i];
            var t2 = (uint.RotateRight(a, 2) ^ uint.RotateRight(a, 13) ^ uint.RotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            (h, g, f, e, d, c, b, a) = (g, f, e, d + t1, c, b, a, t1 + t2);
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
        w.Clear();
    }

    /// <summary>Eight SHA-256 block compressions side by side: <paramref name="state"/> and <paramref name="w"/> (the first 16 schedule words) hold one lane per message.</summary>
    private static void CompressLanes(Span<Vector256<uint>> state, Span<Vector256<uint>> w)
    {
        var k = RoundConstants;
        Vector256<uint> a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        for (var i = 0; i < 64; i++)
        {
            Vector256<uint> word;
            if (i < 16)
            {
                word = w[i];
            }
            else
            {
                // The schedule kept as a ring of 16: slot i & 15 still holds w[i - 16].
                var w15 = w[(i - 15) & 15];
                var w2 = w[(i - 2) & 15];
                var s0 = RotateRight(w15, 7) ^ RotateRight(w15, 18) ^ Vector256.ShiftRightLogical(w15, 3);
                var s1 = RotateRight(w2, 17) ^ RotateRight(w2, 19) ^ Vector256.ShiftRightLogical(w2, 10);
                word = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
                w[i & 15] = word;
            }

            var t1 = h + (RotateRight(e, 6) ^ RotateRight(e, 11) ^ RotateRight(e, 25)) + Vector256.ConditionalSelect(e, f, g) + Vector256.Create(k[i]) + word;
            var t2 = (RotateRight(a, 2) ^ RotateRight(a, 13) ^ RotateRight(a, 22)) + Vector256.ConditionalSelect(a ^ b, c, a);
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }

    private void ComputeLanes(ReadOnlySpan<byte> messages, ReadOnlySpan<int> offsets, ReadOnlySpan<int> which, Span<byte> macs)
    {
        // The padded inner blocks, one per lane (unused lanes hash an empty message and are ignored).
        Span<byte> blocks = stackalloc byte[Width * 64];
        Span<uint> words = stackalloc uint[Width * 16];
        blocks.Clear();
        for (var lane = 0; lane < which.Length; lane++)
        {
            var m = which[lane];
            var message = messages[offsets[m]..offsets[m + 1]];
            var block = blocks.Slice(lane * 64, 64);
            message.CopyTo(block);
            block[message.Length] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(block[56..], (ulong)(64 + message.Length) * 8);
        }

        for (var lane = which.Length; lane < Width; lane++)
        {
            var block = blocks.Slice(lane * 64, 64);
            block[0] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(block[56..], 64 * 8);
        }

        // Word i of every lane side by side: the transposition the vectors need.
        for (var lane = 0; lane < Width; lane++)
        {
            for (var i = 0; i < 16; i++)
            {
                words[(i * Width) + lane] = BinaryPrimitives.ReadUInt32BigEndian(blocks[((lane * 64) + (4 * i))..]);
            }
        }

        Span<Vector256<uint>> state = stackalloc Vector256<uint>[8];
        Span<Vector256<uint>> w = stackalloc Vector256<uint>[16];
        for (var i = 0; i < 8; i++)
        {
            state[i] = Vector256.Create(_inner[i]);
        }

        for (var i = 0; i < 16; i++)
        {
            w[i] = Vector256.Create<uint>(words.Slice(i * Width, Width));
        }

        CompressLanes(state, w);

        // The outer block is the inner digest (already as big-endian words), then the padding for 64 + 32 bytes.
        for (var i = 0; i < 8; i++)
        {
            w[i] = state[i];
            state[i] = Vector256.Create(_outer[i]);
        }

        w[8] = Vector256.Create(0x80000000u);
        for (var i = 9; i < 15; i++)
        {
            w[i] = Vector256<uint>.Zero;
        }

        w[15] = Vector256.Create((uint)((64 + 32) * 8));
        CompressLanes(state, w);

        for (var i = 0; i < 8; i++)
        {
            state[i].CopyTo(words.Slice(i * Width, Width));
        }

        for (var lane = 0; lane < which.Length; lane++)
        {
            var mac = macs.Slice(which[lane] * 32, 32);
            for (var i = 0; i < 8; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(mac[(4 * i)..], words[(i * Width) + lane]);
            }
        }

        // The blocks held the messages (normalised identifiers); the schedule words were derived from them.
        blocks.Clear();
        words.Clear();
        w.Clear();
    }
}
