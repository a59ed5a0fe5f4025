using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using DataHub.Core.Audit;

namespace DataHub.Storage.Azure;

/// <summary>
/// Audit anchors in their own blob container, which infra/main.bicep makes immutable (a container-level WORM policy):
/// one create-only blob per anchored event, never overwritten, so whoever can rewrite the audit table still cannot
/// remove or change what the anchors say. A blob's name carries the event's sequence and seal, newest first
/// ("audit/{9223372036854775807 - sequence}-{sequence}-{seal}.json"), so the latest is one listing of one name and
/// verification reads every anchor from listings alone; its content repeats them with the event's kind and time.
/// </summary>
public sealed class BlobAuditAnchors : IAuditAnchorStore
{
    private const string Prefix = "audit/";
    private readonly BlobContainerClient _container;
    private readonly int? _pageSize;
    private readonly OnceSucceeded _created;

    /// <summary>Keeps the anchors in <paramref name="container"/> (Azurite starts without it; it is created on first record).</summary>
    public BlobAuditAnchors(BlobContainerClient container, int? pageSize = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        _pageSize = pageSize;
        _created = OnceSucceeded.Creating(ct => container.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    /// <summary>The blob name of the anchor for event <paramref name="sequence"/> with seal <paramref name="hash"/>.</summary>
    public static string NameOf(long sequence, string hash) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{long.MaxValue - sequence:D19}-{sequence}-{hash}.json");

    /// <inheritdoc />
    public async Task RecordAsync(AuditEvent sealedEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sealedEvent);
        var name = NameOf(sealedEvent.Sequence, sealedEvent.Hash);
        var record = JsonSerializer.SerializeToUtf8Bytes(new AuditAnchorRecord(sealedEvent.Sequence, sealedEvent.Hash, sealedEvent.Entry.Kind, sealedEvent.Time), StorageJson.Default.AuditAnchorRecord);
        try
        {
            await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);

            // Create-only: an anchor is never replaced (the container's immutability policy refuses it in Azure anyway).
            await _container.GetBlobClient(name).UploadAsync(
                new BinaryData(record),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The same anchor, recorded by a try whose answer was lost: the name holds the sequence and seal, so nothing differs.
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "record an audit anchor in", _container.Name + "/" + name);
        }
    }

    /// <inheritdoc />
    public async Task<AuditAnchor?> LatestAsync(CancellationToken cancellationToken)
    {
        // Names sort newest first, so the first name listed is the latest anchor.
        await foreach (var anchor in ListAsync(1, _ => { }, cancellationToken).ConfigureAwait(false))
        {
            return anchor;
        }

        return null;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<AuditAnchor> ReadAsync(Action<string> unreadable, CancellationToken cancellationToken) => ListAsync(_pageSize, unreadable, cancellationToken);

    /// <inheritdoc />
    public string Name => "the anchor container " + _container.Name;

    private async IAsyncEnumerable<AuditAnchor> ListAsync(int? pageSize, Action<string> unreadable, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix }, cancellationToken).AsPages(pageSizeHint: pageSize);

        // No container yet reads as empty: nothing has been anchored.
        await foreach (var page in StorageFailure.Guard(pages, "list the audit anchors in", _container.Name).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var blob in page.Values)
            {
                // A name that is not an anchor's is skipped (anchors only ever add evidence) and named to the caller.
                if (Parse(blob.Name) is { } anchor)
                {
                    yield return anchor;
                }
                else
                {
                    unreadable($"anchor blob {_container.Name}/{blob.Name}");
                }
            }
        }
    }

    private AuditAnchor? Parse(string name)
    {
        const string Extension = ".json";
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Extension, StringComparison.Ordinal) || name.Length < Prefix.Length + Extension.Length)
        {
            return null;
        }

        var parts = name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Extension.Length);
        Span<Range> fields = stackalloc Range[4];
        return parts.Split(fields, '-') == 3
            && long.TryParse(parts[fields[1]], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            && long.TryParse(parts[fields[0]], NumberStyles.None, CultureInfo.InvariantCulture, out var inverted)
            && inverted == long.MaxValue - sequence
            && AuditAnchor.CanName(sequence, parts[fields[2]].ToString())
                ? new AuditAnchor(sequence, parts[fields[2]].ToString(), $"anchor blob {_container.Name}/{name}")
                : null;
    }
}
