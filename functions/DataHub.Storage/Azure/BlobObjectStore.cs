using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DataHub.Core.Storage;

namespace DataHub.Storage.Azure;

/// <summary>The hub's object store on Azure Blob storage: the first path segment is the container, the rest the blob name.</summary>
public sealed class BlobObjectStore : IObjectStore
{
    // Hierarchical-namespace accounts list their directories as empty blobs marked with this metadata.
    private const string FolderMarker = "hdi_isfolder";
    private readonly BlobServiceClient _service;
    private readonly AzureClientSettings _settings;
    private readonly OnceSucceeded _containers;

    /// <summary>Serves the hub's containers of <paramref name="service"/>'s account.</summary>
    public BlobObjectStore(BlobServiceClient service, AzureClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(settings);
        _service = service;
        _settings = settings;

        // Deployment creates the containers in Azure; Azurite starts empty.
        _containers = OnceSucceeded.Creating(async ct =>
        {
            foreach (var container in AzureNames.Containers)
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
        if (slash >= 0)
        {
            await foreach (var item in ListContainerAsync(prefix[..slash], prefix[(slash + 1)..], cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        // A prefix within the container names: every blob of every matching container, containers in name order.
        var containers = new List<string>();
        await foreach (var container in StorageFailure.Guard(_service.GetBlobContainersAsync(prefix: prefix, cancellationToken: cancellationToken), "list the containers of", prefix).ConfigureAwait(false))
        {
            containers.Add(container.Name);
        }

        containers.Sort(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            await foreach (var item in ListContainerAsync(container, string.Empty, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }

    /// <inheritdoc />
    public async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await ReadyAsync(path, cancellationToken).ConfigureAwait(false);
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

    private async IAsyncEnumerable<StoredObject> ListContainerAsync(string container, string namePrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var blobs = _service.GetBlobContainerClient(container).GetBlobsAsync(
            new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = namePrefix.Length == 0 ? null : namePrefix },
            cancellationToken);
        await foreach (var page in StorageFailure.Guard(blobs.AsPages(pageSizeHint: _settings.PageSize), "list", container + "/" + namePrefix).ConfigureAwait(false))
        {
            foreach (var blob in page.Values)
            {
                if (blob.Metadata?.TryGetValue(FolderMarker, out var folder) == true && string.Equals(folder, "true", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var properties = blob.Properties;
                yield return new StoredObject(container + "/" + blob.Name, properties.ContentLength ?? 0, properties.ETag is { } tag ? TagOf(tag) : string.Empty, properties.LastModified ?? DateTimeOffset.MinValue, MetadataNames.FromBlob(blob.Metadata));
            }
        }
    }

    /// <summary>One text form for a blob's ETag, the quoted header value: the service quotes it in headers but not in listings.</summary>
    internal static string TagOf(ETag etag) => "\"" + etag.ToString().Trim('"') + "\"";

    private Task ReadyAsync(string path, CancellationToken cancellationToken)
    {
        _ = Split(path);
        return _containers.EnsureAsync(cancellationToken);
    }

    private BlockBlobClient Blob(string path)
    {
        var (container, name) = Split(path);
        return _service.GetBlobContainerClient(container).GetBlockBlobClient(name);
    }

    private static (string Container, string Name) Split(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == path.Length - 1)
        {
            throw new ArgumentException($"'{path}' is not a '{{container}}/{{name}}' path.", nameof(path));
        }

        return (path[..slash], path[(slash + 1)..]);
    }
}
