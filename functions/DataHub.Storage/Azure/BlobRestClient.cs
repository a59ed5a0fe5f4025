using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DataHub.Storage.Azure;

/// <summary>A blob's properties as the Blob service reports them.</summary>
internal sealed record BlobProperties(string Container, string Name, long Length, string ETag, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Why a conditional blob operation did not happen.</summary>
internal enum BlobCondition
{
    /// <summary>It happened.</summary>
    Ok,

    /// <summary>No such blob (or container).</summary>
    NotFound,

    /// <summary>If-Match or If-None-Match failed: the blob changed, or already exists.</summary>
    ConditionFailed,
}

/// <summary>The Blob service REST operations the hub uses, on an Azure.Core pipeline (retries, auth, logging).</summary>
internal sealed class BlobRestClient(StorageAccount account, StorageClientOptions options)
{
    private readonly HttpPipeline _pipeline = StoragePipeline.Create(account, options, table: false);

    public StorageClientOptions Options => options;

    /// <summary>Creates the container; an existing one is fine.</summary>
    public async Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Put, container, null);
        message.Request.Uri.AppendQuery("restype", "container");
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status is not (201 or 409))
        {
            throw Failure(message.Response, "create container", container);
        }
    }

    /// <summary>Container names starting with <paramref name="prefix"/>, in name order, following NextMarker.</summary>
    public async IAsyncEnumerable<string> ListContainersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            using var message = Message(RequestMethod.Get, null, null);
            message.Request.Uri.AppendQuery("comp", "list");
            AppendListQuery(message.Request, prefix, marker);
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            Ensure(message.Response, 200, "list containers", "(account)");
            var (names, next) = ParseContainerList(message.Response.Content.ToStream());
            foreach (var name in names)
            {
                yield return name;
            }

            marker = next;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    /// <summary>Blobs in a container whose names start with <paramref name="prefix"/>, in name order, page by page (marker / NextMarker).</summary>
    public async IAsyncEnumerable<BlobProperties> ListBlobsAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            using var message = Message(RequestMethod.Get, container, null);
            message.Request.Uri.AppendQuery("restype", "container");
            message.Request.Uri.AppendQuery("comp", "list");
            message.Request.Uri.AppendQuery("include", "metadata");
            AppendListQuery(message.Request, prefix, marker);
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (message.Response.Status == 404)
            {
                yield break; // No container yet: nothing in it.
            }

            Ensure(message.Response, 200, "list blobs", container);
            var (blobs, next) = ParseBlobList(container, message.Response.Content.ToStream());
            foreach (var blob in blobs)
            {
                yield return blob;
            }

            marker = next;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    /// <summary>The blob's properties and metadata, or null when absent.</summary>
    public async Task<BlobProperties?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Head, container, name);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status == 404)
        {
            return null;
        }

        Ensure(message.Response, 200, "get properties of", container + "/" + name);
        return PropertiesFromHeaders(container, name, message.Response);
    }

    /// <summary>Streams the blob's content; with <paramref name="ifMatch"/>, only that version.</summary>
    public async Task<(BlobCondition Condition, Stream? Content, BlobProperties? Properties)> DownloadAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken, long offset = 0)
    {
        var message = Message(RequestMethod.Get, container, name);
        message.BufferResponse = false;
        if (ifMatch is not null)
        {
            message.Request.Headers.SetValue("If-Match", ifMatch);
        }

        if (offset > 0)
        {
            message.Request.Headers.SetValue("x-ms-range", string.Create(CultureInfo.InvariantCulture, $"bytes={offset}-"));
        }

        try
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            switch (message.Response.Status)
            {
                case 404:
                    message.Dispose();
                    return (BlobCondition.NotFound, null, null);
                case 412:
                    message.Dispose();
                    return (BlobCondition.ConditionFailed, null, null);
            }

            Ensure(message.Response, offset > 0 ? 206 : 200, "read", container + "/" + name);
            var properties = PropertiesFromHeaders(container, name, message.Response);
            var content = message.ExtractResponseContent() ?? Stream.Null;
            message.Dispose();
            return (BlobCondition.Ok, content, properties);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    /// <summary>Uploads a whole blob in one request; with <paramref name="createOnly"/>, fails if one exists.</summary>
    public async Task<(BlobCondition Condition, string? ETag)> PutBlobAsync(
        string container, string name, ReadOnlyMemory<byte> content, bool createOnly, string? ifMatch, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        using var message = await SendWriteAsync(
            container,
            () =>
            {
                var message = Message(RequestMethod.Put, container, name);
                message.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
                message.Request.Headers.SetValue("Content-Type", "application/octet-stream");
                SetConditions(message.Request, createOnly, ifMatch);
                SetMetadata(message.Request, metadata);
                message.Request.Content = RequestContent.Create(content);
                return message;
            },
            cancellationToken).ConfigureAwait(false);
        return WriteResult(message.Response, "upload", container, name);
    }

    /// <summary>Stages one uncommitted block; invisible to readers until a block list names it.</summary>
    public async Task PutBlockAsync(string container, string name, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        using var message = await SendWriteAsync(
            container,
            () =>
            {
                var message = Message(RequestMethod.Put, container, name);
                message.Request.Uri.AppendQuery("comp", "block");
                message.Request.Uri.AppendQuery("blockid", blockId);
                message.Request.Content = RequestContent.Create(content);
                return message;
            },
            cancellationToken).ConfigureAwait(false);
        Ensure(message.Response, 201, "stage a block of", container + "/" + name);
    }

    /// <summary>Commits staged blocks as the blob's content in one atomic step.</summary>
    public async Task<(BlobCondition Condition, string? ETag)> PutBlockListAsync(
        string container, string name, IReadOnlyList<string> blockIds, bool createOnly, string? ifMatch, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Put, container, name);
        message.Request.Uri.AppendQuery("comp", "blocklist");
        message.Request.Headers.SetValue("Content-Type", "application/xml");
        message.Request.Headers.SetValue("x-ms-blob-content-type", "application/octet-stream");
        SetConditions(message.Request, createOnly, ifMatch);
        SetMetadata(message.Request, metadata);
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds)
        {
            xml.Append("<Latest>").Append(id).Append("</Latest>");
        }

        xml.Append("</BlockList>");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(xml.ToString()));
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return WriteResult(message.Response, "commit", container, name);
    }

    /// <summary>Deletes the blob; with <paramref name="ifMatch"/>, only that version.</summary>
    public async Task<BlobCondition> DeleteAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Delete, container, name);
        if (ifMatch is not null)
        {
            message.Request.Headers.SetValue("If-Match", ifMatch);
        }

        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response.Status switch
        {
            202 => BlobCondition.Ok,
            404 => BlobCondition.NotFound,
            412 => BlobCondition.ConditionFailed,
            _ => throw Failure(message.Response, "delete", container + "/" + name),
        };
    }

    // A fresh account (Azurite) has no containers: a write that finds its container missing creates it and tries once more.
    private async Task<HttpMessage> SendWriteAsync(string container, Func<HttpMessage> create, CancellationToken cancellationToken)
    {
        var message = create();
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status != 404 || !IsContainerNotFound(message.Response))
        {
            return message;
        }

        message.Dispose();
        await CreateContainerIfNotExistsAsync(container, cancellationToken).ConfigureAwait(false);
        message = create();
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message;
    }

    private static bool IsContainerNotFound(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) && code == "ContainerNotFound";

    private HttpMessage Message(RequestMethod method, string? container, string? name)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(account.BlobEndpoint);
        if (container is not null)
        {
            message.Request.Uri.AppendPath(container, escape: true);
        }

        if (name is not null)
        {
            message.Request.Uri.AppendPath("/", escape: false);
            message.Request.Uri.AppendPath(EscapeBlobName(name), escape: false);
        }

        return message;
    }

    private ValueTask SendAsync(HttpMessage message, CancellationToken cancellationToken) =>
        _pipeline.SendAsync(message, cancellationToken);

    private void AppendListQuery(Request request, string prefix, string? marker)
    {
        if (prefix.Length > 0)
        {
            request.Uri.AppendQuery("prefix", prefix);
        }

        if (marker is not null)
        {
            request.Uri.AppendQuery("marker", marker);
        }

        request.Uri.AppendQuery("maxresults", options.PageSize.ToString(CultureInfo.InvariantCulture));
    }

    private static string EscapeBlobName(string name) =>
        string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    private static void SetConditions(Request request, bool createOnly, string? ifMatch)
    {
        if (createOnly)
        {
            request.Headers.SetValue("If-None-Match", "*");
        }
        else if (ifMatch is not null)
        {
            request.Headers.SetValue("If-Match", ifMatch);
        }
    }

    private static void SetMetadata(Request request, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var (key, value) in metadata)
        {
            request.Headers.SetValue("x-ms-meta-" + MetadataNames.Encode(key), Uri.EscapeDataString(value));
        }
    }

    private static (BlobCondition, string?) WriteResult(Response response, string action, string container, string name) =>
        response.Status switch
        {
            201 => (BlobCondition.Ok, Header(response, "ETag")),
            404 => (BlobCondition.NotFound, null),
            409 or 412 => (BlobCondition.ConditionFailed, null),
            _ => throw Failure(response, action, container + "/" + name),
        };

    private static BlobProperties PropertiesFromHeaders(string container, string name, Response response)
    {
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[MetadataNames.Decode(header.Name["x-ms-meta-".Length..])] = Uri.UnescapeDataString(header.Value);
            }
        }

        var length = long.Parse(Header(response, "Content-Length") ?? "0", CultureInfo.InvariantCulture);
        var modified = DateTimeOffset.Parse(Header(response, "Last-Modified") ?? "1970-01-01T00:00:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return new BlobProperties(container, name, length, Header(response, "ETag") ?? string.Empty, modified, metadata);
    }

    private static string? Header(Response response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value : null;

    private static void Ensure(Response response, int expected, string action, string what)
    {
        if (response.Status != expected)
        {
            throw Failure(response, action, what);
        }
    }

    /// <summary>An error naming the operation, the path and the service's error code; the body is not included.</summary>
    internal static RequestFailedException Failure(Response response, string action, string what)
    {
        var code = response.Headers.TryGetValue("x-ms-error-code", out var c) ? c : "unknown";
        return new RequestFailedException(response.Status, $"Blob storage could not {action} '{what}': HTTP {response.Status} ({code}).", code, null);
    }

    private static (List<string> Names, string? Next) ParseContainerList(Stream xml)
    {
        var root = Load(xml);
        var names = root.Element("Containers")?.Elements("Container").Select(c => (string?)c.Element("Name") ?? string.Empty).ToList() ?? [];
        return (names, NonEmpty((string?)root.Element("NextMarker")));
    }

    private static (List<BlobProperties> Blobs, string? Next) ParseBlobList(string container, Stream xml)
    {
        var root = Load(xml);
        var blobs = new List<BlobProperties>();
        foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
        {
            var properties = blob.Element("Properties");
            var etag = (string?)properties?.Elements().FirstOrDefault(e => string.Equals(e.Name.LocalName, "Etag", StringComparison.OrdinalIgnoreCase)) ?? string.Empty;

            // Listings may report ETags without the quotes that headers carry. One form everywhere.
            if (etag.Length > 0 && etag[0] != '"')
            {
                etag = "\"" + etag + "\"";
            }

            var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in blob.Element("Metadata")?.Elements() ?? [])
            {
                metadata[MetadataNames.Decode(item.Name.LocalName)] = Uri.UnescapeDataString(item.Value);
            }

            blobs.Add(new BlobProperties(
                container,
                (string?)blob.Element("Name") ?? string.Empty,
                long.Parse((string?)properties?.Element("Content-Length") ?? "0", CultureInfo.InvariantCulture),
                etag,
                DateTimeOffset.Parse((string?)properties?.Element("Last-Modified") ?? "1970-01-01T00:00:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                metadata));
        }

        return (blobs, NonEmpty((string?)root.Element("NextMarker")));
    }

    private static XElement Load(Stream xml)
    {
        using var reader = XmlReader.Create(xml, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        return XElement.Load(reader);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>Maps the hub's metadata keys (e.g. "datahub.batch_id") to Azure's identifier-only metadata names and back.</summary>
internal static class MetadataNames
{
    // Letters and digits pass through; '_' → "__", '.' → "_d", '-' → "_h", anything else → "_u" + 4 hex digits; a leading digit gets "_n".
    public static string Encode(string key)
    {
        var text = new StringBuilder(key.Length + 4);
        if (key.Length > 0 && char.IsAsciiDigit(key[0]))
        {
            text.Append("_n");
        }

        foreach (var c in key)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                text.Append(c);
            }
            else
            {
                text.Append(c switch
                {
                    '_' => "__",
                    '.' => "_d",
                    '-' => "_h",
                    _ => "_u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                });
            }
        }

        return text.ToString();
    }

    public static string Decode(string name)
    {
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '_' || i + 1 >= name.Length)
            {
                text.Append(name[i]);
                continue;
            }

            var tag = name[++i];
            switch (tag)
            {
                case '_': text.Append('_'); break;
                case 'd': text.Append('.'); break;
                case 'h': text.Append('-'); break;
                case 'n': break;
                case 'u' when i + 4 < name.Length:
                    text.Append((char)int.Parse(name.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: text.Append('_').Append(tag); break;
            }
        }

        return text.ToString();
    }
}
