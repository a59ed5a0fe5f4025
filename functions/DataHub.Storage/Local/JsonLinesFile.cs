namespace DataHub.Storage.Local;

/// <summary>A line of a JSON Lines file as stored: where it starts and ends, its bytes, and whether a line feed closed it.</summary>
/// <param name="Start">Offset of its first byte.</param>
/// <param name="End">Offset just past it, including its line feed.</param>
/// <param name="Bytes">Its bytes, without the line feed.</param>
/// <param name="Terminated">True when a line feed closed it (the last line of a file cut off mid-write has none).</param>
internal sealed record StoredLine(long Start, long End, byte[] Bytes, bool Terminated);

/// <summary>Reads a JSON Lines file a line at a time as bytes, from the start or from the end, without loading the file.</summary>
internal static class JsonLinesFile
{
    private const byte LineFeed = (byte)'\n';

    /// <summary>Every non-empty line in the first <paramref name="length"/> bytes of the file, in order.</summary>
    public static IEnumerable<StoredLine> Read(string path, long length)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        using var stream = Open(path);
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream();
        long position = 0;
        long lineStart = 0;
        while (position < length)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, length - position));
            if (read == 0)
            {
                break;
            }

            var from = 0;
            while (from < read)
            {
                var feed = Array.IndexOf(buffer, LineFeed, from, read - from);
                if (feed < 0)
                {
                    pending.Write(buffer, from, read - from);
                    break;
                }

                pending.Write(buffer, from, feed - from);
                var end = position + feed + 1;
                if (pending.Length > 0)
                {
                    yield return new StoredLine(lineStart, end, pending.ToArray(), Terminated: true);
                }

                pending.SetLength(0);
                lineStart = end;
                from = feed + 1;
            }

            position += read;
        }

        if (pending.Length > 0)
        {
            yield return new StoredLine(lineStart, position, pending.ToArray(), Terminated: false);
        }
    }

    /// <summary>The last non-empty line ending at or before <paramref name="before"/> (the file's end when null), or null when there is none.</summary>
    public static StoredLine? Last(string path, long? before = null)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = Open(path);
        var end = Math.Min(before ?? stream.Length, stream.Length);
        var terminated = false;
        while (end > 0)
        {
            stream.Position = end - 1;
            if (stream.ReadByte() != LineFeed)
            {
                break;
            }

            terminated = true;
            end--;
        }

        if (end == 0)
        {
            return null;
        }

        var after = terminated ? end + 1 : end;
        for (var chunk = 4096L; ; chunk *= 2)
        {
            var start = Math.Max(0, end - chunk);
            var bytes = new byte[end - start];
            stream.Position = start;
            stream.ReadExactly(bytes);
            var feed = Array.LastIndexOf(bytes, LineFeed);
            if (feed >= 0 || start == 0)
            {
                return new StoredLine(start + feed + 1, after, bytes[(feed + 1)..], terminated);
            }
        }
    }

    /// <summary>The file's current length (0 when it does not exist).</summary>
    public static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
}
