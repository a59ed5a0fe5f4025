using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Storage;

namespace DataHub.Core.Rollup;

/// <summary>A rollup run whose version folders were left without a manifest (the run was killed or failed before publishing).</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Objects">Every object the run left, under published/kpi/v={run}/ and secure/kpi/v={run}/.</param>
public sealed record AbandonedVersion(string RunId, IReadOnlyList<string> Objects);

/// <summary>
/// The version folders of the KPI tables (or, given its area, of the governance tables): finds runs abandoned before their
/// manifest and clears them, and reads the audit head each published KPI manifest records (an anchor for `audit verify` that
/// deleting the audit log cannot reach).
/// </summary>
/// <param name="store">The hub's store.</param>
/// <param name="area">The folder under published/ (and secure/): "kpi" or "governance".</param>
public sealed class KpiVersions(IObjectStore store, string area = "kpi")
{
    private readonly string _published = $"published/{area}/v=";
    private readonly string _secure = $"secure/{area}/v=";
    private readonly IObjectStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The audit rule of an abandoned version cleared: <c>rollup.abandoned_version</c> for the KPI tables, <c>governance.abandoned_version</c>.</summary>
    public string AbandonedRule => (area == "kpi" ? "rollup" : area) + ".abandoned_version";

    /// <summary>The runs with no manifest whose id says they started more than <paramref name="age"/> before <paramref name="now"/>.</summary>
    /// <remarks>A younger run may still be writing: it is left alone.</remarks>
    public async Task<IReadOnlyList<AbandonedVersion>> AbandonedAsync(DateTimeOffset now, TimeSpan age, CancellationToken cancellationToken)
    {
        var runs = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var published = new HashSet<string>(StringComparer.Ordinal);
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
                    published.Add(run);
                }

                (runs.TryGetValue(run, out var objects) ? objects : runs[run] = []).Add(item.Path);
            }
        }

        return [.. runs
            .Where(r => !published.Contains(r.Key) && StartOf(r.Key) is { } started && now - started > age)
            .Select(r => new AbandonedVersion(r.Key, r.Value))];
    }

    /// <summary>Clears the runs <see cref="AbandonedAsync"/> finds, auditing each as deleted under <see cref="AbandonedRule"/>; returns them.</summary>
    public async Task<IReadOnlyList<AbandonedVersion>> ClearAbandonedAsync(IAuditLog audit, DateTimeOffset now, TimeSpan age, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var cleared = await AbandonedAsync(now, age, cancellationToken).ConfigureAwait(false);
        foreach (var abandoned in cleared)
        {
            await ClearAsync(abandoned, cancellationToken).ConfigureAwait(false);
            await audit.AppendAsync(
                new AuditEntry(
                    AuditKinds.Deleted,
                    Path: _published + abandoned.RunId,
                    Rule: AbandonedRule,
                    Detail: $"{(area == "kpi" ? "Rollup" : "Governance")} run {abandoned.RunId} stopped before publishing its manifest; the files it left were cleared.",
                    Counts: new Dictionary<string, long>(StringComparer.Ordinal) { ["objects"] = abandoned.Objects.Count }),
                cancellationToken).ConfigureAwait(false);
        }

        return cleared;
    }

    /// <summary>Deletes what an abandoned run left.</summary>
    public async Task ClearAsync(AbandonedVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        foreach (var path in version.Objects)
        {
            await _store.DeleteAsync(path, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The audit head recorded in each published manifest (manifests that cannot be read, or predate anchors, are skipped).</summary>
    public async IAsyncEnumerable<AuditAnchor> AnchorsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var manifests = new List<string>();
        await foreach (var item in _store.ListAsync(_published, cancellationToken).ConfigureAwait(false))
        {
            if (item.Path.EndsWith("/manifest.json", StringComparison.Ordinal))
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

    /// <summary>When a run started, from its id ("yyyyMMddTHHmmssZ-xxxxxx"); null for a folder that is not a run's.</summary>
    private static DateTimeOffset? StartOf(string runId) =>
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
