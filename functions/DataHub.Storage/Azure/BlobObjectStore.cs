using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DataHub.Core.Storage;

namespace DataHub.Storage.Azure;

/// <summary>
/// The hub's object store on Azure Blob storage: the first path segment is the container, the rest the blob name, but for
/// landing paths, whose partner is the container they are in (<see cref="LandingContainers"/>).
/// </summary>
public sealed class BlobObjectStore : IObjectStore, IPartnerLandings
{
    // Hierarchical-namespace accounts list their directories as empty blobs marked with this metadata.
    private const string FolderMarker = "hdi_isfolder";
    private readonly BlobServiceClient _service;
    private readonly AzureClientSettings _settings;
    private readonly OnceSucceeded _containers;
    private readonly ConcurrentDictionary<string, OnceSucceeded> _partnerContainers = new(StringComparer.Ordinal);

    /// <summary>Serves the hub's containers of <paramref name="service"/>'s account and the landing containers of <paramref name="partners"/>.</summary>
    /// <exception cref="ArgumentException">A partner's name cannot name its landing container (<see cref="LandingContainers.For"/>).</exception>
    public BlobObjectStore(BlobServiceClient service, AzureClientSettings settings, IEnumerable<string>? partners = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(settings);
        _service = service;
        _settings = settings;

        // Refused here, at start-up, rather than at a partner's first file.
        var containers = AzureNames.Containers.Concat((partners ?? []).Select(LandingContainers.For)).ToArray();

        // Deployment creates the containers in Azure; Azurite starts empty.
        _containers = OnceSucceeded.Creating(async ct =>
        {
            foreach (var container in containers)
            {
                await _service.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
            }
        });
    }

    /// <inheritdoc />
    public async Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        await ReadyAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            var properties = (await Blob(path).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new StoredObject(path, properties.ContentLength, TagOf(properties.ETag), properties.LastModified, MetadataNames.FromBlob(properties.Metadata));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException ex) when (StorageFailure.IsAccessDenied(ex))
        {
            // Not "no object": something may be there that the hub may not see, as in a local folder it may not open.
            throw StorageFailure.Denied(ex, path);
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "read the properties of", path);
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        await ReadyAsync(path, cancellationToken).ConfigureAwait(false);

        // Without modifications allowed, the SDK pins every ranged read to the version it opened (If-Match).
        var options = new BlobOpenReadOptions(allowModifications: false)
        {
            Conditions = ifMatchETag is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifMatchETag) },
        };
        try
        {
            return new PinnedBlobReadStream(await Blob(path).OpenReadAsync(options, cancellationToken).ConfigureAwait(false), path);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ObjectNotFoundException(path);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new ObjectChangedException(path);
        }
        catch (RequestFailedException ex) when (StorageFailure.IsAccessDenied(ex))
        {
            throw StorageFailure.Denied(ex, path);
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "read", path);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await _containers.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var slash = prefix.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && string.Equals(prefix[..slash], LandingContainers.Landing, StringComparison.Ordinal))
        {
            await foreach (var item in LandingAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        if (slash >= 0)
        {
            if (await IsMissingPartnerContainerAsync(prefix[..slash], prefix, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            await foreach (var item in ListContainerAsync(prefix[..slash], prefix[(slash + 1)..], prefix, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        // A prefix within the container names: every blob of every matching container, in path order; the landing
        // containers are listed together as the one container their paths name.
        var containers = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var container in StorageFailure.Guard(_service.GetBlobContainersAsync(prefix: prefix, cancellationToken: cancellationToken), "list the containers of", prefix, prefix, container: null).ConfigureAwait(false))
        {
            containers.Add(LandingContainers.IsLanding(container.Name) ? LandingContainers.Landing + "/" : container.Name + "/");
        }

        foreach (var container in containers)
        {
            var listing = string.Equals(container, LandingContainers.Landing + "/", StringComparison.Ordinal)
                ? LandingAsync(container, cancellationToken)
                : ListContainerAsync(container[..^1], string.Empty, prefix, cancellationToken);
            await foreach (var item in listing.ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The partners' containers are found as for <see cref="ListAsync"/>, in the account's list of containers.</remarks>
    public async IAsyncEnumerable<StoredObject> ListLandingAsync(Action<string, ObjectUnreachableException> refused, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refused);
        await _containers.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var item in LandingContainersAsync(LandingContainers.Landing + "/", refused, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <inheritdoc />
    public async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await ReadyAsync(path, cancellationToken, writing: true).ConfigureAwait(false);
        return new BlobObjectWrite(Blob(path), path, options, _settings.BlockSize);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        await ReadyAsync(path, cancellationToken).ConfigureAwait(false);
        var conditions = ifMatchETag is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifMatchETag) };
        try
        {
            return (await Blob(path).DeleteIfExistsAsync(DeleteSnapshotsOption.None, conditions, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new ObjectChangedException(path);
        }
        catch (RequestFailedException ex) when (StorageFailure.IsAccessDenied(ex))
        {
            // Not "none there": what may be there is left, as a local file in a folder the hub may not enter is.
            throw StorageFailure.Denied(ex, path);
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "delete", path);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A pinned read streamed into a block write rather than the service's Copy Blob: it needs no source authorisation
    /// beyond the app's own, and the destination is one version of the source, whole, or nothing.
    /// </remarks>
    public async Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken)
    {
        var properties = await GetAsync(sourcePath, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(sourcePath);
        var source = await OpenReadAsync(sourcePath, properties.ETag, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            return await this.WriteAsync(destinationPath, source.CopyToAsync, new WriteOptions(Overwrite: true, properties.Metadata), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Landing paths under <paramref name="prefix"/> ("landing/…"), in path order: those of the one container a folder in it
    /// names, or those of every landing container (<see cref="LandingContainersAsync"/>). A refusal fails the listing.
    /// </summary>
    private async IAsyncEnumerable<StoredObject> LandingAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rest = prefix[(LandingContainers.Landing.Length + 1)..];
        var folderEnd = rest.IndexOf('/', StringComparison.Ordinal);
        if (folderEnd > 0)
        {
            // The prefix names its container (the partner's, or the archive's): list only that one. A folder that can
            // name no container holds nothing.
            var folder = rest[..folderEnd];
            if (folder is not (LandingContainers.ArchiveFolder or LandingContainers.SharedFolder) && !LandingContainers.IsPartnerName(folder))
            {
                yield break;
            }

            var (container, name) = LandingContainers.Locate(prefix + "x");
            if (await IsMissingPartnerContainerAsync(container, prefix, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            await foreach (var item in ListContainerAsync(container, name[..^1], prefix, cancellationToken).ConfigureAwait(false))
            {
                if (item.Path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield return item;
                }
            }

            yield break;
        }

        await foreach (var item in LandingContainersAsync(prefix, refused: null, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>
    /// Landing paths under <paramref name="prefix"/> ("landing/", or one naming no folder), in path order: each partner's
    /// container by partner name, with the archive and then what is left in the shared landing container (landing/_shared/…)
    /// where their paths sort. A partner's container that refuses the hub fails the listing, or, with
    /// <paramref name="refused"/>, is told to it and left out whole (<see cref="PartnerAsync"/>).
    /// </summary>
    private async IAsyncEnumerable<StoredObject> LandingContainersAsync(string prefix, Action<string, ObjectUnreachableException>? refused, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var partners = new List<string>();
        await foreach (var container in StorageFailure.Guard(_service.GetBlobContainersAsync(prefix: LandingContainers.PartnerPrefix, cancellationToken: cancellationToken), "list the containers of", LandingContainers.PartnerPrefix, prefix, container: null).ConfigureAwait(false))
        {
            if (LandingContainers.PartnerOf(container.Name) is { } partner && $"{LandingContainers.Landing}/{partner}/".StartsWith(prefix, StringComparison.Ordinal))
            {
                partners.Add(partner);
            }
        }

        // Ordered by path ("a-b/" sorts before "a/"), not by container name. A partner name starting with a digit sorts
        // before the archive ("9" < "_"), every other one after what is left in the shared container.
        var ordered = partners.OrderBy(p => p + "/", StringComparer.Ordinal).ToList();
        var beforeArchive = ordered.TakeWhile(p => string.CompareOrdinal(p + "/", LandingContainers.ArchiveFolder + "/") < 0).ToList();
        foreach (var partner in beforeArchive)
        {
            await foreach (var item in PartnerAsync(partner, prefix, refused, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }

        // The archive's blobs come first in path order among the shared container's ("_processed" < "_shared"); the few
        // other blobs of the shared container are held back until it is listed whole. No partner's: its refusal fails the
        // listing whatever the caller takes.
        var shared = new List<StoredObject>();
        await foreach (var item in ListContainerAsync(LandingContainers.Landing, string.Empty, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!item.Path.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (item.Path.StartsWith($"{LandingContainers.Landing}/{LandingContainers.ArchiveFolder}/", StringComparison.Ordinal))
            {
                yield return item;
            }
            else
            {
                shared.Add(item);
            }
        }

        foreach (var item in shared)
        {
            yield return item;
        }

        foreach (var partner in ordered.Skip(beforeArchive.Count))
        {
            await foreach (var item in PartnerAsync(partner, prefix, refused, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }

    // A partner's container, under prefix. With refused, it is read whole before any of it is given, so that a refusal on
    // any page of it (a later page, asked for by its marker, as well as the first) leaves all of it out: the partner and
    // the denial, for landing/{partner}/, go to refused, and nothing of the partner's is listed. A partner's landing holds
    // what waits to be ingested, a few files; the archive, which grows, is in the shared container.
    private async IAsyncEnumerable<StoredObject> PartnerAsync(string partner, string prefix, Action<string, ObjectUnreachableException>? refused, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listing = ListContainerAsync(LandingContainers.For(partner), string.Empty, prefix, cancellationToken);
        if (refused is null)
        {
            await foreach (var item in listing.ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        var whole = new List<StoredObject>();
        try
        {
            await foreach (var item in listing.ConfigureAwait(false))
            {
                whole.Add(item);
            }
        }
        catch (ObjectUnreachableException denied) when (denied.Cause == UnreachableCause.AccessDenied)
        {
            refused(partner, new ObjectUnreachableException($"{LandingContainers.Landing}/{partner}/", UnreachableCause.AccessDenied, denied.Remedy, denied.Answer));
            whole.Clear();
        }

        foreach (var item in whole)
        {
            yield return item;
        }
    }

    // The blobs of a container under namePrefix; a refusal fails the listing of listed, the hub prefix the caller asked for.
    private async IAsyncEnumerable<StoredObject> ListContainerAsync(string container, string namePrefix, string listed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A container the hub ensures, one found by listing the account, or one the caller checked exists.
        var blobs = _service.GetBlobContainerClient(container).GetBlobsAsync(
            new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = namePrefix.Length == 0 ? null : namePrefix },
            cancellationToken);
        await foreach (var page in StorageFailure.Guard(blobs.AsPages(pageSizeHint: _settings.PageSize), "list", container + "/" + namePrefix, listed, container).ConfigureAwait(false))
        {
            foreach (var blob in page.Values)
            {
                if (blob.Metadata?.TryGetValue(FolderMarker, out var folder) == true && string.Equals(folder, "true", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var properties = blob.Properties;
                yield return new StoredObject(LandingContainers.PathOf(container, blob.Name), properties.ContentLength ?? 0, properties.ETag is { } tag ? TagOf(tag) : string.Empty, properties.LastModified ?? DateTimeOffset.MinValue, MetadataNames.FromBlob(blob.Metadata));
            }
        }
    }

    /// <summary>One text form for a blob's ETag, the quoted header value: the service quotes it in headers but not in listings.</summary>
    public static string TagOf(ETag etag) => "\"" + etag.ToString().Trim('"') + "\"";

    private async Task ReadyAsync(string path, CancellationToken cancellationToken, bool writing = false)
    {
        var (container, _) = LandingContainers.Locate(path);
        await _containers.EnsureAsync(cancellationToken).ConfigureAwait(false);
        if (writing && LandingContainers.PartnerOf(container) is not null)
        {
            // Only a test or a local run writes into a partner's landing container (the hub itself never does): one the
            // store was not told of is made at first write, as the hub's own are on Azurite.
            var client = _service.GetBlobContainerClient(container);
            await _partnerContainers.GetOrAdd(container, _ => OnceSucceeded.Creating(ct => client.CreateIfNotExistsAsync(cancellationToken: ct)))
                .EnsureAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // A partner with no container yet has nothing in landing. Only a container named by the prefix needs this request:
    // the whole landing listing takes the partner containers from the account's list of containers.
    private async Task<bool> IsMissingPartnerContainerAsync(string container, string listed, CancellationToken cancellationToken) =>
        LandingContainers.PartnerOf(container) is not null && !await ExistsAsync(_service.GetBlobContainerClient(container), listed, cancellationToken).ConfigureAwait(false);

    private static async Task<bool> ExistsAsync(BlobContainerClient container, string listed, CancellationToken cancellationToken)
    {
        try
        {
            return (await container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (StorageFailure.IsAccessDenied(ex))
        {
            throw StorageFailure.Denied(ex, listed, container.Name);
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "find", container.Name);
        }
    }

    private BlockBlobClient Blob(string path)
    {
        var (container, name) = LandingContainers.Locate(path);
        return _service.GetBlobContainerClient(container).GetBlockBlobClient(name);
    }
}
