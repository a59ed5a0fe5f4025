using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Storage;

namespace DataHub.Core.Retention;

/// <summary>
/// The deletion a retention run is making, written before each delete and removed once its event is recorded: a run killed
/// between a delete and its audit event leaves it, and the next run records that event, so no deletion goes unaudited.
/// </summary>
/// <param name="ETag">The version judged and deleted.</param>
/// <param name="After">An audit sequence reached before the delete: the deletion's event, if it was recorded, comes after it.</param>
/// <param name="Entry">The event the deletion is recorded by (its path is the object's safe form, never a name a partner typed).</param>
internal sealed record PendingDeletion(string ETag, long After, AuditEntry Entry);

/// <summary>Keeps the one <see cref="PendingDeletion"/> of a retention run at <see cref="Path"/> and settles one a killed run left.</summary>
internal sealed class DeletionJournal(HubContext hub)
{
    /// <summary>Where the deletion under way is kept (beside the audit log, which it completes).</summary>
    public const string Path = "audit/retention-pending.json";

    private bool _written;

    /// <summary>An audit sequence already reached: the next deletion's event comes after it (the run moves it on as it records).</summary>
    public long After { get; set; }

    /// <summary>Records the deletion about to be made.</summary>
    public async Task BeginAsync(PendingDeletion pending, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(pending, HubJson.Default.PendingDeletion);
        await hub.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(json, ct).AsTask(), WriteOptions.Default, cancellationToken).ConfigureAwait(false);
        _written = true;
    }

    /// <summary>Removes the record once the deletion's event is written (or nothing was deleted).</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        if (_written)
        {
            await hub.Store.DeleteAsync(Path, null, cancellationToken).ConfigureAwait(false);
            _written = false;
        }
    }

    /// <summary>
    /// Settles a deletion a killed run left: when its object is gone and no deletion event for it follows the sequence it
    /// records, the event is recorded now; an object still there was not deleted (it is judged again). Returns true when an
    /// event was recorded.
    /// </summary>
    public async Task<bool> SettleAsync(CancellationToken cancellationToken)
    {
        if (await hub.Store.GetAsync(Path, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return false;
        }

        PendingDeletion? pending;
        try
        {
            var stream = await hub.Store.OpenReadAsync(Path, found.ETag, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                pending = await JsonSerializer.DeserializeAsync(stream, HubJson.Default.PendingDeletion, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException)
        {
            pending = null; // Torn by the kill before the delete it announced: nothing was deleted after it.
        }

        var recorded = false;
        if (pending?.Entry.Path is { } path
            && !await StillThereAsync(path, pending.ETag, cancellationToken).ConfigureAwait(false)
            && !await RecordedAsync(path, pending.After, cancellationToken).ConfigureAwait(false))
        {
            await hub.Audit.AppendAsync(
                pending.Entry with { Detail = pending.Entry.Detail + " Recorded by the next retention run: the run that deleted it stopped before recording it." },
                cancellationToken).ConfigureAwait(false);
            recorded = true;
        }

        await hub.Store.DeleteAsync(Path, found.ETag, cancellationToken).ConfigureAwait(false);
        return recorded;
    }

    // The object is looked for by its safe path when that is its own, else (a name shown by its label) by its version among
    // the raw archive's objects: the journal never holds a name a partner typed.
    private async Task<bool> StillThereAsync(string path, string etag, CancellationToken cancellationToken)
    {
        var labelled = path.IndexOf("/~", StringComparison.Ordinal);
        if (labelled < 0)
        {
            return await hub.Store.GetAsync(path, cancellationToken).ConfigureAwait(false) is { } item && item.ETag == etag;
        }

        await foreach (var item in hub.Store.ListAsync(path[..(labelled + 1)], cancellationToken).ConfigureAwait(false))
        {
            if (item.ETag == etag)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<bool> RecordedAsync(string path, long after, CancellationToken cancellationToken)
    {
        await foreach (var e in hub.Audit.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (e.Sequence > after && e.Entry.Kind == AuditKinds.Deleted && e.Entry.Path == path)
            {
                return true;
            }
        }

        return false;
    }
}
