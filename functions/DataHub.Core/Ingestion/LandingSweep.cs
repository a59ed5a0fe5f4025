using System.Globalization;
using DataHub.Core.Hub;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Ingestion;

/// <summary>
/// Hands every file left in landing/ longer than a claim lease to <see cref="IngestExtract"/> again, so a file the blob
/// trigger gave up on (a Key Vault outage outlasting the host's retries, a copy that lost the race to another name, an
/// archive that failed after the batch was stored, a claim whose worker died) is in the end stored once or quarantined
/// with its report, never left in landing past its retention.
/// </summary>
/// <remarks>
/// Safe beside the trigger: the receipt's claim decides who processes a content, so a file the trigger is handling (a live
/// claim) ends here as in progress, and one already stored as a duplicate. Files younger than the lease are the trigger's.
/// A failure on one file is logged and audited by its safe label and the sweep goes on to the next.
/// </remarks>
public sealed class LandingSweep
{
    /// <summary>The audit rule for a file whose handling threw in the sweep (it stays in landing for the next sweep).</summary>
    public const string UnhandledRule = "sweep.unhandled";

    private readonly HubContext _hub;
    private readonly ILogger _log;

    /// <summary>Sweeps the hub's landing container, with its lease and clock.</summary>
    public LandingSweep(HubContext hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _log = hub.Logger("DataHub.Sweep");
    }

    /// <summary>
    /// The landing entries a host hands to ingest: every object listed under landing/ but the hub's archive of processed
    /// files (the store lists no temporary file of its own).
    /// </summary>
    public static IAsyncEnumerable<StoredObject> LandedAsync(IObjectStore store, CancellationToken cancellationToken) => LandedAsync(store, null, cancellationToken);

    /// <summary>
    /// The landing entries a host hands to ingest (<see cref="LandedAsync(IObjectStore, CancellationToken)"/>); where the
    /// store keeps each partner's landing apart (<see cref="IPartnerLandings"/>), a partner's it may not list is told to
    /// <paramref name="refused"/>, none of its files listed, and the others are listed. Without <paramref name="refused"/>,
    /// or from another store, any refusal fails the listing.
    /// </summary>
    public static async IAsyncEnumerable<StoredObject> LandedAsync(IObjectStore store, Action<string, ObjectUnreachableException>? refused, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        const string prefix = LandingPath.Container + "/";
        var listing = refused is not null && store is IPartnerLandings partners ? partners.ListLandingAsync(refused, cancellationToken) : store.ListAsync(prefix, cancellationToken);
        await foreach (var item in listing.ConfigureAwait(false))
        {
            if (!item.Path.StartsWith($"{LandingPath.Container}/{LandingPath.ProcessedFolder}/", StringComparison.Ordinal))
            {
                yield return item;
            }
        }
    }

    /// <summary>
    /// Lists landing/ once and hands each file older than the claim lease to ingest, pinned to the version listed. A partner
    /// whose landing the store refuses to list is logged as an error with what to grant, and counted; the others' files are
    /// handled all the same.
    /// </summary>
    /// <param name="cancellationToken">Stops between files; a file begun is finished.</param>
    public async Task<LandingSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = _hub.Time.GetUtcNow();
        var due = new List<StoredObject>();
        var young = 0;
        var unlisted = new List<string>();
        await foreach (var item in LandedAsync(_hub.Store, (partner, denial) => Unlisted(unlisted, partner, denial), cancellationToken).ConfigureAwait(false))
        {
            if (now - item.LastModified >= _hub.Ingest.ClaimLease)
            {
                due.Add(item);
            }
            else
            {
                young++;
            }
        }

        var ingest = new IngestExtract(_hub);
        var outcomes = new List<IngestOutcome>();
        foreach (var item in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = await HandleAsync(ingest, item).ConfigureAwait(false);
            _log.LogInformation("Sweep: {Path} was left in landing; {Status} ({Rule}).", outcome.SafeLandingPath, outcome.Status, outcome.Rule ?? "none");
            outcomes.Add(outcome);
        }

        var result = new LandingSweepResult(outcomes, young) { UnlistedPartners = unlisted };
        _log.LogInformation("Sweep of landing: {Summary}.", result.Summary);
        return result;
    }

    // Not audited: nothing of the partner's was seen, read or moved, and no file can be named; what waits there is received
    // and audited as usual once it can be listed. The log line is what monitoring alerts on, every run until it is fixed;
    // it names the partner and the store's answer and remedy (its container, a role), never a file.
    private void Unlisted(List<string> unlisted, string partner, ObjectUnreachableException denial)
    {
        unlisted.Add(partner);
        // The denial's message names no path: what the store answered and what to grant, in the words every denial uses.
        _log.LogError(
            "Sweep: the landing of partner {Partner} could not be listed, so its files were not handled; they wait there until the hub may list it. {Denial} (docs/runbook.md, \"A folder or file the hub cannot open\"); the sweep goes on without it.",
            partner,
            denial.Message);
    }

    // Whatever goes wrong with one file (a storage fault, a damaged audit line) must not stop the sweep over the others.
    private async Task<IngestOutcome> HandleAsync(IngestExtract ingest, StoredObject item)
    {
        try
        {
            return await ingest.HandleAsync(item.Path, item.ETag, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var outcome = await ingest.AuditUnhandledAsync(item.Path, ex, UnhandledRule, $"The sweep could not handle the file ({ex.GetType().Name}); it stays in landing for the next sweep.").ConfigureAwait(false);
            _log.LogError("Sweep: {Path} could not be handled ({ErrorType}); it stays in landing for the next sweep.", outcome.SafeLandingPath, ex.GetType().Name);
            return outcome;
        }
    }
}

/// <summary>
/// What one sweep did: the outcome of each file it handed to ingest, how many it left to the trigger as too young, and the
/// partners whose landing it could not list.
/// </summary>
/// <param name="Outcomes">One per file handled, in path order.</param>
/// <param name="LeftYoung">Files younger than the claim lease, left alone.</param>
public sealed record LandingSweepResult(IReadOnlyList<IngestOutcome> Outcomes, int LeftYoung)
{
    /// <summary>Files whose handling failed (they stay in landing for the next sweep).</summary>
    public int Failed => Outcomes.Count(o => o.Status == IngestStatus.Failed);

    /// <summary>The partners whose landing the store refused to list (access denied): none of their files was seen, and they wait there.</summary>
    public IReadOnlyList<string> UnlistedPartners { get; init; } = [];

    /// <summary>True when a file failed or a partner's landing could not be listed: the run is to be marked failed.</summary>
    public bool HasFailures => Failed > 0 || UnlistedPartners.Count > 0;

    /// <summary>
    /// A line naming no file: how many files ended how, and which partners' landing could not be listed. With a partner
    /// unlisted, none handled is "nothing due in what could be listed", never an empty landing.
    /// </summary>
    public string Summary =>
        string.Join(", ", Outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key}")).DefaultIfEmpty(UnlistedPartners.Count == 0 ? "nothing left in landing" : "nothing due in what could be listed"))
        + string.Create(CultureInfo.InvariantCulture, $"; {LeftYoung} younger than the claim lease left to the trigger")
        + (UnlistedPartners.Count == 0 ? string.Empty : $"; the landing of {string.Join(", ", UnlistedPartners)} could not be listed (access denied)");
}
