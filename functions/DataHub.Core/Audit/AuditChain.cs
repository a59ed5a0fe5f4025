using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace DataHub.Core.Audit;

/// <summary>
/// The chain every audit log keeps (local JSON Lines or Azure Table): each event's seal covers its canonical JSON, which
/// includes the previous event's seal, so an edit, deletion or reordering breaks the chain. Events are sealed with
/// HMAC-SHA256 under the audit key, so a chain re-computed after an edit cannot be passed off without the key. Legacy
/// events, written before the chain was keyed, carry a plain SHA-256 instead and are read and checked as such.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous hash of the first event.</summary>
    public static string Genesis { get; } = new('0', 64);

    /// <summary>Numbers, times and seals an entry under <paramref name="key"/> as the event after <paramref name="previous"/> (null for the first).</summary>
    public static AuditEvent Seal(AuditEntry entry, AuditEvent? previous, DateTimeOffset time, AuditKey key) =>
        SealAt(entry, (previous?.Sequence ?? 0) + 1, previous?.Hash ?? Genesis, time, key);

    /// <summary>Seals an entry under <paramref name="key"/> at a given sequence number, chained to <paramref name="previousHash"/>.</summary>
    internal static AuditEvent SealAt(AuditEntry entry, long sequence, string previousHash, DateTimeOffset time, AuditKey key)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(key);
        var unsealed = new AuditEvent(sequence, time.ToUniversalTime(), entry, previousHash, string.Empty, key.Version);
        return unsealed with { Hash = key.Seal(Serialize(unsealed, includeSeal: false)) };
    }

    /// <summary>SHA-256 of the event's canonical JSON (everything but its own seal): the seal of a legacy event.</summary>
    public static string ComputeHash(AuditEvent auditEvent) =>
        Convert.ToHexStringLower(SHA256.HashData(Serialize(auditEvent, includeSeal: false)));

    /// <summary>
    /// True when the event's seal matches its content: HMAC-SHA256 under <paramref name="key"/> (which must be the version
    /// the event names) for a keyed event, SHA-256 for a legacy one.
    /// </summary>
    public static bool HasValidSeal(AuditEvent auditEvent, AuditKey? key)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (!auditEvent.IsKeyed)
        {
            return string.Equals(auditEvent.Hash, ComputeHash(auditEvent), StringComparison.Ordinal);
        }

        if (key is null || !string.Equals(key.Version, auditEvent.KeyVersion, StringComparison.Ordinal))
        {
            return false;
        }

        var expected = key.Seal(Serialize(auditEvent, includeSeal: false));
        return CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(expected),
            System.Text.Encoding.ASCII.GetBytes(auditEvent.Hash));
    }

    /// <summary>The event as one JSON line (UTF-8, no newline), seal included: the stored form.</summary>
    public static byte[] ToJsonLine(AuditEvent auditEvent) => Serialize(auditEvent, includeSeal: true);

    /// <summary>
    /// Reads an event back from its stored JSON line. The line must be exactly the canonical form the event is written in:
    /// a property added, removed, reordered or re-spelt is refused, since the seal covers only the canonical fields.
    /// </summary>
    /// <exception cref="AuditEventFormatException">
    /// The line is not a well-formed audit event; <see cref="AuditEventFormatException.NotJson"/> when the bytes are not
    /// complete JSON at all (a line cut off mid-write).
    /// </exception>
    public static AuditEvent FromJsonLine(ReadOnlySpan<byte> line)
    {
        AuditEvent parsed;
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
                e.TryGetProperty("duration_ms", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt64() : null,
                Text(e, "label_key_version"));
            var keyVersion = Text(e, "key");
            parsed = new AuditEvent(
                e.GetProperty("seq").GetInt64(),
                DateTimeOffset.Parse(e.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                entry,
                e.GetProperty("prev").GetString() ?? string.Empty,
                Text(e, keyVersion is null ? "hash" : "mac") ?? string.Empty,
                keyVersion);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
        {
            // The parsers' messages quote the value (a time, a number, the JSON around a bad token): neither the message
            // nor the exception itself is kept, so no log or report that prints the chain of causes can reach the content.
            throw new AuditEventFormatException("An audit line is not a well-formed audit event.", notJson: ex is JsonException);
        }

        if (!line.SequenceEqual(ToJsonLine(parsed)))
        {
            throw new AuditEventFormatException($"Audit event {parsed.Sequence} is not in the form it was recorded in: a property was added, removed or rewritten.", notJson: false);
        }

        return parsed;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[] Serialize(AuditEvent auditEvent, bool includeSeal)
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

            // Written only when recorded, as "key" below: an event without it keeps the form (and seal) it was written with.
            Optional(w, "label_key_version", entry.LabelKeyVersion);
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

            // The key version is sealed with the rest, so an event cannot be passed off as made under another version.
            Optional(w, "key", auditEvent.KeyVersion);
            if (includeSeal)
            {
                w.WriteString(auditEvent.IsKeyed ? "mac" : "hash", auditEvent.Hash);
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

/// <summary>Raised when a stored line is not a well-formed audit event; the message never quotes the line, and no parser's exception is kept.</summary>
/// <param name="message">What is wrong with the line, never its content.</param>
/// <param name="notJson">True when the bytes are not complete JSON at all (as a line cut off mid-write is not).</param>
public sealed class AuditEventFormatException(string message, bool notJson) : FormatException(message)
{
    /// <summary>True when the bytes are not complete JSON at all: at the log's end with no line feed after it, a line cut off mid-write.</summary>
    public bool NotJson { get; } = notJson;
}

/// <summary>The last event's sequence and seal, kept apart from the log (and in anchors) so that removing events from its end is detected.</summary>
public sealed record AuditHead(long Sequence, string Hash);
