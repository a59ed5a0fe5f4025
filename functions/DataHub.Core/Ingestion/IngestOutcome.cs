using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Ingestion;

/// <summary>How a landed file ended.</summary>
public enum IngestStatus
{
    /// <summary>Every row stored in the secure mart.</summary>
    Stored,

    /// <summary>Good rows stored; rejected rows (within the agreement's tolerance) reported.</summary>
    StoredWithRowErrors,

    /// <summary>The file was moved to quarantine with its report.</summary>
    Quarantined,

    /// <summary>The same content was already processed: nothing done.</summary>
    Duplicate,

    /// <summary>Another worker is processing the same content: nothing done.</summary>
    InProgress,

    /// <summary>The path was refused before anything was read (outside landing, "..", …).</summary>
    Refused,

    /// <summary>The path is the hub's own archive or the object has gone: nothing to do.</summary>
    Ignored,

    /// <summary>The attempt failed unexpectedly (key unavailable, storage error); the file stays for a retry.</summary>
    Failed,
}

/// <summary>What <see cref="IngestExtract.HandleAsync"/> did with one landed file.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="LandingPath">The path handled.</param>
/// <param name="Partner">The partner, when the path named one.</param>
/// <param name="Feed">The feed, when the path named one.</param>
/// <param name="Agreement">The agreement cited.</param>
/// <param name="Sha256">The content hash, when read.</param>
/// <param name="BatchId">The batch id, when assigned.</param>
/// <param name="RowsRead">Data rows read.</param>
/// <param name="RowsAccepted">Rows stored.</param>
/// <param name="RowsRejected">Rows rejected.</param>
/// <param name="Rule">The rule behind a refusal, quarantine or failure.</param>
/// <param name="Message">A sentence about the outcome.</param>
/// <param name="MartFiles">The committed mart files: every quarter file, then the batch manifest that commits them.</param>
/// <param name="ReportPath">The JSON report written, if any.</param>
/// <param name="QuarantinePath">Where the file was quarantined, if it was.</param>
/// <param name="RowsWithKey">How many stored rows carry each linkage key.</param>
public sealed record IngestOutcome(
    IngestStatus Status,
    string LandingPath,
    string? Partner = null,
    string? Feed = null,
    string? Agreement = null,
    string? Sha256 = null,
    string? BatchId = null,
    long RowsRead = 0,
    long RowsAccepted = 0,
    long RowsRejected = 0,
    string? Rule = null,
    string? Message = null,
    IReadOnlyList<string>? MartFiles = null,
    string? ReportPath = null,
    string? QuarantinePath = null,
    IReadOnlyDictionary<LinkageKey, long>? RowsWithKey = null)
{
    /// <summary>
    /// The landing path in its safe form (the file name as its keyed label), for consoles and logs: as the handler decided
    /// it, or by default with no folder name repeated and the label withheld (only the handler holds the key and knows
    /// which folders an agreement vouches for).
    /// </summary>
    public string SafeLandingPath { get; init; } = FileLabels.Withheld.LandingPath(LandingPath, null);
}
