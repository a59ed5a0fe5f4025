using System.Text.Json;
using Azure.Storage.Blobs;
using DataHub.Core.Storage;
using DataHub.Functions;
using DataHub.Seeds;
using Microsoft.Azure.Functions.Worker;
using Moq;

namespace DataHub.Azure.Tests.Functions;

/// <summary>A landed blob as the IngestExtract trigger is handed it: its client, and trigger metadata carrying its properties.</summary>
internal sealed record Delivery(BlobClient Blob, FunctionContext Context, StoredObject Landed)
{
    /// <summary>Runs <paramref name="function"/> on this delivery, as the host does for one Event Grid event.</summary>
    public Task To(IngestExtractFunction function) => function.RunAsync(Blob, Context, CancellationToken.None);
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

    /// <summary>Writes <paramref name="file"/> to landing/{partner}/{feed}/{name} through <paramref name="store"/>.</summary>
    public static async Task<Delivery> LandAsync(IObjectStore store, string connectionString, SyntheticFile file)
    {
        var path = "landing/" + file.LandingPath;
        var landed = await store.WriteAsync(path, (s, ct) => s.WriteAsync(file.Content, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        return Of(landed, connectionString);
    }

    /// <summary>The delivery of an object already in landing/, for the version <paramref name="landed"/> describes.</summary>
    public static Delivery Of(StoredObject landed, string connectionString)
    {
        var blob = new BlobClient(connectionString, "landing", landed.Path["landing/".Length..]);

        // The blob trigger's metadata: the path pattern's values and the blob's properties (as JSON) when the event fired.
        var parts = landed.Path.Split('/', 4);
        var data = new Dictionary<string, object?>
        {
            ["partner"] = parts[1],
            ["feed"] = parts[2],
            ["name"] = parts[3],
            ["Properties"] = JsonSerializer.Serialize(new { ETag = landed.ETag, ContentLength = landed.Length }),
        };
        var binding = new Mock<BindingContext>();
        binding.SetupGet(b => b.BindingData).Returns(data);
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.BindingContext).Returns(binding.Object);
        return new Delivery(blob, context.Object, landed);
    }
}
