namespace DataHub.Core.Parsing;

/// <summary>A forward-only file whose first bytes were read to sniff its encoding and format: reads give those bytes back
/// first, then the rest of the file, so the CSV reader sees the whole file though the stream cannot seek.</summary>
internal sealed class SniffedStream : Stream
{
    private readonly Stream rest;
    private readonly byte[] head;
    private int position;

    private SniffedStream(Stream rest, byte[] head)
    {
        this.rest = rest;
        this.head = head;
    }

    /// <summary>The first bytes of the file, as read (up to 4 KB: fewer only when the file is shorter).</summary>
    public ReadOnlySpan<byte> Head => head;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Reads the first bytes of <paramref name="content"/> for sniffing; <paramref name="content"/> is read on from there, never disposed.</summary>
    public static SniffedStream Open(Stream content)
    {
        var head = new byte[4096];
        var count = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return new SniffedStream(content, head[..count]);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (position < head.Length)
        {
            var n = Math.Min(buffer.Length, head.Length - position);
            head.AsSpan(position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        return rest.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        position < head.Length ? ValueTask.FromResult(Read(buffer.Span)) : rest.ReadAsync(buffer, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
