using DataHub.Core.Audit;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.Core.Hub;

/// <summary>
/// Everything a handler needs, whichever host runs it (embedded runner or the Azure Function App): the store, the audit
/// trail, receipts, the key, the protocols, the clock and logging (contract C7).
/// </summary>
/// <param name="Store">The containers.</param>
/// <param name="Audit">The append-only audit trail.</param>
/// <param name="Receipts">Which files have been processed.</param>
/// <param name="Keys">The pseudonymisation key.</param>
/// <param name="Protocols">The data-sharing agreements.</param>
/// <param name="Time">The clock ("today" for agreements, event times).</param>
/// <param name="Logging">Where handlers log (never raw values); null for no logging.</param>
public sealed record HubContext(
    IObjectStore Store,
    IAuditLog Audit,
    IReceiptStore Receipts,
    IKeyProvider Keys,
    ProtocolSet Protocols,
    TimeProvider Time,
    ILoggerFactory? Logging = null)
{
    /// <summary>
    /// The KPI rules, cohorts first: the rollup computes by them, and the ingest refuses a health aggregate row whose cohort
    /// label is none of their names (one source, so a label the ingest accepts is one the rollup uses).
    /// </summary>
    public KpiOptions Kpis { get; init; } = new();

    /// <summary>Tuning for the ingest handler.</summary>
    public IngestSettings Ingest { get; init; } = new();

    /// <summary>Temporary files for work that outgrows memory (duplicate-row hashes of very large files); in memory unless a host gives a folder.</summary>
    public IScratchSpace Scratch { get; init; } = new InMemoryScratchSpace();

    /// <summary>The audit log with what vouches for it from outside (its key, its anchors), when the host has them: the governance tables check the chain against it.</summary>
    public AuditTrail? Trail { get; init; }

    /// <summary>A logger for a handler (a no-op logger when the host gave no factory).</summary>
    public ILogger Logger(string category) => (Logging ?? NullLoggerFactory.Instance).CreateLogger(category);

    /// <summary>Today's date by the hub's clock (UTC), which decides whether agreements are in force.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
}

/// <summary>How the ingest handler behaves at the edges: retries, leases, report size, mart encoding.</summary>
public sealed record IngestSettings
{
    /// <summary>Failed attempts after which a file is quarantined as poison (default 3).</summary>
    public int MaxFailedAttempts { get; init; } = 3;

    /// <summary>
    /// How long a processing claim is honoured without a heartbeat before another worker may take it over (default 2
    /// minutes; the holder renews it every third of that). A claim whose process is gone from this machine is taken over at once.
    /// </summary>
    public TimeSpan ClaimLease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most a partner file may ask of the reader (columns, cell and row size, workbook size).</summary>
    public DataHub.Core.Parsing.ReadLimits ReadLimits { get; init; } = DataHub.Core.Parsing.ReadLimits.Default;

    /// <summary>Row errors listed line by line in a report; beyond this they are counted per rule only (default 100,000).</summary>
    public int MaxReportedRowErrors { get; init; } = 100_000;

    /// <summary>The mart files' compression (default Snappy; tests that scan bytes use Uncompressed).</summary>
    public DataHub.Parquet.ParquetCompression MartCompression { get; init; } = DataHub.Parquet.ParquetCompression.Snappy;

    /// <summary>Rows per Parquet row group in mart files (default 100,000).</summary>
    public int RowGroupRows { get; init; } = 100_000;

    /// <summary>
    /// Memory the rows buffered for a batch's open quarter files may take together (default 24 MB): past it the largest
    /// buffer is written out as a row group. Rows wait in memory until a row group is written, and a five-year extract keeps
    /// about twenty quarter files open, so this bounds the mart writer's memory whatever the file's size.
    /// </summary>
    public long RowGroupBytes { get; init; } = 24L * 1024 * 1024;
}
