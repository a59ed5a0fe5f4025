using System.Globalization;
using System.Security.Cryptography;
using CsvHelper;
using DataHub.Core.Storage;
using DataHub.Parquet;

namespace DataHub.Core.Rollup;

/// <summary>A table the rollup writes: its name, Parquet schema, and rows as CLR values in schema order.</summary>
/// <param name="Name">File stem, e.g. <c>kpi_values</c>.</param>
/// <param name="Schema">Columns and types.</param>
/// <param name="Rows">string, long, int, double, bool or DateOnly per column; null for an empty cell.</param>
public sealed record KpiTable(string Name, ParquetSchema Schema, IReadOnlyList<object?[]> Rows)
{
    /// <summary>Writes the table as Parquet to <paramref name="path"/> atomically; returns the file's SHA-256.</summary>
    public async Task<string> WriteParquetAsync(IObjectStore store, string path, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bytes = await ToParquetAsync(metadata, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), WriteOptions.Default, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Writes the table into a published version folder as <c>{Name}.parquet</c> and its CSV twin; returns both for the manifest.</summary>
    public async Task<IReadOnlyList<ManifestOutput>> PublishAsync(IObjectStore store, string version, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var parquet = $"{version}/{Name}.parquet";
        var csv = $"{version}/{Name}.csv";
        return
        [
            new ManifestOutput(parquet, Rows.Count, await WriteParquetAsync(store, parquet, metadata, cancellationToken).ConfigureAwait(false)),
            new ManifestOutput(csv, Rows.Count, await WriteCsvAsync(store, csv, cancellationToken).ConfigureAwait(false)),
        ];
    }

    /// <summary>Writes the CSV twin (UTF-8, header row, RFC 4180 quoting, invariant formatting) atomically; returns its SHA-256.</summary>
    public async Task<string> WriteCsvAsync(IObjectStore store, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bytes = ToCsv();
        await store.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), WriteOptions.Default, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>The Parquet bytes.</summary>
    public async Task<byte[]> ToParquetAsync(IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var writer = await ParquetWriter.CreateAsync(buffer, Schema, new ParquetWriterOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var row in Rows)
            {
                for (var c = 0; c < Schema.Columns.Count; c++)
                {
                    writer.SetValue(c, row[c]);
                }

                await writer.EndRowAsync(cancellationToken).ConfigureAwait(false);
            }

            await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        return buffer.ToArray();
    }

    /// <summary>The CSV bytes. A text cell a spreadsheet would run as a formula (a partner's team name "=HYPERLINK(…)") is
    /// written as text, behind a quote mark; numbers are written as numbers, so -4 stays -4.</summary>
    public byte[] ToCsv()
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            foreach (var column in Schema.Columns)
            {
                csv.WriteField(column.Name);
            }

            csv.EndRecord();
            foreach (var row in Rows)
            {
                foreach (var value in row)
                {
                    switch (value)
                    {
                        case null:
                            csv.WriteField(string.Empty);
                            break;
                        case double d:
                            csv.WriteField(d, "R", CultureInfo.InvariantCulture);
                            break;
                        case DateOnly date:
                            csv.WriteField(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                            break;
                        case bool b:
                            csv.WriteField(b ? "true" : "false");
                            break;
                        case long n:
                            csv.WriteField(n, default, CultureInfo.InvariantCulture);
                            break;
                        case int n:
                            csv.WriteField(n, default, CultureInfo.InvariantCulture);
                            break;
                        case IFormattable f:
                            csv.WriteField(f.ToString(null, CultureInfo.InvariantCulture));
                            break;
                        default:
                            csv.WriteField(value.ToString());
                            break;
                    }
                }

                csv.EndRecord();
            }
        }

        return buffer.ToArray();
    }
}
