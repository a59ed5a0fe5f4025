using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DataHub.Storage.Local;

/// <summary>
/// A file being written, passed through, that asks the kernel to start writing its new pages to disk every few MB while
/// the writer goes on, so that the fsync at commit waits only for the last of them.
/// </summary>
/// <remarks>
/// Without it a large file's pages all stay in the page cache until its commit (the kernel's own writeback waits 30 s or
/// for gigabytes of dirty pages), and the commit's fsync then writes the whole file while the ingest waits: at 5M rows
/// about 0.5 s for the marts' quarter files and 0.2 s for the raw archive's copy. Linux only (`sync_file_range`, which
/// starts the writes and does not wait for them); elsewhere the file is written as it would be without it. Durability is
/// unchanged: the commit still fsyncs.
/// </remarks>
internal sealed class EarlyWriteback(FileStream file, SafeFileHandle handle) : Stream
{
    // Often enough that little is left for the commit, seldom enough that the calls cost nothing measurable.
    internal const long Interval = 8 << 20;

    private const uint StartWrites = 2; // SYNC_FILE_RANGE_WRITE

    private long _written;
    private long _asked;

    /// <summary>How many times writeback has been asked for.</summary>
    internal int Requests { get; private set; }

    /// <summary>Whether this platform can start writeback early; where it cannot, the file stream is used as it is.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    public override bool CanRead => false;

    public override bool CanSeek => file.CanSeek;

    public override bool CanWrite => file.CanWrite;

    public override long Length => file.Length;

    public override long Position { get => file.Position; set => file.Position = value; }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        file.Write(buffer);
        Wrote(buffer.Length);
    }

    public override void WriteByte(byte value)
    {
        file.WriteByte(value);
        Wrote(1);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Wrote(buffer.Length);
    }

    public override void Flush() => file.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

    public override void SetLength(long value) => file.SetLength(value);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await file.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Wrote(int count)
    {
        _written += count;
        if (_written - _asked < Interval)
        {
            return;
        }

        _asked = _written;
        Requests++;

        // The whole file: pages already written or on their way are skipped, and what the file stream still buffers is
        // not there yet (the next request, or the commit's fsync, takes it). A refusal only loses the head start; a C
        // library without the call ends the requests for this file, never the write.
        try
        {
            _ = NativeMethods.sync_file_range(handle, 0, 0, StartWrites);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _asked = long.MaxValue;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "sync_file_range")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);
    }
}
