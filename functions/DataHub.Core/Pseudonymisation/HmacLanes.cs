using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace DataHub.Core.Pseudonymisation;

/// <summary>
/// HMAC-SHA256 under one key for many short messages at once: 16 messages side by side in the lanes of 512-bit vectors
/// (8 in 256-bit ones where 512-bit vectors are not accelerated). Tokens' messages are short, so with the key's inner and
/// outer states computed once, each MAC is just two SHA-256 block compressions, and running 16 of them together costs
/// little more than one.
/// </summary>
/// <remarks>Messages of up to 55 bytes (one inner block) take the lanes; longer ones, and machines without AVX2, take
/// .NET's own HMAC. Both give exactly HMACSHA256 (RFC 2104, FIPS 180-4); the tests hold them to it. One instance serves
/// one thread at a time.</remarks>
public sealed class HmacLanes : IDisposable
{
    /// <summary>The longest message whose padded inner hash fits one 64-byte block.</summary>
    public const int MaxLaneMessage = 55;

    private readonly uint[] _inner = new uint[8];
    private readonly uint[] _outer = new uint[8];
    private readonly IncrementalHash _fallback;
    private bool _disposed;

    /// <summary>Prepares the key's inner and outer states; uses the widest lanes this machine accelerates.</summary>
    public HmacLanes(ReadOnlySpan<byte> key)
        : this(key, maxLanes: 16)
    {
    }

    /// <summary>As the public constructor, with lanes no wider than <paramref name="maxLanes"/> (1 forces .NET's HMAC; for tests and benchmarks).</summary>
    internal HmacLanes(ReadOnlySpan<byte> key, int maxLanes)
    {
        _fallback = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Lanes = maxLanes >= 16 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 16
            : maxLanes >= 8 && Avx2.IsSupported ? 8
            : 1;

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

        InitialState.CopyTo(_inner);
        CompressOne(_inner, pad);
        for (var i = 0; i < 64; i++)
        {
            pad[i] = (byte)(block[i] ^ 0x5c);
        }

        InitialState.CopyTo(_outer);
        CompressOne(_outer, pad);
        pad.Clear();
        block.Clear();
    }

    /// <summary>How many messages are hashed side by side: 16 (512-bit vectors), 8 (256-bit), or 1 when every message takes .NET's HMAC.</summary>
    public int Lanes { get; }

    private static ReadOnlySpan<uint> RoundConstants =>
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

    private static ReadOnlySpan<uint> InitialState => [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    /// <summary>
    /// Writes the MAC of each message into <paramref name="macs"/> (32 bytes each, in order). <paramref name="messages"/>
    /// holds the messages back to back; <paramref name="offsets"/> has where each starts, then where the last ends.
    /// </summary>
    public void Compute(ReadOnlySpan<byte> messages, ReadOnlySpan<int> offsets, Span<byte> macs)
    {
        // Disposed, the key's states are zeros: refuse rather than make MACs under no key.
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = Math.Max(0, offsets.Length - 1);
        if (macs.Length < count * 32)
        {
            throw new ArgumentException("There must be room for 32 bytes per message.", nameof(macs));
        }

        if (Lanes == 16)
        {
            Compute<Lanes512, Vector512<uint>>(messages, offsets, macs);
        }
        else if (Lanes == 8)
        {
            Compute<Lanes256, Vector256<uint>>(messages, offsets, macs);
        }
        else
        {
            for (var m = 0; m < count; m++)
            {
                Fallback(messages[offsets[m]..offsets[m + 1]], macs.Slice(m * 32, 32));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        Array.Clear(_inner);
        Array.Clear(_outer);
        _fallback.Dispose();
    }

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

    /// <summary>
    /// SHA-256 block compressions side by side (FIPS 180-4, 6.2.2): <paramref name="state"/> holds the eight working
    /// words and <paramref name="w"/> the block's 16 message words, each one lane per message. The schedule is kept as a
    /// ring of 16, so <paramref name="w"/> is overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compress<TLanes, TVector>(ref Eight<TVector> state, ref Sixteen<TVector> w)
        where TLanes : ILanes<TVector>
        where TVector : struct
    {
        TVector a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        for (var t = 0; t < 64; t += 16)
        {
            if (t > 0)
            {
                // Words t..t+15 of the schedule; slot i still holds word t + i - 16.
                for (var i = 0; i < 16; i++)
                {
                    w[i] = TLanes.Add(
                        TLanes.Add(w[i], TLanes.SmallSigma0(w[(i + 1) & 15])),
                        TLanes.Add(w[(i + 9) & 15], TLanes.SmallSigma1(w[(i + 14) & 15])));
                }
            }

            // Sixteen rounds with the working words renamed rather than moved.
            var k = RoundConstants.Slice(t, 16);
            Round<TLanes, TVector>(a, b, c, ref d, e, f, g, ref h, k[0], w[0]);
            Round<TLanes, TVector>(h, a, b, ref c, d, e, f, ref g, k[1], w[1]);
            Round<TLanes, TVector>(g, h, a, ref b, c, d, e, ref f, k[2], w[2]);
            Round<TLanes, TVector>(f, g, h, ref a, b, c, d, ref e, k[3], w[3]);
            Round<TLanes, TVector>(e, f, g, ref h, a, b, c, ref d, k[4], w[4]);
            Round<TLanes, TVector>(d, e, f, ref g, h, a, b, ref c, k[5], w[5]);
            Round<TLanes, TVector>(c, d, e, ref f, g, h, a, ref b, k[6], w[6]);
            Round<TLanes, TVector>(b, c, d, ref e, f, g, h, ref a, k[7], w[7]);
            Round<TLanes, TVector>(a, b, c, ref d, e, f, g, ref h, k[8], w[8]);
            Round<TLanes, TVector>(h, a, b, ref c, d, e, f, ref g, k[9], w[9]);
            Round<TLanes, TVector>(g, h, a, ref b, c, d, e, ref f, k[10], w[10]);
            Round<TLanes, TVector>(f, g, h, ref a, b, c, d, ref e, k[11], w[11]);
            Round<TLanes, TVector>(e, f, g, ref h, a, b, c, ref d, k[12], w[12]);
            Round<TLanes, TVector>(d, e, f, ref g, h, a, b, ref c, k[13], w[13]);
            Round<TLanes, TVector>(c, d, e, ref f, g, h, a, ref b, k[14], w[14]);
            Round<TLanes, TVector>(b, c, d, ref e, f, g, h, ref a, k[15], w[15]);
        }

        state[0] = TLanes.Add(state[0], a);
        state[1] = TLanes.Add(state[1], b);
        state[2] = TLanes.Add(state[2], c);
        state[3] = TLanes.Add(state[3], d);
        state[4] = TLanes.Add(state[4], e);
        state[5] = TLanes.Add(state[5], f);
        state[6] = TLanes.Add(state[6], g);
        state[7] = TLanes.Add(state[7], h);
    }

    /// <summary>One round: T1 = h + Σ1(e) + Ch(e, f, g) + K + W goes into d, and T1 + Σ0(a) + Maj(a, b, c) becomes the new a (in h's place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round<TLanes, TVector>(TVector a, TVector b, TVector c, ref TVector d, TVector e, TVector f, TVector g, ref TVector h, uint k, TVector w)
        where TLanes : ILanes<TVector>
        where TVector : struct
    {
        var t1 = TLanes.Add(
            TLanes.Add(h, TLanes.BigSigma1(e)),
            TLanes.Add(TLanes.Choose(e, f, g), TLanes.Add(TLanes.Broadcast(k), w)));
        d = TLanes.Add(d, t1);
        h = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(a), TLanes.Majority(a, b, c)));
    }

    /// <summary>
    /// The inner blocks of up to eight one-block messages, padded (FIPS 180-4, 5.1.1: 0x80, zeros, the bit length of the
    /// 64-byte key block plus the message) and read as big-endian words, as columns: word i of every lane in
    /// <paramref name="columns"/>[i]. Lanes past <paramref name="which"/>'s length keep whatever they held.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InnerColumns(ReadOnlySpan<byte> messages, ReadOnlySpan<int> offsets, ReadOnlySpan<int> which, Span<byte> scratch, ref Sixteen<Vector256<uint>> columns)
    {
        var firstIndex = Vector256<sbyte>.Indices;
        var secondIndex = firstIndex + Vector256.Create((sbyte)32);
        var marker = Vector256.Create((sbyte)-128);
        for (var lane = 0; lane < which.Length; lane++)
        {
            var start = offsets[which[lane]];
            var length = offsets[which[lane] + 1] - start;

            // Read a whole block from where the message starts, or from a copy near the end of the buffer; the bytes
            // past the message belong to others and are masked off.
            var inPlace = messages.Length - start >= 64;
            if (!inPlace)
            {
                scratch.Clear();
                messages.Slice(start, length).CopyTo(scratch);
            }

            var source = inPlace ? messages.Slice(start, 64) : scratch;
            var end = Vector256.Create((sbyte)length);
            var first = Vector256.Create(source[..32]).AsSByte();
            var second = Vector256.Create(source[32..]).AsSByte();
            first = Vector256.ConditionalSelect(Vector256.LessThan(firstIndex, end), first, Vector256.Equals(firstIndex, end) & marker);
            second = Vector256.ConditionalSelect(Vector256.LessThan(secondIndex, end), second, Vector256.Equals(secondIndex, end) & marker);

            // One row per lane: words 0-7 in the first half, 8-15 in the second; each half is then transposed.
            columns[lane] = ByteSwap(first.AsUInt32());
            columns[8 + lane] = ByteSwap(second.AsUInt32()).WithElement(7, (uint)(64 + length) * 8);
        }

        Transpose(columns[..8]);
        Transpose(columns[8..]);
    }

    /// <summary>Writes the MACs of up to eight lanes: <paramref name="digest"/> holds word i of every lane's digest in [i] (and is overwritten).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteMacs(Span<Vector256<uint>> digest, ReadOnlySpan<int> which, Span<byte> macs)
    {
        for (var i = 0; i < 8; i++)
        {
            digest[i] = ByteSwap(digest[i]);
        }

        Transpose(digest);
        for (var lane = 0; lane < which.Length; lane++)
        {
            digest[lane].AsByte().CopyTo(macs.Slice(which[lane] * 32, 32));
        }
    }

    /// <summary>Each 32-bit word's bytes in the reverse order (SHA-256 reads its words big-endian).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> ByteSwap(Vector256<uint> words) => Vector256.Shuffle(
        words.AsByte(),
        Vector256.Create((byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20, 27, 26, 25, 24, 31, 30, 29, 28)).AsUInt32();

    /// <summary>Transposes an 8 × 8 matrix of 32-bit words held one row per vector (AVX2 unpacks and 128-bit permutes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(Span<Vector256<uint>> rows)
    {
        // Row 7 first: its bounds check covers the rest.
        var t6 = Avx2.UnpackLow(rows[6], rows[7]);
        var t7 = Avx2.UnpackHigh(rows[6], rows[7]);
        var t0 = Avx2.UnpackLow(rows[0], rows[1]);
        var t1 = Avx2.UnpackHigh(rows[0], rows[1]);
        var t2 = Avx2.UnpackLow(rows[2], rows[3]);
        var t3 = Avx2.UnpackHigh(rows[2], rows[3]);
        var t4 = Avx2.UnpackLow(rows[4], rows[5]);
        var t5 = Avx2.UnpackHigh(rows[4], rows[5]);
        var u0 = Avx2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        var u1 = Avx2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        var u2 = Avx2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        var u3 = Avx2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        var u4 = Avx2.UnpackLow(t4.AsUInt64(), t6.AsUInt64()).AsUInt32();
        var u5 = Avx2.UnpackHigh(t4.AsUInt64(), t6.AsUInt64()).AsUInt32();
        var u6 = Avx2.UnpackLow(t5.AsUInt64(), t7.AsUInt64()).AsUInt32();
        var u7 = Avx2.UnpackHigh(t5.AsUInt64(), t7.AsUInt64()).AsUInt32();
        rows[0] = Avx2.Permute2x128(u0, u4, 0x20);
        rows[1] = Avx2.Permute2x128(u1, u5, 0x20);
        rows[2] = Avx2.Permute2x128(u2, u6, 0x20);
        rows[3] = Avx2.Permute2x128(u3, u7, 0x20);
        rows[4] = Avx2.Permute2x128(u0, u4, 0x31);
        rows[5] = Avx2.Permute2x128(u1, u5, 0x31);
        rows[6] = Avx2.Permute2x128(u2, u6, 0x31);
        rows[7] = Avx2.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>One message's MAC by .NET's HMAC.</summary>
    private void Fallback(ReadOnlySpan<byte> message, Span<byte> mac)
    {
        _fallback.AppendData(message);
        _fallback.GetHashAndReset(mac);
    }

    /// <summary>The lanes path: long messages go to .NET's HMAC as they come, short ones wait for a full set of lanes.</summary>
    private void Compute<TLanes, TVector>(ReadOnlySpan<byte> messages, ReadOnlySpan<int> offsets, Span<byte> macs)
        where TLanes : ILanes<TVector>
        where TVector : struct
    {
        var count = offsets.Length - 1;
        Span<int> waiting = stackalloc int[TLanes.Count];
        Span<byte> scratch = stackalloc byte[64];
        var work = default(Workspace<TVector>);
        var queued = 0;
        try
        {
            for (var m = 0; m < count; m++)
            {
                var message = messages[offsets[m]..offsets[m + 1]];
                if (message.Length > MaxLaneMessage)
                {
                    Fallback(message, macs.Slice(m * 32, 32));
                    continue;
                }

                waiting[queued++] = m;
                if (queued == waiting.Length)
                {
                    ComputeLanes<TLanes, TVector>(messages, offsets, waiting, scratch, ref work, macs);
                    queued = 0;
                }
            }

            if (queued > 0)
            {
                ComputeLanes<TLanes, TVector>(messages, offsets, waiting[..queued], scratch, ref work, macs);
            }
        }
        finally
        {
            // These held message bytes (normalised identifiers) or words derived from them.
            scratch.Clear();
            work = default;
        }
    }

    /// <summary>The MACs of up to <see cref="ILanes{TVector}.Count"/> one-block messages, one per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeLanes<TLanes, TVector>(
        ReadOnlySpan<byte> messages, ReadOnlySpan<int> offsets, ReadOnlySpan<int> which, Span<byte> scratch, ref Workspace<TVector> work, Span<byte> macs)
        where TLanes : ILanes<TVector>
        where TVector : struct
    {
        // With eight messages or fewer, lanes 8-15 hash whatever the last set left there, and are not read.
        InnerColumns(messages, offsets, which[..Math.Min(8, which.Length)], scratch, ref work.Lower);
        if (which.Length > 8)
        {
            InnerColumns(messages, offsets, which[8..], scratch, ref work.Upper);
        }

        ref var w = ref work.Schedule;
        ref var state = ref work.State;
        for (var i = 0; i < 16; i++)
        {
            w[i] = TLanes.Join(work.Lower[i], work.Upper[i]);
        }

        for (var i = 0; i < 8; i++)
        {
            state[i] = TLanes.Broadcast(_inner[i]);
        }

        Compress<TLanes, TVector>(ref state, ref w);

        // The outer block is the inner digest (already as big-endian words), then the padding for 64 + 32 bytes.
        for (var i = 0; i < 8; i++)
        {
            w[i] = state[i];
            state[i] = TLanes.Broadcast(_outer[i]);
        }

        w[8] = TLanes.Broadcast(0x80000000u);
        for (var i = 9; i < 15; i++)
        {
            w[i] = default;
        }

        w[15] = TLanes.Broadcast((64 + 32) * 8);
        Compress<TLanes, TVector>(ref state, ref w);

        // The inner blocks' columns are spent: each eight lanes' digest words are turned into MACs in their place.
        var digest = work.Lower[..8];
        for (var half = 0; half * 8 < which.Length; half++)
        {
            for (var i = 0; i < 8; i++)
            {
                digest[i] = TLanes.Half(state[i], half);
            }

            WriteMacs(digest, which[(half * 8)..Math.Min(which.Length, (half * 8) + 8)], macs);
        }
    }

    /// <summary>The vector operations SHA-256 needs, for one width of lanes.</summary>
    private interface ILanes<TVector>
        where TVector : struct
    {
        /// <summary>Messages side by side.</summary>
        static abstract int Count { get; }

        /// <summary>The same word in every lane.</summary>
        static abstract TVector Broadcast(uint value);

        /// <summary>A vector of lanes 0–7 from <paramref name="low"/> and lanes 8–15 from <paramref name="high"/> (which 8 lanes ignore).</summary>
        static abstract TVector Join(Vector256<uint> low, Vector256<uint> high);

        /// <summary>Lanes 0–7 (<paramref name="half"/> 0) or 8–15 (1).</summary>
        static abstract Vector256<uint> Half(TVector value, int half);

        /// <summary>Lane-wise addition modulo 2^32.</summary>
        static abstract TVector Add(TVector x, TVector y);

        /// <summary>Σ0: ROTR 2 ⊕ ROTR 13 ⊕ ROTR 22.</summary>
        static abstract TVector BigSigma0(TVector x);

        /// <summary>Σ1: ROTR 6 ⊕ ROTR 11 ⊕ ROTR 25.</summary>
        static abstract TVector BigSigma1(TVector x);

        /// <summary>σ0: ROTR 7 ⊕ ROTR 18 ⊕ SHR 3.</summary>
        static abstract TVector SmallSigma0(TVector x);

        /// <summary>σ1: ROTR 17 ⊕ ROTR 19 ⊕ SHR 10.</summary>
        static abstract TVector SmallSigma1(TVector x);

        /// <summary>Ch: each bit from <paramref name="y"/> where <paramref name="x"/> has a one, else from <paramref name="z"/>.</summary>
        static abstract TVector Choose(TVector x, TVector y, TVector z);

        /// <summary>Maj: each bit as most of the three have it.</summary>
        static abstract TVector Majority(TVector x, TVector y, TVector z);
    }

    /// <summary>Eight lanes in 256-bit vectors (AVX2; AVX-512VL's rotates and three-way logic where present).</summary>
    private readonly struct Lanes256 : ILanes<Vector256<uint>>
    {
        public static int Count => 8;

        public static Vector256<uint> Broadcast(uint value) => Vector256.Create(value);

        public static Vector256<uint> Join(Vector256<uint> low, Vector256<uint> high) => low;

        public static Vector256<uint> Half(Vector256<uint> value, int half) => value;

        public static Vector256<uint> Add(Vector256<uint> x, Vector256<uint> y) => x + y;

        public static Vector256<uint> BigSigma0(Vector256<uint> x) => Xor(Rotate(x, 2), Rotate(x, 13), Rotate(x, 22));

        public static Vector256<uint> BigSigma1(Vector256<uint> x) => Xor(Rotate(x, 6), Rotate(x, 11), Rotate(x, 25));

        public static Vector256<uint> SmallSigma0(Vector256<uint> x) => Xor(Rotate(x, 7), Rotate(x, 18), Vector256.ShiftRightLogical(x, 3));

        public static Vector256<uint> SmallSigma1(Vector256<uint> x) => Xor(Rotate(x, 17), Rotate(x, 19), Vector256.ShiftRightLogical(x, 10));

        public static Vector256<uint> Choose(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(x, y, z, 0xCA) : Vector256.ConditionalSelect(x, y, z);

        public static Vector256<uint> Majority(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(x, y, z, 0xE8) : Vector256.ConditionalSelect(x ^ y, z, x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<uint> Rotate(Vector256<uint> x, [ConstantExpected] byte n) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, n) : Vector256.ShiftRightLogical(x, n) | Vector256.ShiftLeft(x, 32 - n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<uint> Xor(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(x, y, z, 0x96) : x ^ y ^ z;
    }

    /// <summary>Sixteen lanes in 512-bit vectors (AVX-512F: rotates and three-way logic in one instruction each).</summary>
    private readonly struct Lanes512 : ILanes<Vector512<uint>>
    {
        public static int Count => 16;

        public static Vector512<uint> Broadcast(uint value) => Vector512.Create(value);

        public static Vector512<uint> Join(Vector256<uint> low, Vector256<uint> high) => low.ToVector512Unsafe().WithUpper(high);

        public static Vector256<uint> Half(Vector512<uint> value, int half) => half == 0 ? value.GetLower() : value.GetUpper();

        public static Vector512<uint> Add(Vector512<uint> x, Vector512<uint> y) => x + y;

        public static Vector512<uint> BigSigma0(Vector512<uint> x) => Xor(Avx512F.RotateRight(x, 2), Avx512F.RotateRight(x, 13), Avx512F.RotateRight(x, 22));

        public static Vector512<uint> BigSigma1(Vector512<uint> x) => Xor(Avx512F.RotateRight(x, 6), Avx512F.RotateRight(x, 11), Avx512F.RotateRight(x, 25));

        public static Vector512<uint> SmallSigma0(Vector512<uint> x) => Xor(Avx512F.RotateRight(x, 7), Avx512F.RotateRight(x, 18), Vector512.ShiftRightLogical(x, 3));

        public static Vector512<uint> SmallSigma1(Vector512<uint> x) => Xor(Avx512F.RotateRight(x, 17), Avx512F.RotateRight(x, 19), Vector512.ShiftRightLogical(x, 10));

        public static Vector512<uint> Choose(Vector512<uint> x, Vector512<uint> y, Vector512<uint> z) => Avx512F.TernaryLogic(x, y, z, 0xCA);

        public static Vector512<uint> Majority(Vector512<uint> x, Vector512<uint> y, Vector512<uint> z) => Avx512F.TernaryLogic(x, y, z, 0xE8);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Xor(Vector512<uint> x, Vector512<uint> y, Vector512<uint> z) => Avx512F.TernaryLogic(x, y, z, 0x96);
    }

    /// <summary>What one call computes in, on its stack; it held message words, so the call clears it before returning.</summary>
    private struct Workspace<TVector>
        where TVector : struct
    {
        /// <summary>Lanes 0-7's inner blocks: one row per lane, then one column per word (<see cref="InnerColumns"/>).</summary>
        public Sixteen<Vector256<uint>> Lower;

        /// <summary>Lanes 8-15's inner blocks, likewise (16 lanes only).</summary>
        public Sixteen<Vector256<uint>> Upper;

        /// <summary>The block being compressed, one vector per message word.</summary>
        public Sixteen<TVector> Schedule;

        /// <summary>The hash state, one vector per state word.</summary>
        public Eight<TVector> State;
    }

    /// <summary>Sixteen values inline (a block's message words, one vector per word).</summary>
    [InlineArray(16)]
    private struct Sixteen<T>
    {
        private T _element;
    }

    /// <summary>Eight values inline (the hash state, one vector per state word).</summary>
    [InlineArray(8)]
    private struct Eight<T>
    {
        private T _element;
    }
}
