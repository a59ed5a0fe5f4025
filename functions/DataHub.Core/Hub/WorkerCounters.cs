using System.Runtime.InteropServices;

namespace DataHub.Core.Hub;

/// <summary>Two numbers one pipeline worker writes on every row, with a cache line of padding on either side.</summary>
/// <remarks>
/// An ingest's workers run on different cores. A number one of them writes on every row, sharing a 64-byte cache line with
/// fields another core reads on every row, makes the two cores pass the line back and forth (false sharing); the reads
/// stall on it. Held here, as a field of the object that counts, the numbers have their line to themselves.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 3 * CacheLine)]
internal struct WorkerCounters
{
    private const int CacheLine = 64;

    /// <summary>The first number.</summary>
    [FieldOffset(CacheLine)]
    public long First;

    /// <summary>The second number.</summary>
    [FieldOffset(CacheLine + sizeof(long))]
    public long Second;
}
