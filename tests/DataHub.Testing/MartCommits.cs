using System.Security.Cryptography;
using DataHub.Core.Marts;
using DataHub.Core.Storage;

namespace DataHub.Testing;

/// <summary>Puts a mart file built outside the ingest pipeline (a fixture, a benchmark) into a store as a committed batch would be: the file, then its batch's manifest (under the names batches had before attempts had names of their own).</summary>
public static class MartCommits
{
    /// <summary>Writes <paramref name="bytes"/> as the quarter file of a batch and (re)commits the batch's manifest with it added.</summary>
    public static async Task WriteAsync(IObjectStore store, string feed, string partner, string quarter, string batch, byte[] bytes, long rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(bytes);
        var path = MartSchema.PathFor(feed, quarter, batch);
        await store.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), WriteOptions.Default, cancellationToken);
        var catalog = new MartCatalog(store);
        var earlier = (await catalog.CommittedAsync(feed, cancellationToken)).FirstOrDefault(m => m.BatchId == batch);
        var file = new MartManifestFile(path, quarter, rows, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        var files = (earlier?.Files ?? []).Where(f => f.Path != path).Append(file).OrderBy(f => f.Quarter, StringComparer.Ordinal).ToList();
        await catalog.CommitAsync(
            new MartManifest(batch, feed, partner, new string('0', 64), earlier?.CommittedAt ?? DateTimeOffset.UtcNow, files.Sum(f => f.Rows), 0, files),
            await store.GetAsync(MartManifest.PathFor(feed, batch), cancellationToken),
            cancellationToken);
    }
}
