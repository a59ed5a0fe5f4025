using System.Text.Json;
using Azure.Storage.Blobs;
using DataHub.Core.Storage;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Azure;

namespace DataHub.Azure.Tests.Functions;

/// <summary>A landed blob as IngestExtract is handed it: the queued Event Grid BlobCreated event for its version.</summary>
internal sealed record Delivery(string Message, StoredObject Landed)
{
    /// <summary>Runs <paramref name="function"/> on this delivery, as the host does for one queued event.</summary>
    public Task To(IngestExtractFunction function) => function.RunAsync(Message, CancellationToken.None);
}

/// <summary>Lands files as partners do and makes the trigger's view of them.</summary>
internal static class Deliveries
{
    /// <summary>The smallest CSV extracts of the demo, one per feed: a test takes one no other test of its class uses.</summary>
    public static IReadOnlyList<SyntheticFile> SmallExtracts { get; } = SyntheticHub.Generate().Files
        .Where(f => f.FileName.EndsWith(".csv", StringComparison.Ordinal))
        .OrderBy(f => f.Content.Length)
        .DistinctBy(f => f.Feed)
        .ToArray();

    /// <summary>Writes <paramref name="file"/> to landing/{partner}/{feed}/{name} (the partner's container) through <paramref name="store"/>.</summary>
    public static async Task<Delivery> LandAsync(IObjectStore store, string connectionString, SyntheticFile file)
    {
        var path = "landing/" + file.LandingPath;
        var landed = await store.WriteAsync(path, (s, ct) => s.WriteAsync(file.Content, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        return Of(landed, connectionString);
    }

    /// <summary>The delivery of an object already in landing/, for the version <paramref name="landed"/> describes.</summary>
    public static Delivery Of(StoredObject landed, string connectionString)
    {
        var (container, name) = LandingContainers.Locate(landed.Path);
        return new Delivery(Event(connectionString, container, name, landed.ETag, landed.Length), landed);
    }

    /// <summary>The Event Grid BlobCreated event (Event Grid schema, as queued) for blob <paramref name="name"/> of <paramref name="container"/>.</summary>
    public static string Event(string connectionString, string container, string name, string eTag, long length)
    {
        var blob = new BlobClient(connectionString, container, name);
        return JsonSerializer.Serialize(new
        {
            id = Guid.NewGuid().ToString(),
            topic = "/subscriptions/0/resourceGroups/datahub/providers/Microsoft.Storage/storageAccounts/" + blob.AccountName,
            subject = $"/blobServices/default/containers/{container}/blobs/{name}",
            eventType = "Microsoft.Storage.BlobCreated",
            eventTime = DateTimeOffset.UtcNow,

            // The service's events carry the ETag unquoted.
            data = new { api = "SftpCommit", eTag = eTag.Trim('"'), contentLength = length, blobType = "BlockBlob", url = blob.Uri.ToString() },
            dataVersion = string.Empty,
            metadataVersion = "1",
        });
    }
}
