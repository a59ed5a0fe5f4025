using System.Security.Cryptography;
using DataHub.Core.Marts;
using DataHub.Core.Storage;

namespace DataHub.Testing;

/// <summary>What readers would find of one feed's batches: every committed batch with the problems of its files (none when whole).</summary>
public static class CommittedMarts
{
    /// <summary>
    /// The committed batches of <paramref name="feed"/>, each with what is wrong with it as a reader would find it: a listed
    /// file missing, or not the bytes its manifest names. An empty list of problems is a whole batch.
    /// </summary>
    public static async Task<List<(CommittedBatch Batch, List<string> Problems)>> ReadAsync(IObjectStore store, string feed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var found = new List<(CommittedBatch, List<string>)>();
        foreach (var batch in (await new MartCatalog(store).ScanAsync(feed, cancellationToken)).Batches)
        {
            var problems = new List<string>();
            foreach (var file in batch.Manifest.Files)
            {
                try
                {
                    using var buffer = new MemoryStream();
                    await using (var stream = await store.OpenReadAsync(file.Path, null, cancellationToken))
                    {
                        await stream.CopyToAsync(buffer, cancellationToken);
                    }

                    if (Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray())) != file.Sha256)
                    {
                        problems.Add($"{file.Path} is not the file its manifest lists");
                    }
                }
                catch (ObjectNotFoundException)
                {
                    problems.Add($"{file.Path} is missing");
                }
            }

            found.Add((batch, problems));
        }

        return found;
    }
}
