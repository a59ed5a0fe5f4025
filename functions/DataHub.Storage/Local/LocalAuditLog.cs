using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using DataHub.Core.Audit;

namespace DataHub.Storage.Local;

/// <summary>
/// The audit trail as JSON Lines at "{root}/audit/audit-log.jsonl", one chained event per line, plus
/// "{root}/audit/audit-head.json" naming the last event so truncation is detected. Appends are serialised across
/// processes by a lock file.
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
        var previous = ReadLast();
        var sealedEvent = AuditChain.Seal(entry, previous, _time.GetUtcNow());
        var line = AuditChain.ToJsonLine(sealedEvent);
        await using (var stream = new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            stream.WriteByte((byte)'\n');
            stream.Flush(flushToDisk: true);
        }

        var temp = _headPath + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(new AuditHead(sealedEvent.Sequence, sealedEvent.Hash)), cancellationToken).ConfigureAwait(false);
        File.Move(temp, _headPath, overwrite: true);
        return sealedEvent;
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
