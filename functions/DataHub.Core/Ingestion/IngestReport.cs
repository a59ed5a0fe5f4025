using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using DataHub.Core.Feeds;

namespace DataHub.Core.Ingestion;

/// <summary>
/// The report a partner gets about a file: why it was quarantined, or which rows were rejected. Lines, columns, rules
/// and messages only; never an identifier's value.
/// </summary>
public sealed record IngestReport
{
    // Bytes of report text held before they go to the store.
    private const int FlushBytes = 64 << 10;

    /// <summary>"quarantined" or "accepted_with_row_errors".</summary>
    public required string Outcome { get; init; }

    /// <summary>The landing path the file arrived at.</summary>
    public required string Source { get; init; }

    /// <summary>The partner, when known.</summary>
    public string? Partner { get; init; }

    /// <summary>The feed, when known.</summary>
    public string? Feed { get; init; }

    /// <summary>The agreement the decision rests on.</summary>
    public string? Agreement { get; init; }

    /// <summary>SHA-256 of the file's content, when read.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The batch id, when assigned.</summary>
    public string? BatchId { get; init; }

    /// <summary>When the hub decided.</summary>
    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>The main rule behind the outcome.</summary>
    public required string Rule { get; init; }

    /// <summary>A sentence explaining the outcome.</summary>
    public required string Message { get; init; }

    /// <summary>Data rows read (0 when the file was refused before reading).</summary>
    public long RowsRead { get; init; }

    /// <summary>Rows that passed every rule.</summary>
    public long RowsAccepted { get; init; }

    /// <summary>Rows rejected.</summary>
    public long RowsRejected { get; init; }

    /// <summary>The share of rows the agreement tolerates being rejected.</summary>
    public double? ToleratedRowErrorRate { get; init; }

    /// <summary>Problems with the file as a whole.</summary>
    public IReadOnlyList<FileError> FileErrors { get; init; } = [];

    /// <summary>Row errors, line by line (up to the hub's reporting limit).</summary>
    public IReadOnlyList<RowError> RowErrors { get; init; } = [];

    /// <summary>Row errors counted per rule (complete, even beyond the reporting limit).</summary>
    public IReadOnlyDictionary<string, long> RowErrorsByRule { get; init; } = new Dictionary<string, long>();

    /// <summary>True when more row errors occurred than are listed.</summary>
    public bool RowErrorsTruncated { get; init; }

    /// <summary>Writes the report to <paramref name="output"/> as indented JSON (UTF-8), as it goes.</summary>
    /// <remarks>Written straight to the store, never built whole in memory: a report of 100,000 row errors is about 17 MB
    /// of JSON, and building it (and its CSV) in memory made the end of a large ingest its memory peak.</remarks>
    public async Task WriteJsonAsync(Stream output, CancellationToken cancellationToken)
    {
        var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        await using (w.ConfigureAwait(false))
        {
            w.WriteStartObject();
            w.WriteString("outcome", Outcome);
            w.WriteString("source", Source);
            Optional(w, "partner", Partner);
            Optional(w, "feed", Feed);
            Optional(w, "agreement", Agreement);
            Optional(w, "sha256", Sha256);
            Optional(w, "batch_id", BatchId);
            w.WriteString("decided_at", DecidedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteString("rule", Rule);
            w.WriteString("message", Message);
            w.WriteStartObject("rows");
            w.WriteNumber("read", RowsRead);
            w.WriteNumber("accepted", RowsAccepted);
            w.WriteNumber("rejected", RowsRejected);
            w.WriteEndObject();
            if (ToleratedRowErrorRate is { } rate)
            {
                w.WriteNumber("tolerated_row_error_rate", rate);
            }

            w.WriteStartArray("file_errors");
            foreach (var e in FileErrors)
            {
                w.WriteStartObject();
                w.WriteString("rule", e.Rule);
                Optional(w, "column", e.Column);
                w.WriteString("message", e.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("row_errors_by_rule");
            foreach (var (rule, count) in RowErrorsByRule.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(rule, count);
            }

            w.WriteEndObject();
            w.WriteBoolean("row_errors_truncated", RowErrorsTruncated);
            w.WriteStartArray("row_errors");
            foreach (var e in RowErrors)
            {
                w.WriteStartObject();
                w.WriteNumber("line", e.Line);
                w.WriteString("column", e.Column);
                w.WriteString("rule", e.Rule);
                w.WriteString("message", e.Message);
                w.WriteEndObject();
                if (w.BytesPending >= FlushBytes)
                {
                    await w.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
            await w.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the report to <paramref name="output"/> as CSV (UTF-8): line,column,rule,message; file-level problems have an empty line.</summary>
    /// <remarks>A partner opens this in a spreadsheet, so a text field a spreadsheet would run as a formula (one starting with
    /// = + - @, a tab or a carriage return) is written behind a quote mark, as text.</remarks>
    public async Task WriteCsvAsync(Stream output, CancellationToken cancellationToken)
    {
        var options = new CsvWriterOptions { NewLine = "\n", Injection = CsvInjection.Escape, BufferSize = FlushBytes };
        var csv = CsvWriter.Create(output, options, leaveOpen: true);
        await using (csv.ConfigureAwait(false))
        {
            await RecordAsync(csv, "line", "column", "rule", "message", cancellationToken).ConfigureAwait(false);
            foreach (var e in FileErrors)
            {
                await RecordAsync(csv, string.Empty, e.Column ?? string.Empty, e.Rule, e.Message, cancellationToken).ConfigureAwait(false);
            }

            if (FileErrors.Count == 0 && RowErrors.Count == 0)
            {
                await RecordAsync(csv, string.Empty, string.Empty, Rule, Message, cancellationToken).ConfigureAwait(false);
            }

            foreach (var e in RowErrors)
            {
                await RecordAsync(csv, e.Line.ToString(CultureInfo.InvariantCulture), e.Column, e.Rule, e.Message, cancellationToken).ConfigureAwait(false);
            }

            await csv.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RecordAsync(CsvWriter csv, string line, string column, string rule, string message, CancellationToken cancellationToken)
    {
        csv.WriteField(line);
        csv.WriteField(column);
        csv.WriteField(rule);
        csv.WriteField(message);
        await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
