using System.Text.Json;
using System.Text.Json.Serialization;
using DataHub.Core.Hub;

namespace DataHub.Core.Marts;

/// <summary>
/// The commit record of one batch: every quarter file that makes it up, with its size, SHA-256 and rows. The store has no
/// atomic multi-file rename, so the manifest is the one object written last: a batch is visible exactly when its manifest
/// exists, and every reader (the rollup, retention, <c>datahub parquet</c>, DuckDB following the README) takes only the
/// files a manifest lists. Each commit attempt writes its files under names of its own, so a manifest lists exactly the
/// files its attempt wrote. Quarter files no manifest lists (an interrupted commit, or an attempt overtaken or withdrawn)
/// are invisible and cleaned up.
/// </summary>
/// <param name="BatchId">The batch id.</param>
/// <param name="Feed">The feed.</param>
/// <param name="Partner">The sending partner.</param>
/// <param name="SourceSha256">SHA-256 of the landed file the batch came from.</param>
/// <param name="CommittedAt">When the batch was committed; readers take batches in this order.</param>
/// <param name="Rows">Rows stored across the files.</param>
/// <param name="RowsRejected">Rows of the landed file rejected.</param>
/// <param name="Files">The quarter files, in quarter order: the files its own commit attempt wrote, and no others.</param>
/// <param name="Attempt">
/// The commit attempt whose files these are (<see cref="MartSchema.AttemptOf"/>), named in each file's name; null in a
/// manifest committed before attempts had names of their own, whose files are named by the batch alone.
/// </param>
public sealed record MartManifest(
    string BatchId,
    string Feed,
    string Partner,
    string SourceSha256,
    DateTimeOffset CommittedAt,
    long Rows,
    long RowsRejected,
    IReadOnlyList<MartManifestFile> Files,
    string? Attempt = null)
{
    /// <summary>The folder of a feed's manifests, beside its quarter folders.</summary>
    public const string Folder = "_batches";

    /// <summary>Where a batch's manifest lives: secure/{feed}/_batches/{batchId}.json.</summary>
    public static string PathFor(string feed, string batchId) => $"secure/{feed}/{Folder}/{batchId}.json";

    /// <summary>This manifest's path.</summary>
    [JsonIgnore]
    public string Path => PathFor(Feed, BatchId);

    /// <summary>The manifest as JSON (UTF-8).</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HubJson.Default.MartManifest);

    /// <summary>Reads a manifest; null when the bytes are not one (a damaged manifest commits nothing).</summary>
    public static MartManifest? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize(json, HubJson.Default.MartManifest);
            return manifest is { BatchId.Length: > 0, Feed.Length: > 0, Files: not null }
                && (manifest.Attempt is null || MartSchema.IsAttempt(manifest.Attempt))
                && manifest.Files.All(f => f is { Path.Length: > 0, Sha256.Length: 64 })
                ? manifest
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One quarter file of a committed batch.</summary>
/// <param name="Path">Its object path: secure/{feed}/quarter=YYYYQn/{batchId}.{attempt}.parquet (see <see cref="MartSchema.PathFor"/>).</param>
/// <param name="Quarter">The quarter of its rows.</param>
/// <param name="Rows">Rows in the file.</param>
/// <param name="Bytes">The file's size.</param>
/// <param name="Sha256">SHA-256 of the file (lowercase hex); readers refuse a file that does not match.</param>
public sealed record MartManifestFile(string Path, string Quarter, long Rows, long Bytes, string Sha256);
