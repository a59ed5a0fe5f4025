using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Storage;

namespace DataHub.Core.Rollup;

/// <summary>A rollup run whose version folders were left without a manifest (the run was killed, failed or stalled before publishing).</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Objects">Every object the run left, under published/kpi/v={run}/ and secure/kpi/v={run}/ (never its manifest path).</param>
/// <param name="ClearedBefore">
/// True when the folder was already cleared (its manifest path holds the empty marker): these are files a stalled run wrote
/// after the clearing, and the run can never publish them.
/// </param>
public sealed record AbandonedVersion(string RunId, IReadOnlyList<string> Objects, bool ClearedBefore = false);

/// <summary>A mart batch a published run read, as its manifest lists it: the feed, the partner (null in manifests older than the partner field) and the batch id.</summary>
public sealed record RunInputBatch(string Feed, string? Partner, string BatchId);

/// <summary>
/// The version folders of the KPI tables (or, given its area, of the governance tables): commits a run's manifest, finds runs
/// abandoned before their manifest and clears them, and reads the audit head each published KPI manifest records (an anchor
/// for `audit verify` that deleting the audit log cannot reach).
/// </summary>
/// <remarks>
/// A folder's fate is decided by one create-only write at its manifest path: the run's manifest, or the empty marker a
/// clearing writes before it deletes anything. Whichever comes first wins, so a run whose folder was (even partly) cleared
/// can never publish it, and a folder with a manifest is never cleared. The marker stays (run ids are not reused); an empty
/// manifest is never a version.
/// </remarks>
/// <param name="store">The hub's store.</param>
/// <param name="area">The folder under published/ (and secure/): "kpi" or "governance".</param>
public sealed class KpiVersions(IObjectStore store, string area = "kpi")
{
    private readonly string _published = $"published/{area}/v=";
    private readonly string _secure = $"secure/{area}/v=";
    private readonly IObjectStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The audit rule of an abandoned version cleared: <c>rollup.abandoned_version</c> for the KPI tables, <c>governance.abandoned_version</c>.</summary>
    public string AbandonedRule => (area == "kpi" ? "rollup" : area) + ".abandoned_version";

    /// <summary>The audit rule of a run refused because its folder was cleared as abandoned while it stalled: <c>rollup.version_cleared</c>, <c>governance.version_cleared</c>.</summary>
    public string ClearedRule => (area == "kpi" ? "rollup" : area) + ".version_cleared";

    /// <summary>The path of a run's manifest, the folder's commit point.</summary>
    public string ManifestOf(string runId) => _published + runId + "/manifest.json";

    /// <summary>
    /// Writes a run's manifest, create-only: true when it is written (the version may be made current); false when the
    /// folder was cleared as abandoned first (its manifest path holds the empty marker), and nothing of the run may be published.
    /// </summary>
    public async Task<bool> CommitManifestAsync(string runId, byte[] manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var path = ManifestOf(runId);
        try
        {
            await _store.WriteAsync(path, (s, ct) => s.WriteAsync(manifest, ct).AsTask(), WriteOptions.CreateNew, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ObjectExistsException)
        {
            // A retried request whose first answer was lost meets the run's own manifest; anything else there is the marker.
            return await HoldsAsync(path, manifest, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The runs with no manifest whose id says they started more than <paramref name="age"/> before <paramref name="now"/>.</summary>
    /// <remarks>A younger run may still be writing: it is left alone.</remarks>
    public async Task<IReadOnlyList<AbandonedVersion>> AbandonedAsync(DateTimeOffset now, TimeSpan age, CancellationToken cancellationToken)
    {
        var runs = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var manifests = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        foreach (var prefix in new[] { _published, _secure })
        {
            await foreach (var item in _store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                var rest = item.Path[prefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                if (slash <= 0)
                {
                    continue;
                }

                var run = rest[..slash];
                if (prefix == _published && rest[(slash + 1)..] == "manifest.json")
                {
                    manifests[run] = item;
                    continue;
                }

                (runs.TryGetValue(run, out var objects) ? objects : runs[run] = []).Add(item.Path);
            }
        }

        // A cleared folder's files were written after the clearing by a run that can never publish them: no age to wait.
        return [.. runs
            .Where(r => manifests.TryGetValue(r.Key, out var manifest) ? IsClearedMarker(manifest) : StartOf(r.Key) is { } started && now - started > age)
            .Select(r => new AbandonedVersion(r.Key, r.Value, manifests.ContainsKey(r.Key)))];
    }

    /// <summary>Clears the runs <see cref="AbandonedAsync"/> finds, auditing each as deleted under <see cref="AbandonedRule"/>; returns them.</summary>
    public async Task<IReadOnlyList<AbandonedVersion>> ClearAbandonedAsync(IAuditLog audit, DateTimeOffset now, TimeSpan age, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var cleared = new List<AbandonedVersion>();
        var kind = area == "kpi" ? "Rollup" : "Governance";
        foreach (var abandoned in await AbandonedAsync(now, age, cancellationToken).ConfigureAwait(false))
        {
            if (!abandoned.ClearedBefore && !await ClaimAsync(abandoned.RunId, cancellationToken).ConfigureAwait(false))
            {
                // Its run wrote its manifest after the listing (it was only stalled), or another clearing claimed it first.
                continue;
            }

            await ClearAsync(abandoned, cancellationToken).ConfigureAwait(false);
            await AuditRefusal.AfterWritingAsync($"Abandoned {kind.ToLowerInvariant()} folder {_published}{abandoned.RunId} was cleared ({abandoned.Objects.Count} objects), but its clearing was not recorded.", () => audit.AppendAsync(
                new AuditEntry(
                    AuditKinds.Deleted,
                    Path: _published + abandoned.RunId,
                    Rule: AbandonedRule,
                    Detail: abandoned.ClearedBefore
                        ? $"{kind} run {abandoned.RunId} wrote files after its folder was cleared as abandoned; it can never publish them, and they were cleared."
                        : $"{kind} run {abandoned.RunId} stopped before publishing its manifest; its folder was marked cleared (an empty manifest.json, so the run can never publish it) and the files it left were cleared.",
                    Counts: new Dictionary<string, long>(StringComparer.Ordinal) { ["objects"] = abandoned.Objects.Count }),
                cancellationToken)).ConfigureAwait(false);
            cleared.Add(abandoned);
        }

        return cleared;
    }

    // Deletes what an abandoned run left: only once its folder is claimed, so never a folder whose manifest was written.
    private async Task ClearAsync(AbandonedVersion version, CancellationToken cancellationToken)
    {
        foreach (var path in version.Objects)
        {
            await _store.DeleteAsync(path, null, cancellationToken).ConfigureAwait(false);
        }
    }

    // The empty marker, written create-only at the run's manifest path before anything is deleted: false when a manifest
    // (or another clearing's marker) got there first.
    private async Task<bool> ClaimAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            await _store.WriteAsync(ManifestOf(runId), (_, _) => Task.CompletedTask, WriteOptions.CreateNew, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ObjectExistsException)
        {
            return false;
        }
    }

    // A manifest is never empty: an empty object at a manifest path marks a folder cleared as abandoned.
    private static bool IsClearedMarker(StoredObject manifest) => manifest.Length == 0;

    private async Task<bool> HoldsAsync(string path, byte[] expected, CancellationToken cancellationToken)
    {
        if (await _store.GetAsync(path, cancellationToken).ConfigureAwait(false) is not { } found || found.Length != expected.Length)
        {
            return false;
        }

        var stream = await _store.OpenReadAsync(path, found.ETag, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return hash.AsSpan().SequenceEqual(SHA256.HashData(expected));
        }
    }

    /// <summary>The runs whose manifest was committed (a cleared folder's empty marker is not one), with their manifest paths.</summary>
    public async IAsyncEnumerable<(string RunId, string Path)> CommittedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _store.ListAsync(_published, cancellationToken).ConfigureAwait(false))
        {
            var rest = item.Path[_published.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && rest[(slash + 1)..] == "manifest.json" && !IsClearedMarker(item))
            {
                yield return (rest[..slash], item.Path);
            }
        }
    }

    /// <summary>The audit head recorded in each published manifest (manifests that cannot be read, or predate anchors, are skipped).</summary>
    public async IAsyncEnumerable<AuditAnchor> AnchorsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var manifests = new List<string>();
        await foreach (var item in _store.ListAsync(_published, cancellationToken).ConfigureAwait(false))
        {
            if (item.Path.EndsWith("/manifest.json", StringComparison.Ordinal) && !IsClearedMarker(item))
            {
                manifests.Add(item.Path);
            }
        }

        foreach (var path in manifests)
        {
            if (await ReadHeadAsync(path, cancellationToken).ConfigureAwait(false) is { } head)
            {
                yield return new AuditAnchor(head.Sequence, head.Hash, path);
            }
        }
    }

    /// <summary>The run an object of the secure zone belongs to (secure/{area}/v={run}/…); null for any other path.</summary>
    public string? SecureRunOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith(_secure, StringComparison.Ordinal))
        {
            return null;
        }

        var slash = path.IndexOf('/', _secure.Length);
        return slash > _secure.Length ? path[_secure.Length..slash] : null;
    }

    /// <summary>
    /// The batches a run's manifest lists as its inputs, one entry per batch; null when the run has no manifest (it is still
    /// writing, or was abandoned), its folder was cleared, or its manifest cannot be read (then passed, by its path, to
    /// <paramref name="unreadable"/>).
    /// </summary>
    public async Task<IReadOnlyList<RunInputBatch>?> InputBatchesAsync(string runId, CancellationToken cancellationToken, Action<string>? unreadable = null)
    {
        var path = ManifestOf(runId);
        try
        {
            if (await _store.GetAsync(path, cancellationToken).ConfigureAwait(false) is not { } found || IsClearedMarker(found))
            {
                return null;
            }

            var stream = await _store.OpenReadAsync(path, found.ETag, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!doc.RootElement.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
                {
                    return null;
                }

                return [.. inputs.EnumerateArray()
                    .Select(i => new RunInputBatch(
                        i.GetProperty("feed").GetString()!,
                        i.TryGetProperty("partner", out var partner) ? partner.GetString() : null,
                        i.TryGetProperty("batch_id", out var batch) && batch.GetString() is { } id ? id : Marts.MartSchema.BatchOfFileName(Path.GetFileName(i.GetProperty("path").GetString()!))))
                    .Distinct()];
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentNullException)
        {
            unreadable?.Invoke(path);
            return null;
        }
        catch (Exception ex) when (ex is ObjectNotFoundException or ObjectChangedException)
        {
            // Cleared or replaced since it was found: the rollup's clearing is at work on it, nothing is wrong with it.
            return null;
        }
    }

    /// <summary>When a run started, from its id ("yyyyMMddTHHmmssZ-xxxxxx"); null for a folder that is not a run's.</summary>
    internal static DateTimeOffset? StartOf(string runId) =>
        runId.Length > 16 && DateTimeOffset.TryParseExact(runId[..16], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private async Task<AuditHead?> ReadHeadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await _store.OpenReadAsync(path, null, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                return doc.RootElement.TryGetProperty("audit_head", out var h) && h.ValueKind == JsonValueKind.Object
                    ? new AuditHead(h.GetProperty("sequence").GetInt64(), h.GetProperty("hash").GetString() ?? string.Empty)
                    : null;
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ObjectNotFoundException)
        {
            return null;
        }
    }
}
