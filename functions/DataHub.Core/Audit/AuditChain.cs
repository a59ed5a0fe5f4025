using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace DataHub.Core.Audit;

/// <summary>
/// The hash chain every audit log keeps (local JSON Lines or Azure Table): each event's hash covers its canonical
/// JSON, which includes the previous event's hash, so an edit, deletion or reordering breaks the chain.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous hash of the first event.</summary>
    public static string Genesis { get; } = new('0', 64);

    /// <summary>Numbers, times and hashes an entry as the event after <paramref name="previous"/> (null for the first).</summary>
    public static AuditEvent Seal(AuditEntry entry, AuditEvent? previous, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var unsealed = new AuditEvent(
            (previous?.Sequence ?? 0) + 1,
            time.ToUniversalTime(),
            entry,
            previous?.Hash ?? Genesis,
            string.Empty);
        return unsealed with { Hash = ComputeHash(unsealed) };
    }

    /// <summary>SHA-256 of the event's canonical JSON (everything but its own hash).</summary>
    public static string ComputeHash(AuditEvent auditEvent) =>
        Convert.ToHexStringLower(SHA256.HashData(Serialize(auditEvent, includeHash: false)));

    /// <summary>The event as one JSON line (UTF-8, no newline), hash included: the stored form.</summary>
    public static byte[] ToJsonLine(AuditEvent auditEvent) => Serialize(auditEvent, includeHash: true);

    /// <summary>Reads an event back from its stored JSON line.</summary>
    /// <exception cref="FormatException">The line is not a well-formed audit event.</exception>
    public static AuditEvent FromJsonLine(ReadOnlySpan<byte> line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line.ToArray());
            var e = doc.RootElement;
            Dictionary<string, long>? counts = null;
            if (e.TryGetProperty("counts", out var c) && c.ValueKind == JsonValueKind.Object)
            {
                counts = c.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);
            }

            var entry = new AuditEntry(
                e.GetProperty("kind").GetString() ?? throw new FormatException("An audit event has no kind."),
                Text(e, "partner"),
                Text(e, "feed"),
                Text(e, "agreement"),
                Text(e, "file_sha256"),
                Text(e, "path"),
                Text(e, "batch_id"),
                Text(e, "rule"),
                Text(e, "detail"),
                counts,
                e.TryGetProperty("duration_ms", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt64() : null);
            return new AuditEvent(
                e.GetProperty("seq").GetInt64(),
                DateTimeOffset.Parse(e.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                entry,
                e.GetProperty("prev").GetString() ?? string.Empty,
                e.TryGetProperty("hash", out var h) ? h.GetString() ?? string.Empty : string.Empty);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("An audit line is not a well-formed audit event.", ex);
        }
    }

    /// <summary>
    /// Checks a whole log in order: consecutive sequence numbers from 1, each previous hash equal to the event before's
    /// hash, each hash recomputed; and, when the log keeps one, that its head names the last event (catches truncation).
    /// </summary>
    public static AuditVerification Verify(IEnumerable<AuditEvent> events, AuditHead? head)
    {
        ArgumentNullException.ThrowIfNull(events);
        AuditEvent? previous = null;
        long count = 0;
        foreach (var e in events)
        {
            count++;
            var expectedSequence = (previous?.Sequence ?? 0) + 1;
            if (e.Sequence != expectedSequence)
            {
                return AuditVerification.Broken(count, e.Sequence, $"event {e.Sequence} is where event {expectedSequence} should be (an event was deleted, added or moved).");
            }

            if (!string.Equals(e.PreviousHash, previous?.Hash ?? Genesis, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(count, e.Sequence, $"event {e.Sequence} does not chain to the event before it.");
            }

            if (!string.Equals(e.Hash, ComputeHash(e), StringComparison.Ordinal))
            {
                return AuditVerification.Broken(count, e.Sequence, $"event {e.Sequence} was changed after it was recorded (its hash does not match its content).");
            }

            previous = e;
        }

        if (head is not null && (head.Sequence != (previous?.Sequence ?? 0) || !string.Equals(head.Hash, previous?.Hash ?? Genesis, StringComparison.Ordinal)))
        {
            return AuditVerification.Broken(count, previous?.Sequence ?? 0, $"the log ends at event {previous?.Sequence ?? 0} but its head records event {head.Sequence} (events were removed from the end).");
        }

        return new AuditVerification(true, count, null, $"{count} events, chain intact.");
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[] Serialize(AuditEvent auditEvent, bool includeHash)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            var entry = auditEvent.Entry;
            w.WriteStartObject();
            w.WriteNumber("seq", auditEvent.Sequence);
            w.WriteString("time", auditEvent.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            w.WriteString("kind", entry.Kind);
            Optional(w, "partner", entry.Partner);
            Optional(w, "feed", entry.Feed);
            Optional(w, "agreement", entry.Agreement);
            Optional(w, "file_sha256", entry.FileSha256);
            Optional(w, "path", entry.Path);
            Optional(w, "batch_id", entry.BatchId);
            Optional(w, "rule", entry.Rule);
            Optional(w, "detail", entry.Detail);
            if (entry.Counts is { Count: > 0 })
            {
                w.WriteStartObject("counts");
                foreach (var (name, value) in entry.Counts.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(name, value);
                }

                w.WriteEndObject();
            }

            if (entry.DurationMs is { } ms)
            {
                w.WriteNumber("duration_ms", ms);
            }

            w.WriteString("prev", auditEvent.PreviousHash);
            if (includeHash)
            {
                w.WriteString("hash", auditEvent.Hash);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}

/// <summary>The last event's sequence and hash, kept apart from the log so that removing events from its end is detected.</summary>
public sealed record AuditHead(long Sequence, string Hash);

/// <summary>The result of checking an audit log's chain.</summary>
/// <param name="Intact">True when nothing was edited, deleted or reordered.</param>
/// <param name="EventsChecked">How many events were read.</param>
/// <param name="BrokenAt">The sequence number where the chain first breaks.</param>
/// <param name="Message">What was found.</param>
public sealed record AuditVerification(bool Intact, long EventsChecked, long? BrokenAt, string Message)
{
    internal static AuditVerification Broken(long checkedCount, long at, string message) => new(false, checkedCount, at, message);
}
