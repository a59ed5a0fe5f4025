using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using DataHub.Core.Audit;

namespace DataHub.Storage.Local;

/// <summary>
/// The audit trail as JSON Lines at "{root}/audit/audit-log.jsonl", one sealed event per line, plus
/// "{root}/audit/audit-head.json" naming the last event and anchors outside the audit folder (<see cref="LocalAuditAnchors"/>).
/// Appends are serialised across processes by a lock file, sealed under the audit key (<see cref="AuditSealer"/>), and
/// refused while the log's end is broken (or its anchors are gone); a torn last line is kept aside and sealed only by <see cref="RepairAsync"/>.
/// </summary>
public sealed class LocalAuditLog : IAuditLog
{
    private readonly string _root;
    private readonly string _logPath;
    private readonly string _headPath;
    private readonly string _lockPath;
    private readonly TimeProvider _time;
    private readonly AuditSealer _sealer;
    private readonly IAuditAnchorStore _anchors;

    /// <summary>Keeps the log under <paramref name="root"/>'s audit folder, sealed with the root's audit key and anchored in the root's anchors file.</summary>
    public LocalAuditLog(string root, TimeProvider time)
        : this(root, time, new LocalAuditKeyProvider(root), new LocalAuditAnchors(root))
    {
    }

    /// <summary>Keeps the log under <paramref name="root"/>'s audit folder with the given audit key and anchor store.</summary>
    public LocalAuditLog(string root, TimeProvider time, IAuditKeyProvider keys, IAuditAnchorStore anchors)
    {
        _root = Path.GetFullPath(root);
        var folder = Path.Combine(_root, "audit");
        _logPath = Path.Combine(folder, "audit-log.jsonl");
        _headPath = Path.Combine(folder, "audit-head.json");
        _lockPath = Path.Combine(_root, "locks", "audit.lock");
        _time = time;
        _sealer = new AuditSealer(keys);
        _anchors = anchors;
    }

    /// <summary>The JSON Lines file.</summary>
    public string LogPath => _logPath;

    /// <summary>The anchors this log records and checks.</summary>
    public IAuditAnchorStore Anchors => _anchors;

    /// <inheritdoc />
    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var held = await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false);
        var (tail, terminated) = await ReadTailAsync(cancellationToken).ConfigureAwait(false);
        var sealedEvents = await _sealer.SealAsync(entry, tail, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return await WriteAsync(sealedEvents, terminated, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        using var held = await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false);
        var (tail, _) = await ReadTailAsync(cancellationToken).ConfigureAwait(false);
        await _sealer.CheckSealableAsync(tail, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks the log's end only, not the audit key: for `key init`, which checks the end before it creates the key its event is sealed under.</summary>
    /// <exception cref="AuditChainBrokenException">The end cannot be chained to: the message says why and what to run.</exception>
    public async Task CheckEndAsync(CancellationToken cancellationToken)
    {
        using var held = await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false);
        var (tail, _) = await ReadTailAsync(cancellationToken).ConfigureAwait(false);
        await _sealer.CheckAsync(tail, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the log's last event is sealed under an audit key (so it needs that key, and no other, to be checked).</summary>
    /// <exception cref="AuditChainBrokenException">The last line is torn or unreadable.</exception>
    public async Task<bool> HoldsKeyedEventsAsync(CancellationToken cancellationToken)
    {
        using var held = await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false);
        return JsonLinesFile.Last(_logPath) is { } line && Parse(line, refuse: true).IsKeyed;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The length is taken under the lock, when no append is half-way: every line before it is complete, or torn by a crash.
        long length;
        using (await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false))
        {
            length = JsonLinesFile.Length(_logPath);
        }

        foreach (var line in JsonLinesFile.Read(_logPath, length))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Parse(line);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unreadable);
        long length;
        using (await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false))
        {
            length = JsonLinesFile.Length(_logPath);
        }

        long after = 0;
        foreach (var line in JsonLinesFile.Read(_logPath, length))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryParse(line.Bytes) is { } e)
            {
                after = e.Sequence;
                yield return e;
            }
            else
            {
                unreadable(after);
            }
        }
    }

    /// <inheritdoc />
    public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => Task.FromResult(ReadHead());

    /// <summary>
    /// Seals a loss at the log's end that verification found (<see cref="AuditVerification.EndLoss"/>): a torn last line is
    /// moved, byte for byte, to "audit/torn/", the log is cut back to the last event that verifies, and an
    /// <see cref="AuditKinds.AuditRepaired"/> event numbered after the lost events records what was lost and where the bytes
    /// went. Returns that event.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log's end changed since it was verified: verify again.</exception>
    public async Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loss);
        using var held = await FileLock.AcquireAsync(_lockPath, cancellationToken).ConfigureAwait(false);
        var last = JsonLinesFile.Last(_logPath);
        var good = last;
        if (loss.Torn)
        {
            good = last is null ? null : JsonLinesFile.Last(_logPath, last.Start);
        }

        var goodEvent = good is null ? null : AuditChain.FromJsonLine(good.Bytes);
        if ((goodEvent?.Sequence ?? 0) != loss.LastGood.Sequence || !string.Equals(goodEvent?.Hash ?? AuditChain.Genesis, loss.LastGood.Hash, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The audit log's end changed since it was verified; run `datahub audit verify` again.");
        }

        // Sealing the end while the anchors are gone would start fresh anchors and hide their loss: only a repair recording it goes on.
        if (loss.AnchorsLostFrom is null && await AuditAnchoring.AnchorsGoneAsync(_anchors, await _anchors.LatestAsync(cancellationToken).ConfigureAwait(false), () => ReadableEvents().ToAsyncEnumerable(), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"The anchors ({_anchors.Name}) are gone as well; run `datahub audit verify` again, then `datahub audit repair --accept-loss` to record their loss too.");
        }

        string? keptAt = null;
        string? tornSha = null;
        long tornBytes = 0;
        if (loss.Torn && last is not null)
        {
            var cut = good?.End ?? 0;
            var torn = await ReadRangeAsync(cut, cancellationToken).ConfigureAwait(false);
            var name = $"{_time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-after-event-{loss.LastGood.Sequence}.jsonl";
            keptAt = "audit/torn/" + name;
            Directory.CreateDirectory(Path.Combine(_root, "audit", "torn"));
            await using (var aside = new FileStream(Path.Combine(_root, "audit", "torn", name), FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await aside.WriteAsync(torn, cancellationToken).ConfigureAwait(false);
                aside.Flush(flushToDisk: true);
            }

            tornSha = Convert.ToHexStringLower(SHA256.HashData(torn));
            tornBytes = torn.Length;
            await using (var log = new FileStream(_logPath, FileMode.Open, FileAccess.Write, FileShare.Read))
            {
                log.SetLength(cut);
                log.Flush(flushToDisk: true);
            }
        }

        var repaired = await _sealer.SealRepairsAsync(loss, keptAt, tornSha, tornBytes, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return await WriteAsync(repaired, terminated: good is null || good.Terminated, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AuditEvent> WriteAsync(IReadOnlyList<AuditEvent> sealedEvents, bool terminated, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_logPath)!);
        using var bytes = new MemoryStream();
        if (!terminated)
        {
            // The last event's line was written whole but its line feed was not: close it rather than run two events together.
            bytes.WriteByte((byte)'\n');
        }

        foreach (var e in sealedEvents)
        {
            bytes.Write(AuditChain.ToJsonLine(e));
            bytes.WriteByte((byte)'\n');
        }

        // One write of whole lines, so a crash leaves at most one torn line at the end.
        await using (var stream = new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            await stream.WriteAsync(bytes.GetBuffer().AsMemory(0, (int)bytes.Length), cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        var last = sealedEvents[^1];
        var temp = _headPath + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(new AuditHead(last.Sequence, last.Hash), StorageJson.Default.AuditHead), cancellationToken).ConfigureAwait(false);
        File.Move(temp, _headPath, overwrite: true);
        if (sealedEvents.Any(e => AuditAnchoring.EndsStep(e.Entry.Kind)))
        {
            await _anchors.RecordAsync(last, cancellationToken).ConfigureAwait(false);
        }

        return last;
    }

    /// <summary>The log's last event (refusing a torn or unreadable one), its head and latest anchor, and whether the last line is closed.</summary>
    private async Task<(AuditTail Tail, bool Terminated)> ReadTailAsync(CancellationToken cancellationToken)
    {
        var line = JsonLinesFile.Last(_logPath);
        var last = line is null ? null : Parse(line, refuse: true);
        var anchor = await _anchors.LatestAsync(cancellationToken).ConfigureAwait(false);
        var anchorsGone = await AuditAnchoring.AnchorsGoneAsync(_anchors, anchor, () => ReadableEvents().ToAsyncEnumerable(), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return (new AuditTail(last, ReadHead(), anchor) { AnchorsGoneFrom = anchorsGone ? _anchors.Name : null }, line is null || line.Terminated);
    }

    // Every event that reads, under the lock already held; a line that does not is for `audit verify` to report.
    private IEnumerable<AuditEvent> ReadableEvents()
    {
        foreach (var line in JsonLinesFile.Read(_logPath, JsonLinesFile.Length(_logPath)))
        {
            if (TryParse(line.Bytes) is { } e)
            {
                yield return e;
            }
        }
    }

    private static AuditEvent? TryParse(byte[] line)
    {
        try
        {
            return AuditChain.FromJsonLine(line);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private AuditEvent Parse(StoredLine line, bool refuse = false)
    {
        try
        {
            return AuditChain.FromJsonLine(line.Bytes);
        }
        catch (FormatException ex)
        {
            // Incomplete JSON with no line feed after it can only be the end of a write that was cut off.
            var torn = !line.Terminated && ex is AuditEventFormatException { NotJson: true };
            if (refuse)
            {
                throw torn
                    ? new AuditChainBrokenException("The audit log's last line is torn: a write was cut off (a crash or a full disk).", AuditChainBrokenException.RepairAdvice)
                    : new AuditChainBrokenException($"The audit log's last line cannot be read: {ex.Message}", AuditChainBrokenException.RestoreAdvice);
            }

            throw new AuditLineException(torn ? "The log's last line is torn: a write was cut off." : ex.Message, torn, ex);
        }
    }

    private AuditHead? ReadHead()
    {
        if (!File.Exists(_headPath))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(_headPath), StorageJson.Default.AuditHead);
        }
        catch (JsonException)
        {
            // The head is only ever replaced whole; an unreadable one counts as absent, and the anchors still stand.
            return null;
        }
    }

    private async Task<byte[]> ReadRangeAsync(long from, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[stream.Length - from];
        stream.Position = from;
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }
}
