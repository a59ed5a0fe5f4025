using System.Buffers;

namespace DataHub.Core.Parsing;

/// <summary>Splits a byte stream into RFC 4180 records without decoding it: fields are byte ranges in a reused buffer.</summary>
/// <remarks>Works on bytes because both accepted encodings (UTF-8, Windows-1252) share ASCII's comma, quote, CR and LF.</remarks>
internal sealed class CsvRecordReader : IDisposable
{
    private const int InitialBufferBytes = 256 << 10;
    private readonly Stream stream;
    private readonly ReadLimits limits;
    private byte[] buffer;
    private int position;
    private int end;
    private bool endOfStream;
    private long nextLine = 1;
    private int[] starts = new int[32];
    private int[] lengths = new int[32];
    private bool[] escaped = new bool[32];

    public CsvRecordReader(Stream stream, ReadLimits limits)
    {
        this.stream = stream;
        this.limits = limits;
        buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferBytes, limits.MaxRowBytes));
    }

    /// <summary>The physical line the current record started on.</summary>
    public long Line { get; private set; }

    /// <summary>The number of fields in the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>True when a quoted field of the current record was not closed properly.</summary>
    public bool QuoteError { get; private set; }

    /// <summary>The limit the current record passed, if any; reading cannot continue past it.</summary>
    public CsvLimit Exceeded { get; private set; }

    /// <summary>True when the current record ran over <see cref="ReadLimits.MaxRowBytes"/>.</summary>
    public bool TooLong => Exceeded == CsvLimit.RecordLength;

    /// <summary>True when the current record is an empty line.</summary>
    public bool IsBlank => FieldCount == 1 && lengths[0] == 0 && !escaped[0] && !QuoteError;

    /// <summary>The bytes of field <paramref name="index"/> of the current record, unquoted and unescaped.</summary>
    public ReadOnlySpan<byte> Field(int index) => buffer.AsSpan(starts[index], lengths[index]);

    /// <summary>Where field <paramref name="index"/> starts, counted in bytes from the start of <see cref="RecordBytes"/>.</summary>
    public int FieldOffset(int index) => starts[index] - starts[0];

    /// <summary>All bytes of the current record's fields, from the first field's start to the last field's end.</summary>
    public ReadOnlySpan<byte> RecordBytes => FieldCount == 0 ? [] : buffer.AsSpan(starts[0], starts[FieldCount - 1] + lengths[FieldCount - 1] - starts[0]);

    /// <summary>Peeks at the first bytes of the stream (filling the buffer), for encoding and format sniffing.</summary>
    public ReadOnlySpan<byte> Peek()
    {
        while (end - position < 4096 && !endOfStream)
        {
            Fill(stream.Read(buffer, end, buffer.Length - end));
        }

        return buffer.AsSpan(position, end - position);
    }

    /// <summary>Skips bytes at the start (a byte order mark).</summary>
    public void Skip(int count) => position += count;

    /// <summary>Reads the next record synchronously; false at the end of the stream.</summary>
    public bool Read()
    {
        Outcome outcome;
        while ((outcome = TryParse()) == Outcome.NeedMore)
        {
            Fill(stream.Read(buffer, end, buffer.Length - end));
        }

        return Complete(outcome);
    }

    /// <summary>Reads the next record; false at the end of the stream.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        Outcome outcome;
        while ((outcome = TryParse()) == Outcome.NeedMore)
        {
            Fill(await stream.ReadAsync(buffer.AsMemory(end, buffer.Length - end), cancellationToken).ConfigureAwait(false));
        }

        return Complete(outcome);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = [];
    }

    private bool Complete(Outcome outcome)
    {
        Exceeded = outcome switch
        {
            Outcome.TooLong => CsvLimit.RecordLength,
            Outcome.TooWide => CsvLimit.Columns,
            Outcome.CellTooLarge => CsvLimit.CellSize,
            _ => CsvLimit.None,
        };
        if (Exceeded != CsvLimit.None)
        {
            // The record that broke the limit was never completed; name the line it starts on, not the last record's.
            Line = nextLine;
        }

        return outcome == Outcome.Record;
    }

    private void Fill(int read)
    {
        if (read == 0)
        {
            endOfStream = true;
        }

        end += read;
    }

    private enum Outcome
    {
        Record,
        NeedMore,
        End,
        TooLong,
        TooWide,
        CellTooLarge,
    }

    private Outcome TryParse()
    {
        if (position >= end)
        {
            if (endOfStream)
            {
                return Outcome.End;
            }

            return MakeRoom();
        }

        var data = buffer.AsSpan(0, end);
        var final = endOfStream;
        var i = position;
        var count = 0;
        var newlines = 0;
        var quoteError = false;
        while (true)
        {
            if (count == limits.MaxColumns)
            {
                return Outcome.TooWide;
            }

            if (count == starts.Length)
            {
                Array.Resize(ref starts, count * 2);
                Array.Resize(ref lengths, count * 2);
                Array.Resize(ref escaped, count * 2);
            }

            if (i < end && data[i] == (byte)'"')
            {
                var contentStart = i + 1;
                var j = contentStart;
                var hasEscapes = false;
                var closed = false;
                while (true)
                {
                    var k = data[j..].IndexOf((byte)'"');
                    if (k < 0)
                    {
                        break;
                    }

                    j += k;
                    if (j + 1 < end && data[j + 1] == (byte)'"')
                    {
                        hasEscapes = true;
                        j += 2;
                        continue;
                    }

                    if (j + 1 == end && !final)
                    {
                        break;
                    }

                    closed = true;
                    break;
                }

                if (!closed)
                {
                    if (!final)
                    {
                        return MakeRoom();
                    }

                    // An unclosed quote swallows the rest of the file: report it on the record's line.
                    quoteError = true;
                    newlines += data[contentStart..end].Count((byte)'\n');
                    Set(count++, contentStart, end - contentStart, hasEscapes);
                    i = end;
                    break;
                }

                newlines += data[contentStart..j].Count((byte)'\n');
                Set(count++, contentStart, j - contentStart, hasEscapes);
                i = j + 1;
                if (i < end && data[i] is not ((byte)',' or (byte)'\r' or (byte)'\n'))
                {
                    // Text after a closing quote: RFC 4180 forbids it; keep the row's shape by skipping to the next separator.
                    quoteError = true;
                    var skip = data[i..].IndexOfAny((byte)',', (byte)'\r', (byte)'\n');
                    if (skip < 0)
                    {
                        if (!final)
                        {
                            return MakeRoom();
                        }

                        i = end;
                    }
                    else
                    {
                        i += skip;
                    }
                }
            }
            else
            {
                var k = data[i..].IndexOfAny((byte)',', (byte)'\r', (byte)'\n');
                if (k < 0)
                {
                    if (!final)
                    {
                        return MakeRoom();
                    }

                    Set(count++, i, end - i, false);
                    i = end;
                    break;
                }

                Set(count++, i, k, false);
                i += k;
            }

            if (i >= end)
            {
                if (!final)
                {
                    return MakeRoom();
                }

                break;
            }

            if (data[i] == (byte)',')
            {
                i++;
                if (i == end && !final)
                {
                    return MakeRoom();
                }

                continue;
            }

            // A line break ends the record: CRLF, LF or a lone CR.
            if (data[i] == (byte)'\r')
            {
                if (i + 1 == end && !final)
                {
                    return MakeRoom();
                }

                i += i + 1 < end && data[i + 1] == (byte)'\n' ? 2 : 1;
            }
            else
            {
                i++;
            }

            break;
        }

        for (var f = 0; f < count; f++)
        {
            if (lengths[f] > limits.MaxCellChars)
            {
                return Outcome.CellTooLarge;
            }
        }

        FieldCount = count;
        QuoteError = quoteError;
        Line = nextLine;
        nextLine += 1 + newlines;
        position = i;
        Unescape();
        return Outcome.Record;
    }

    private void Set(int index, int start, int length, bool hasEscapes)
    {
        starts[index] = start;
        lengths[index] = length;
        escaped[index] = hasEscapes;
    }

    // Turns "" into " in place; safe because the record is complete and will not be parsed again.
    private void Unescape()
    {
        for (var f = 0; f < FieldCount; f++)
        {
            if (!escaped[f])
            {
                continue;
            }

            var span = buffer.AsSpan(starts[f], lengths[f]);
            var write = 0;
            for (var read = 0; read < span.Length; read++)
            {
                span[write++] = span[read];
                if (span[read] == (byte)'"' && read + 1 < span.Length && span[read + 1] == (byte)'"')
                {
                    read++;
                }
            }

            lengths[f] = write;
        }
    }

    // Moves the unread bytes to the front and grows the buffer when one record fills it.
    private Outcome MakeRoom()
    {
        if (position > 0)
        {
            buffer.AsSpan(position, end - position).CopyTo(buffer);
            end -= position;
            position = 0;
        }

        if (end == buffer.Length)
        {
            if (buffer.Length >= limits.MaxRowBytes)
            {
                return Outcome.TooLong;
            }

            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = larger;
        }

        return Outcome.NeedMore;
    }
}

/// <summary>Which of the reader's limits a CSV record passed.</summary>
internal enum CsvLimit
{
    /// <summary>None.</summary>
    None,

    /// <summary>The record is longer than <see cref="ReadLimits.MaxRowBytes"/> (often an unclosed quote).</summary>
    RecordLength,

    /// <summary>The record has more fields than <see cref="ReadLimits.MaxColumns"/>.</summary>
    Columns,

    /// <summary>A field is longer than <see cref="ReadLimits.MaxCellChars"/> bytes.</summary>
    CellSize,
}
