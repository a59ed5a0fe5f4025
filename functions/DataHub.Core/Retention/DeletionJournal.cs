using System.Globalization;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Retention;

/// <summary>
/// The deletion a retention run is making, written before each delete (the run's record is removed at its end): a run killed
/// between a delete and its audit event leaves it, and a later run records that event, so no deletion goes unaudited.
/// </summary>
/// <param name="ETag">The version judged and deleted.</param>
/// <param name="After">An audit sequence reached before the delete: the deletion's event, if it was recorded, comes after it.</param>
/// <param name="Entry">The event the deletion is recorded by (its path is the object's safe form, never a name a partner typed).</param>
/// <param name="Process">The process of the run making it: once that process has gone, the record is a killed run's.</param>
/// <param name="LabelKeyVersion">The key version a labelled path's label was made under; null when labels were withheld (or the record predates it).</param>
internal sealed record PendingDeletion(string ETag, long After, AuditEntry Entry, ProcessIdentity? Process = null, string? LabelKeyVersion = null);

/// <summary>
/// Keeps the one <see cref="PendingDeletion"/> of a retention run in a record of its own (under <see cref="Folder"/>), and
/// settles the records killed runs left. Runs may overlap (the embedded host's timer and `datahub retention`): each writes
/// and removes only its own record, and settles another's only once it is stale, after claiming it.
/// </summary>
internal sealed class DeletionJournal
{
    /// <summary>Where the records of deletions under way are kept (beside the audit log, which they complete), one per run.</summary>
    public const string Folder = "audit/retention-pending/";

    /// <summary>Where a record that cannot be read is moved, for an operator to check against the audit log.</summary>
    public const string UnreadableFolder = "audit/retention-pending-unreadable/";

    /// <summary>
    /// How long another run's record is left alone while its process may be alive: a live run rewrites its record before
    /// each deletion (and removes it at its end), so a record this old is a dead run's, or a run's stalled this long inside
    /// one deletion, whose event may then be recorded twice (never missed).
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    private static readonly string[] RetentionAreas = [$"{LandingPath.Container}/{LandingPath.ProcessedFolder}/", "quarantine/", "secure/"];

    private readonly HubContext _hub;
    private readonly ILogger _logger;
    private string? _written;

    /// <summary>A journal for one run, with its own record.</summary>
    public DeletionJournal(HubContext hub, ILogger logger)
    {
        _hub = hub;
        _logger = logger;
        Path = string.Create(CultureInfo.InvariantCulture, $"{Folder}{hub.Time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}.json");
    }

    /// <summary>This run's record.</summary>
    public string Path { get; }

    /// <summary>An audit sequence already reached: the next deletion's event comes after it (the run moves it on as it records).</summary>
    public long After { get; set; }

    /// <summary>Records the deletion about to be made.</summary>
    public async Task BeginAsync(PendingDeletion pending, CancellationToken cancellationToken)
    {
        _written = (await WriteAsync(Path, pending, WriteOptions.Default, cancellationToken).ConfigureAwait(false)).ETag;
    }

    /// <summary>Removes this run's record: at the run's end, or when a delete removed nothing.</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        if (_written is { } version)
        {
            _written = null;
            try
            {
                await _hub.Store.DeleteAsync(Path, version, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectChangedException)
            {
                // Another run took it as stale (this one stalled past StaleAfter) and settles it: it is that run's now.
            }
        }
    }

    /// <summary>
    /// Settles each deletion a killed run left: when its object is gone and no deletion event for it follows the sequence it
    /// records, the event is recorded now; an object still there was not deleted (it is judged again). A live run's record
    /// is left to it; one that cannot be read is moved aside and logged. Returns the safe paths whose events were recorded.
    /// </summary>
    public async Task<IReadOnlyList<string>> SettleAsync(FileLabels labels, CancellationToken cancellationToken)
    {
        var recorded = new List<string>();
        var records = new List<StoredObject>();
        await foreach (var record in _hub.Store.ListAsync(Folder, cancellationToken).ConfigureAwait(false))
        {
            if (record.Path != Path)
            {
                records.Add(record);
            }
        }

        foreach (var record in records)
        {
            PendingDeletion? pending;
            try
            {
                pending = await ReadAsync(record, cancellationToken).ConfigureAwait(false);
                if (pending is null)
                {
                    await SetAsideAsync(record, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            catch (Exception ex) when (ex is ObjectChangedException or ObjectNotFoundException)
            {
                continue; // Rewritten or removed since listed: its run (or a run settling it) is at work on it.
            }
            catch (ObjectRefusedException)
            {
                // Not a record a run wrote (a symbolic link): nothing is read through it, and the rest of the run goes on.
                _logger.LogError("Retention skipped {Record}: it is not a plain object (a symbolic link?), so it was not read. Remove it by hand.", record.Path);
                continue;
            }

            var age = _hub.Time.GetUtcNow() - record.LastModified;
            if (pending.Process?.IsGone() != true && age <= StaleAfter)
            {
                _logger.LogInformation("Retention left {Record} alone: another retention run is making that deletion.", record.Path);
                continue;
            }

            // Claimed before it is settled: of two runs finding the same stale record, one records its event.
            StoredObject claimed;
            try
            {
                claimed = await WriteAsync(record.Path, pending, new WriteOptions(IfMatch: record.ETag), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectChangedException or ObjectNotFoundException)
            {
                continue;
            }

            var path = pending.Entry.Path!;
            switch (await FindAsync(path, pending, labels, cancellationToken).ConfigureAwait(false))
            {
                case Found.Gone when !await RecordedAsync(path, pending.After, cancellationToken).ConfigureAwait(false):
                    await _hub.Audit.AppendAsync(
                        pending.Entry with { Detail = pending.Entry.Detail + " Recorded by a later retention run: the run that deleted it stopped before recording it." },
                        cancellationToken).ConfigureAwait(false);
                    recorded.Add(path);
                    break;
                case Found.Replaced:
                    _logger.LogWarning(
                        "Retention cannot tell whether an interrupted run deleted {Path}: an object is there in another version than the one it was deleting. No deletion is recorded; check it against the audit log.",
                        path);
                    break;
                default:
                    break;
            }

            try
            {
                await _hub.Store.DeleteAsync(record.Path, claimed.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectChangedException)
            {
                // Taken over in turn by another run (this one stalled past StaleAfter): it is that run's to remove.
            }
        }

        return recorded;
    }

    // A record always names the process that wrote it last: the run that made it, or the run that claimed it.
    private Task<StoredObject> WriteAsync(string path, PendingDeletion pending, WriteOptions options, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(pending with { Process = ProcessIdentity.Current }, HubJson.Default.PendingDeletion);
        return _hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(json, ct).AsTask(), options, cancellationToken);
    }

    // A record the hub wrote is whole (a local write is a temporary file renamed into place, a blob upload all or nothing):
    // one that cannot be read, or lacks what settling needs, was damaged some other way, and nothing can be judged from it.
    private async Task<PendingDeletion?> ReadAsync(StoredObject record, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await _hub.Store.OpenReadAsync(record.Path, record.ETag, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var pending = await JsonSerializer.DeserializeAsync(stream, HubJson.Default.PendingDeletion, cancellationToken).ConfigureAwait(false);
                return pending is { ETag.Length: > 0, Entry.Path.Length: > 0 } && IsRetentionDeletion(pending.Entry) ? pending : null;
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Only what a retention run writes is sealed into the audit log from a record: a deletion, under a retention rule, of an
    // object in an area retention deletes from. Anything else was not written by a run, and is set aside for an operator.
    private static bool IsRetentionDeletion(AuditEntry entry) =>
        entry.Kind == AuditKinds.Deleted
        && entry.Rule is EnforceRetention.RawRule or EnforceRetention.QuarantineRule or EnforceRetention.MartRule or EnforceRetention.DerivedTablesRule
        && RetentionAreas.Any(area => entry.Path!.StartsWith(area, StringComparison.Ordinal));

    // Moved, not deleted: it may name a deletion no event records yet, which an operator can still find and record.
    private async Task SetAsideAsync(StoredObject record, CancellationToken cancellationToken)
    {
        var aside = UnreadableFolder + record.Path[Folder.Length..];
        await _hub.Store.CopyAsync(record.Path, aside, cancellationToken).ConfigureAwait(false);
        try
        {
            await _hub.Store.DeleteAsync(record.Path, record.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectChangedException)
        {
            // Rewritten since it was read (its run is alive after all): the copy set aside is kept for the operator.
        }

        _logger.LogError(
            "Retention could not read {Record}, or it names no deletion a retention run makes; it was moved to {Aside}. A deletion it names may not be in the audit log: check it by hand.",
            record.Path,
            aside);
    }

    // The object is looked for by its safe path when that is its own, else (a name shown by its label) among the raw
    // archive's objects by its version: the journal never holds a name a partner typed. A label is matched only when it
    // was made under the settling run's key: under another key, or withheld (one label shared by many files), a label
    // names no one object, so the version alone decides, and a sibling is never taken for a later version.
    private async Task<Found> FindAsync(string path, PendingDeletion pending, FileLabels labels, CancellationToken cancellationToken)
    {
        var labelled = path.IndexOf("/~", StringComparison.Ordinal);
        if (labelled < 0)
        {
            return await _hub.Store.GetAsync(path, cancellationToken).ConfigureAwait(false) is not { } item ? Found.Gone
                : item.ETag == pending.ETag ? Found.Still
                : Found.Replaced;
        }

        var sameLabels = pending.LabelKeyVersion is not null && string.Equals(pending.LabelKeyVersion, labels.KeyVersion, StringComparison.Ordinal);
        var found = Found.Gone;
        await foreach (var item in _hub.Store.ListAsync(path[..(labelled + 1)], cancellationToken).ConfigureAwait(false))
        {
            if (item.ETag == pending.ETag)
            {
                return Found.Still;
            }

            if (sameLabels && string.Equals(labels.StoredPath(item.Path, _hub.Protocols), path, StringComparison.Ordinal))
            {
                found = Found.Replaced;
            }
        }

        return found;
    }

    private async Task<bool> RecordedAsync(string path, long after, CancellationToken cancellationToken)
    {
        // A line damaged inside the log is passed over: counted as not recorded, the deletion is recorded again (the safe
        // side), where a strict read stopped every later retention run here.
        await foreach (var e in _hub.Audit.ReadReadableAsync(static _ => { }, cancellationToken).ConfigureAwait(false))
        {
            if (e.Sequence > after && e.Entry.Kind == AuditKinds.Deleted && e.Entry.Path == path)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What is at a pending deletion's path now.</summary>
    private enum Found
    {
        /// <summary>Nothing: the deletion was made.</summary>
        Gone,

        /// <summary>The version it was deleting: the deletion was not made.</summary>
        Still,

        /// <summary>Another version: whether the deletion was made cannot be told.</summary>
        Replaced,
    }
}
