namespace DataHub.Core.Parsing;

/// <summary>
/// A workbook's bytes passed through as they are, keeping what a read or write of them threw: that is the storage's
/// failure (a blob read failing past the client's retries, a dropped connection, a full scratch disk), never the workbook's,
/// whatever the workbook reader makes of it.
/// </summary>
/// <remarks>Seeks are not watched: a corrupt workbook can ask for a position no stream has, and that is its own fault.</remarks>
internal sealed class WatchedReads(Stream inner, bool leaveOpen) : Stream
{
    /// <summary>What the first failed read or write of the underlying stream threw; null while none has failed.</summary>
    public Exception? Failure { get; private set; }

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (Exception ex) when (Remember(ex))
        {
            throw;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception ex) when (Remember(ex))
        {
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Remember(ex))
        {
            throw;
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        try
        {
            inner.Write(buffer, offset, count);
        }
        catch (Exception ex) when (Remember(ex))
        {
            throw;
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => inner.SetLength(value);

    public override void Flush()
    {
        try
        {
            inner.Flush();
        }
        catch (Exception ex) when (Remember(ex))
        {
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    // The first failure is kept, and the exception goes on as it is (the filter never catches it).
    private bool Remember(Exception ex)
    {
        Failure ??= ex;
        return false;
    }
}
