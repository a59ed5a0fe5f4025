using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DataHub.Core.Storage;

namespace DataHub.Core.Validation;

/// <summary>
/// Finds rows that repeat an earlier row of the same file, by a 64-bit hash of their cells (never the text), in bounded
/// memory: at most <c>memoryEntries</c> hashes (default 1,048,576; 16 MB) are held in a table; when it fills they are
/// spilled to a scratch file as a run, grouped in buckets, which keeps in memory only a filter (2 bytes per hash) and the
/// buckets' offsets (8 KB per million hashes).
/// </summary>
/// <remarks>
/// A hash is looked up in the table, then in each run whose filter says it may be there: one positioned read of one
/// bucket of about 4 KB. Memory therefore grows by about 2 bytes per row beyond the first million (8 MB at 5M rows: four spilled runs) and the
/// scratch files by 8. With <see cref="InMemoryScratchSpace"/> the runs stay in memory (8 bytes per row).
/// What reaches a scratch file is each hash encrypted as one AES block (the platform's, System.Security.Cryptography)
/// under a random key of this instance's own and cut to 64 bits, so it cannot be traced back to a row, even by someone
/// who knows some of the file's rows, without a key that never leaves memory. The table and the filters, which stay in
/// memory with the key, hold the hashes themselves: a spill encrypts its run in one call, and a row is encrypted only
/// when a run's filter says it may be there, so the cipher costs nothing per row. One instance serves one thread.
/// </remarks>
public sealed class DuplicateRows : IDisposable
{
    /// <summary>Hashes kept in the table before a run is spilled.</summary>
    public const int DefaultMemoryEntries = 1 << 20;

    // Hashes encrypted per call into the cipher when a run is spilled (64 KB of blocks).
    private const int SpillBlocks = 4096;

    private readonly IScratchSpace _scratch;
    private readonly Aes _cipher = Aes.Create();
    private readonly byte[] _blocks = new byte[SpillBlocks * 16];
    private readonly int _memoryEntries;
    private readonly int _maxSlots;
    private readonly List<SpilledRun> _runs = [];
    private ulong[] _table = new ulong[1024];
    private int _count;

    /// <summary>Spills to <paramref name="scratch"/> (in memory when null) once <paramref name="memoryEntries"/> hashes are held.</summary>
    public DuplicateRows(IScratchSpace? scratch = null, int memoryEntries = DefaultMemoryEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryEntries, 16);
        // Twice as many slots as entries must fit an array's length.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memoryEntries, 1 << 28);
        _scratch = scratch ?? new InMemoryScratchSpace();
        _cipher.Key = RandomNumberGenerator.GetBytes(16);
        _cipher.Mode = CipherMode.ECB;
        _cipher.Padding = PaddingMode.None;
        _memoryEntries = memoryEntries;
        _maxSlots = (int)BitOperations.RoundUpToPowerOf2((uint)memoryEntries * 2);
    }

    /// <summary>The number of distinct rows seen.</summary>
    public long Distinct { get; private set; }

    /// <summary>Hashes held in the table now (never more than the limit).</summary>
    public int InMemory => _count;

    /// <summary>Runs spilled to scratch files so far.</summary>
    public int Runs => _runs.Count;

    /// <summary>
    /// Asks the processor to fetch the table slot a later <see cref="IsRepeat"/> of <paramref name="hash"/> starts at, and each
    /// spilled run's filter line, so that they arrive while the caller parses the row (the table is 16 MB and each filter
    /// 2 MB: nearly every lookup misses the cache).
    /// </summary>
    /// <remarks>A prefetch instruction (SSE, in every x86-64 processor) does not wait for the memory, as a read would; it
    /// never faults, and it changes nothing but the cache. Elsewhere (Arm) it does nothing.</remarks>
    public unsafe void Prefetch(ulong hash)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            hash = Stored(hash);
            fixed (ulong* slot = &_table[SlotOf(hash)])
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(slot);
            }

            // Past the first spill every new row is looked up in each run's filter too: one more cache line a run.
            foreach (var run in _runs)
            {
                run.Prefetch(hash);
            }
        }
    }

    // A hash as the table holds it: zero marks an empty slot, so a hash of zero is held as one.
    private static ulong Stored(ulong hash) => hash == 0 ? 1 : hash;

    // The slot a stored hash's search starts at.
    private int SlotOf(ulong stored) => (int)stored & (_table.Length - 1);

    /// <summary>Records the row's hash; true when the same hash was recorded before (the row is a repeat).</summary>
    public bool IsRepeat(ulong hash)
    {
        hash = Stored(hash);
        var mask = _table.Length - 1;
        var slot = SlotOf(hash);
        for (; _table[slot] != 0; slot = (slot + 1) & mask)
        {
            if (_table[slot] == hash)
            {
                return true;
            }
        }

        foreach (var run in _runs)
        {
            if (run.Contains(hash))
            {
                return true;
            }
        }

        if (_count >= _memoryEntries)
        {
            Spill();
        }
        else if (_count * 2 >= _table.Length && _table.Length < _maxSlots)
        {
            Grow();
        }

        Insert(hash);
        Distinct++;
        return false;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var run in _runs)
        {
            run.Dispose();
        }

        _runs.Clear();
        _cipher.Dispose();
    }

    /// <summary>Replaces each hash by its AES block (a keyed pseudorandom permutation) cut to its first 64 bits.</summary>
    /// <remarks>Equal hashes must give equal values, as ECB does; many blocks go to the cipher in one call. The blocks are
    /// encrypted in place, so the buffer never keeps a hash after the call.</remarks>
    private void Key(Span<ulong> hashes)
    {
        var blocks = _blocks.AsSpan();
        for (var start = 0; start < hashes.Length; start += SpillBlocks)
        {
            var chunk = hashes.Slice(start, Math.Min(SpillBlocks, hashes.Length - start));
            var plain = blocks[..(chunk.Length * 16)];
            plain.Clear();
            for (var i = 0; i < chunk.Length; i++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(plain.Slice(i * 16, 8), chunk[i]);
            }

            _cipher.EncryptEcb(plain, plain, PaddingMode.None);
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i] = BinaryPrimitives.ReadUInt64LittleEndian(plain.Slice(i * 16, 8));
            }
        }
    }

    /// <summary>One hash keyed as <see cref="Key"/> does, for a lookup in a spilled run.</summary>
    private ulong Keyed(ulong hash)
    {
        Span<ulong> one = [hash];
        Key(one);
        return one[0];
    }

    private void Insert(ulong hash)
    {
        var mask = _table.Length - 1;
        var slot = SlotOf(hash);
        while (_table[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _table[slot] = hash;
        _count++;
    }

    private void Grow()
    {
        var old = _table;
        _table = new ulong[old.Length * 2];
        _count = 0;
        foreach (var hash in old)
        {
            if (hash != 0)
            {
                Insert(hash);
            }
        }
    }

    private void Spill()
    {
        // Gather the hashes at the front of the table; the table is at least twice their number, so its second half
        // takes the run as it is laid out for the file, and the spill needs no array of its own.
        var n = 0;
        for (var i = 0; i < _table.Length; i++)
        {
            if (_table[i] != 0)
            {
                _table[n++] = _table[i];
            }
        }

        // The filter is built from the hashes, the file and its buckets from their keyed values.
        var hashes = _table.AsSpan(0, n);
        var filter = new RunFilter(hashes);
        Key(hashes);
        _runs.Add(SpilledRun.Write(_scratch.CreateFile(), hashes, _table.AsSpan(n, n), filter, Keyed));
        Array.Clear(_table);
        _count = 0;
    }

    /// <summary>A blocked Bloom filter over one run's hashes, kept in memory (2 bytes per hash).</summary>
    private sealed class RunFilter
    {
        private const int BitsPerEntry = 16;
        private readonly ulong[] _bits;
        private readonly int _shift;

        public RunFilter(ReadOnlySpan<ulong> hashes)
        {
            // Filter blocks of 512 bits (one cache line): every probe of a hash lands in the same line.
            var lines = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, (long)hashes.Length * BitsPerEntry / 512));
            _bits = new ulong[lines * 8];
            _shift = 64 - BitOperations.Log2((uint)lines);
            foreach (var hash in hashes)
            {
                var line = Line(hash);
                var bits = Bits(hash);
                for (var k = 0; k < 7; k++, bits >>= 9)
                {
                    var bit = (int)(bits & 511);
                    _bits[line + (bit >> 6)] |= 1UL << bit;
                }
            }
        }

        /// <summary>Asks the processor to fetch the cache line <see cref="MayContain"/> of <paramref name="hash"/> reads (SSE only:
        /// the caller checks).</summary>
        public unsafe void Prefetch(ulong hash)
        {
            fixed (ulong* line = &_bits[Line(hash)])
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(line);
            }
        }

        public bool MayContain(ulong hash)
        {
            var line = Line(hash);
            var bits = Bits(hash);
            for (var k = 0; k < 7; k++, bits >>= 9)
            {
                var bit = (int)(bits & 511);
                if ((_bits[line + (bit >> 6)] & (1UL << bit)) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        private int Line(ulong hash) => (int)((hash * 0x9E3779B97F4A7C15UL) >> _shift) * 8;

        private static ulong Bits(ulong hash)
        {
            hash ^= hash >> 29;
            hash *= 0xBF58476D1CE4E5B9UL;
            return hash ^ (hash >> 32);
        }
    }

    /// <summary>One spilled run: keyed values in a scratch file, grouped in buckets by their top bits, with its filter and
    /// the buckets' offsets in memory.</summary>
    /// <remarks>Buckets of about 512 values (4 KB) each: a lookup reads the one bucket its value falls in. Grouping by the top
    /// bits takes a counting pass and a placing pass, where sorting the run cost the reading worker about a tenth of a
    /// second at every spill.</remarks>
    private sealed class SpilledRun : IDisposable
    {
        private const int BucketEntries = 512;

        private readonly Stream _file;
        private readonly int[] _bucketStart;
        private readonly int _shift;
        private readonly RunFilter _filter;
        private readonly Func<ulong, ulong> _keyed;
        private readonly ulong[] _bucket;

        private SpilledRun(Stream file, int[] bucketStart, int shift, int largestBucket, RunFilter filter, Func<ulong, ulong> keyed)
        {
            _file = file;
            _bucketStart = bucketStart;
            _shift = shift;
            _filter = filter;
            _keyed = keyed;
            _bucket = new ulong[largestBucket];
        }

        /// <summary>Writes the run of <paramref name="keyedValues"/>, laid out by bucket in <paramref name="layout"/> (as long);
        /// <paramref name="keyed"/> keys a hash to look it up.</summary>
        public static SpilledRun Write(Stream file, ReadOnlySpan<ulong> keyedValues, Span<ulong> layout, RunFilter filter, Func<ulong, ulong> keyed)
        {
            try
            {
                var buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, keyedValues.Length / BucketEntries));
                var shift = 64 - BitOperations.Log2((uint)buckets);
                var bucketStart = new int[buckets + 1];
                foreach (var value in keyedValues)
                {
                    bucketStart[BucketOf(value, shift) + 1]++;
                }

                var largest = 0;
                for (var b = 0; b < buckets; b++)
                {
                    largest = Math.Max(largest, bucketStart[b + 1]);
                    bucketStart[b + 1] += bucketStart[b];
                }

                var next = bucketStart[..buckets];
                foreach (var value in keyedValues)
                {
                    layout[next[BucketOf(value, shift)]++] = value;
                }

                file.Write(MemoryMarshal.AsBytes(layout));
                file.Flush();
                return new SpilledRun(file, bucketStart, shift, largest, filter, keyed);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        /// <summary>Asks the processor to fetch this run's filter line for <paramref name="hash"/>.</summary>
        public void Prefetch(ulong hash) => _filter.Prefetch(hash);

        public bool Contains(ulong hash)
        {
            if (!_filter.MayContain(hash))
            {
                return false;
            }

            // The filter says maybe: read the one bucket of the run the keyed value would be in.
            var value = _keyed(hash);
            var bucket = BucketOf(value, _shift);
            var start = _bucketStart[bucket];
            var entries = _bucketStart[bucket + 1] - start;
            var values = _bucket.AsSpan(0, entries);
            _file.Position = (long)start * sizeof(ulong);
            _file.ReadExactly(MemoryMarshal.AsBytes(values));
            return values.Contains(value);
        }

        public void Dispose() => _file.Dispose();

        // A run of one bucket has a shift of 64, which C# would take as 0.
        private static int BucketOf(ulong value, int shift) => shift == 64 ? 0 : (int)(value >> shift);
    }
}
