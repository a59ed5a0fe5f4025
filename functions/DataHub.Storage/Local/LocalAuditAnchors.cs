using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DataHub.Core.Audit;

namespace DataHub.Storage.Local;

/// <summary>
/// Audit anchors as JSON Lines at "{root}/anchors/audit-anchors.jsonl", outside the audit folder: one line per event that
/// can end a command (<see cref="AuditAnchoring.EndsStep"/>: a file archived or quarantined, a failure, a publication, a key made). Deleting or cutting the audit log leaves
/// them, so `audit verify` can see what is missing. The audit log appends here while it holds its own lock.
/// </summary>
public sealed class LocalAuditAnchors : IAuditAnchorStore
{
    private readonly string _path;

    /// <summary>Keeps the anchors under <paramref name="root"/>.</summary>
    public LocalAuditAnchors(string root) => _path = Path.Combine(Path.GetFullPath(root), "anchors", "audit-anchors.jsonl");

    /// <summary>The anchors file, relative to the root, as messages name it.</summary>
    public static string RelativePath => "anchors/audit-anchors.jsonl";

    /// <inheritdoc />
    public string Name => RelativePath;

    /// <inheritdoc />
    public async Task RecordAsync(AuditEvent sealedEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sealedEvent);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var line = JsonSerializer.SerializeToUtf8Bytes(new AuditAnchorRecord(sealedEvent.Sequence, sealedEvent.Hash, sealedEvent.Entry.Kind, sealedEvent.Time), StorageJson.Default.AuditAnchorRecord);

        // After a line cut off by a crash, start a new one rather than run two records together.
        byte[] opening = JsonLinesFile.Last(_path) is { Terminated: false } ? [(byte)'\n'] : [];
        await using var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        await stream.WriteAsync((byte[])[.. opening, .. line, (byte)'\n'], cancellationToken).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public Task<AuditAnchor?> LatestAsync(CancellationToken cancellationToken) =>
        Task.FromResult(JsonLinesFile.Last(_path) is { } line ? Parse(line.Bytes, "the latest line of " + RelativePath) : null);

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditAnchor> ReadAsync(Action<string> unreadable, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unreadable);
        var number = 0;
        foreach (var line in JsonLinesFile.Read(_path, JsonLinesFile.Length(_path)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            number++;
            var source = string.Create(CultureInfo.InvariantCulture, $"{RelativePath} line {number}");
            if (Parse(line.Bytes, source) is { } anchor)
            {
                yield return anchor;
            }
            else
            {
                unreadable(source);
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static AuditAnchor? Parse(byte[] line, string source)
    {
        try
        {
            return JsonSerializer.Deserialize(line, StorageJson.Default.AuditAnchorRecord) is { Hash: { } hash } r && AuditAnchor.CanName(r.Seq, hash) ? new AuditAnchor(r.Seq, hash, $"{source} ({r.Kind} event)") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
