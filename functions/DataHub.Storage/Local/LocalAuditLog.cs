using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using DataHub.Core.Audit;

namespace DataHub.Storage.Local;

/// <summary>
/// The audit trail as JSON Lines at "{root}/audit/audit-log.jsonl", one chained event per line, plus
/// "{root}/audit/audit-head.json" naming the last event so truncation is detected. Appends are serialised across
/// processes by a lock file. A process killed mid-append is repaired after (<see cref="RepairAsync"/>, and before every
/// append): a last line cut short was never recorded (the head does not name it) and is cut off; an event written whole
/// whose head update was lost gets its head.
/// </summary>
public sealed class LocalAuditLog : IAuditLog
{
    private readonly string _logPath;
    private readonly string _headPath;
    private readonly string _lockPath;
    private readonly TimeProvider _time;

    /// <summary>Keeps the log under <paramref name="root"/>'s audit folder.</summary>
    public LocalAuditLog(string root, TimeProvider time)
    {
        var folder = Path.Combine(Path.GetFullPath(root), "audit");
        Directory.CreateDirectory(folder);
        _logPath = Path.Combine(folder, "audit-log.jsonl");
        _headPath = Path.Combine(folder, "audit-head.json");
        _lockPath = Path.Combine(Path.GetFullPath(root), "locks", "audit.lock");
        _time = time;
    }

    /// <summary>The JSON Lines file.</summary>
    public string LogPath => _logPath;

    /// <inheritdoc />
    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        using var held = await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false);
        RepairTail();
        var previous = ReadLast();
        var sealedEvent = AuditChain.Seal(entry, previous, _time.GetUtcNow());
        var line = AuditChain.ToJsonLine(sealedEvent);
        await using (var stream = new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            stream.WriteByte((byte)'\n');
            stream.Flush(flushToDisk: true);
        }

        WriteHead(sealedEvent);
        return sealedEvent;
    }

    /// <summary>Repairs what a process killed mid-append left (see the class summary); true when something was repaired.</summary>
    public async Task<bool> RepairAsync(CancellationToken cancellationToken)
    {
        using var held = await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false);
        return RepairTail();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(_logPath))
        {
            yield break;
        }

        using var reader = new StreamReader(new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
            {
                yield return AuditChain.FromJsonLine(Encoding.UTF8.GetBytes(line));
            }
        }
    }

    /// <inheritdoc />
    public async Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_headPath))
        {
            return null;
        }

        await using var stream = File.OpenRead(_headPath);
        return await JsonSerializer.DeserializeAsync<AuditHead>(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private void WriteHead(AuditEvent last)
    {
        var temp = TemporaryFiles.PathBeside(_headPath);
        File.WriteAllText(temp, JsonSerializer.Serialize(new AuditHead(last.Sequence, last.Hash)));
        File.Move(temp, _headPath, overwrite: true);
    }

    // Under the lock: cuts off a torn last line, or ends it when it was written whole; then catches the head up by the one
    // event an interrupted append may have left it behind. Anything else (a head ahead of the log) is left for verify to report.
    private bool RepairTail()
    {
        if (!File.Exists(_logPath))
        {
            return false;
        }

        var repaired = false;
        using (var stream = new FileStream(_logPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            var length = stream.Length;
            stream.Position = Math.Max(0, length - 1);
            if (length > 0 && stream.ReadByte() != '\n')
            {
                var start = StartOfLastLine(stream, length);
                var fragment = new byte[length - start];
                stream.Position = start;
                stream.ReadExactly(fragment);
                if (IsWhole(fragment))
                {
                    stream.Position = length;
                    stream.WriteByte((byte)'\n');
                }
                else
                {
                    stream.SetLength(start);
                }

                stream.Flush(flushToDisk: true);
                repaired = true;
            }
        }

        var last = ReadLast();
        var head = File.Exists(_headPath) ? JsonSerializer.Deserialize<AuditHead>(File.ReadAllText(_headPath)) : null;
        if (last is not null && (head is null || (head.Sequence == last.Sequence - 1 && string.Equals(head.Hash, last.PreviousHash, StringComparison.Ordinal))))
        {
            WriteHead(last);
            repaired = true;
        }

        return repaired;
    }

    private static long StartOfLastLine(FileStream stream, long end)
    {
        var buffer = new byte[4096];
        var position = end;
        while (position > 0)
        {
            var start = Math.Max(0, position - buffer.Length);
            var count = (int)(position - start);
            stream.Position = start;
            stream.ReadExactly(buffer, 0, count);
            var newline = Array.LastIndexOf(buffer, (byte)'\n', count - 1, count);
            if (newline >= 0)
            {
                return start + newline + 1;
            }

            position = start;
        }

        return 0;
    }

    private static bool IsWhole(byte[] line)
    {
        try
        {
            var e = AuditChain.FromJsonLine(line);
            return string.Equals(e.Hash, AuditChain.ComputeHash(e), StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The last event, read from the end of the file so appends stay fast however long the log grows.</summary>
    private AuditEvent? ReadLast()
    {
        if (!File.Exists(_logPath))
        {
            return null;
        }

        using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var end = stream.Length;
        while (end > 0)
        {
            stream.Position = end - 1;
            if (stream.ReadByte() != '\n')
            {
                break;
            }

            end--;
        }

        if (end == 0)
        {
            return null;
        }

        var chunk = 4096;
        while (true)
        {
            var start = Math.Max(0, end - chunk);
            var buffer = new byte[end - start];
            stream.Position = start;
            stream.ReadExactly(buffer);
            var newline = Array.LastIndexOf(buffer, (byte)'\n');
            if (newline >= 0 || start == 0)
            {
                return AuditChain.FromJsonLine(buffer.AsSpan(newline + 1));
            }

            chunk *= 2;
        }
    }
}
