using System.Security.Cryptography;
using System.Text.Json.Serialization;
using DataHub.Core.Feeds;
using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Core.Marts;
using DataHub.Core.Storage;
using DataHub.Parquet;

namespace DataHub.Core.Rollup;

/// <summary>One mart file the rollup read, for the run manifest.</summary>
/// <param name="Path">Object path in the secure container.</param>
/// <param name="Sha256">SHA-256 of the file as read (lowercase hex).</param>
/// <param name="Feed">The feed.</param>
/// <param name="Partner">The sending partner, from the file's metadata.</param>
/// <param name="KeyVersion">The key version its tokens were made under.</param>
/// <param name="RulesVersion">The validation rules version it was ingested under.</param>
/// <param name="Rows">(Not in the published manifest: a cohort feed's quarter file holds the people of the cohorts starting in it,
/// exactly.) Rows read; each batch's manifest in the secure zone has them.</param>
/// <param name="BatchId">The ingest batch (one delivery) the file belongs to, from its metadata.</param>
/// <param name="Received">When the file's batch was committed (its manifest's time): the delivery's arrival.</param>
/// <param name="FirstDate">(Not in the published manifest: one record's date.) The earliest date of the feed's period field among the rows (health: the first day of the earliest quarter).</param>
/// <param name="LastDate">The latest such date (health: the last day of the latest quarter).</param>
public sealed record MartInput(
    string Path,
    string Sha256,
    string Feed,
    string? Partner,
    string? KeyVersion,
    string? RulesVersion,
    [property: JsonIgnore] long Rows,
    string? BatchId = null,
    DateTimeOffset? Received = null,
    [property: JsonIgnore] DateOnly? FirstDate = null,
    [property: JsonIgnore] DateOnly? LastDate = null);

/// <summary>What the loader read: linked inputs, link quality, and the files with their hashes.</summary>
public sealed record LoadedMarts(KpiInputs Inputs, string KeyVersion, IReadOnlyList<LinkQualityRow> LinkQuality, IReadOnlyList<MartInput> Files, Quarter? LatestQuarter);

/// <summary>Raised when the marts cannot be rolled up (no cohort feed yet, an unreadable file); the message names the file, never a value.</summary>
public sealed class RollupInputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads the secure marts (cohort first), links each partner row to the cohort as it is read, and keeps only linked records.</summary>
public sealed class MartLoader(IObjectStore store)
{
    private readonly IObjectStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Loads every feed's mart files, oldest first so a re-sent record's later copy wins.</summary>
    /// <exception cref="RollupInputException">There is no csc-people mart, or a file cannot be read.</exception>
    /// <exception cref="KeyVersionMismatchException">A file's tokens were made under another key version than the cohort's.</exception>
    public async Task<LoadedMarts> LoadAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LoadOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (BatchWithdrawnException ex)
            {
                // Retention (or a retried delivery) withdrew a batch after it was listed, perhaps after some of its files
                // were read: everything is read again from the batches committed now, so no batch is ever taken in part.
                if (attempt == 3)
                {
                    throw new RollupInputException($"Batches kept being withdrawn while the marts were read (last: '{ex.Path}'); nothing was published.", ex);
                }
            }
        }
    }

    private async Task<LoadedMarts> LoadOnceAsync(CancellationToken cancellationToken)
    {
        var files = new List<MartInput>();
        Quarter? latest = null;

        var cohortRows = new List<CscPersonRow>();
        string? cohortPartner = null;
        foreach (var obj in await ListAsync(FeedCatalog.CscPeople, cancellationToken).ConfigureAwait(false))
        {
            var (input, partner) = await ReadAsync(obj, FeedCatalog.CscPeople, MartRows.CscPerson, cohortRows.Add, cancellationToken).ConfigureAwait(false);
            files.Add(input);
            cohortPartner ??= partner;
            latest = Later(latest, obj.File.Path);
        }

        if (cohortRows.Count == 0)
        {
            throw new RollupInputException("No csc-people mart rows under secure/csc-people/: the cohort is defined by that feed, so there is nothing to roll up yet.");
        }

        var cohort = CohortIndex.Build(cohortRows);
        var builder = new LinkedInputsBuilder(cohort);
        cohortRows.ForEach(builder.AddCohortRow);
        cohortRows.Clear();

        async Task Feed<T>(string feed, Func<MartRowGroup, Func<int, T>> read, Action<T, bool> add)
        {
            foreach (var obj in await ListAsync(feed, cancellationToken).ConfigureAwait(false))
            {
                var samePartner = false;
                var (input, _) = await ReadAsync(obj, feed, read, row => add(row, samePartner), cancellationToken, (partner, version) =>
                {
                    if (version is not null && !string.Equals(version, cohort.KeyVersion, StringComparison.Ordinal))
                    {
                        throw new KeyVersionMismatchException(feed, version, cohort.KeyVersion);
                    }

                    samePartner = string.Equals(partner, cohortPartner, StringComparison.Ordinal);
                }).ConfigureAwait(false);
                files.Add(input);
                latest = Later(latest, obj.File.Path);
            }
        }

        await Feed(FeedCatalog.CscCpPlans, MartRows.CpPlan, (r, same) => builder.Add(r, same)).ConfigureAwait(false);
        await Feed(FeedCatalog.CscClaPeriods, MartRows.ClaPeriod, (r, same) => builder.Add(r, same)).ConfigureAwait(false);
        await Feed(FeedCatalog.PoliceDaIncidents, MartRows.Incident, (r, same) => builder.Add(r, same)).ConfigureAwait(false);
        await Feed(FeedCatalog.HealthAggregates, MartRows.Health, (r, _) => builder.Add(r)).ConfigureAwait(false);
        await Feed(FeedCatalog.SubstanceMisuseEpisodes, MartRows.Episode, (r, same) => builder.Add(r, same)).ConfigureAwait(false);
        await Feed(FeedCatalog.SubstanceMisuseTops, MartRows.Tops, (r, same) => builder.Add(r, same)).ConfigureAwait(false);
        await Feed(FeedCatalog.SchoolAttendance, MartRows.Attendance, (r, same) => builder.Add(r, same)).ConfigureAwait(false);
        await Feed(FeedCatalog.DaProgrammes, MartRows.Programme, (r, same) => builder.Add(r, same)).ConfigureAwait(false);
        await Feed(FeedCatalog.MentalHealthScores, MartRows.Score, (r, same) => builder.Add(r, same)).ConfigureAwait(false);

        return new LoadedMarts(builder.Build(), cohort.KeyVersion, builder.LinkQuality(), files, latest);
    }

    // Only committed batches are read (the files their manifests list), oldest commit first; nothing half-committed is ever seen.
    private async Task<IReadOnlyList<CommittedFile>> ListAsync(string feed, CancellationToken cancellationToken)
    {
        try
        {
            return [.. (await new MartCatalog(_store).CommittedAsync(feed, cancellationToken).ConfigureAwait(false)).SelectMany(m => m.Files.Select(f => new CommittedFile(f, m)))];
        }
        catch (DamagedManifestException ex)
        {
            throw new RollupInputException(ex.Message, ex);
        }
    }

    private async Task<(MartInput Input, string? Partner)> ReadAsync<T>(
        CommittedFile committed,
        string feed,
        Func<MartRowGroup, Func<int, T>> read,
        Action<T> add,
        CancellationToken cancellationToken,
        Action<string?, string?>? check = null)
    {
        using var buffer = new MemoryStream();
        var obj = committed.File;
        string? sha = null;
        try
        {
            var source = await _store.OpenReadAsync(obj.Path, null, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                await source.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            sha = Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        }
        catch (Exception ex) when (ex is ObjectNotFoundException or ObjectChangedException)
        {
            // Gone or replaced while read: judged below against its batch's manifest as it is now.
            sha = null;
        }

        if (!string.Equals(sha, obj.Sha256, StringComparison.Ordinal))
        {
            bool stillCommitted;
            try
            {
                stillCommitted = await new MartCatalog(_store).IsStillCommittedAsync(committed.Batch, obj, cancellationToken).ConfigureAwait(false);
            }
            catch (DamagedManifestException ex)
            {
                // The batch's manifest was damaged, or closed to the hub's user, after it was listed: whether the batch is
                // still committed cannot be known, so the rollup refuses as for a manifest damaged when listed, never
                // publishing without it (nor retrying as though it had been withdrawn).
                throw new RollupInputException(ex.Message, ex);
            }

            if (!stillCommitted)
            {
                throw new BatchWithdrawnException(obj.Path);
            }

            throw new RollupInputException(sha is null
                ? $"Mart file '{obj.Path}' is missing or changed while read, although its batch manifest still commits it."
                : $"Mart file '{obj.Path}' does not match its batch manifest: it changed after it was committed.");
        }

        buffer.Position = 0;
        try
        {
            var reader = await ParquetReader.OpenAsync(buffer, obj.Path, leaveOpen: true, cancellationToken).ConfigureAwait(false);
            await using var closing = reader.ConfigureAwait(false);
            reader.Metadata.TryGetValue("datahub.partner", out var partner);
            reader.Metadata.TryGetValue("datahub.key_version", out var keyVersion);
            reader.Metadata.TryGetValue("datahub.rules_version", out var rulesVersion);
            reader.Metadata.TryGetValue("datahub.batch_id", out var batch);
            check?.Invoke(partner, keyVersion);
            long rows = 0;
            var span = new PeriodSpan();
            for (var rg = 0; rg < reader.RowGroups.Count; rg++)
            {
                var group = await MartRowGroup.ReadAsync(reader, rg, obj.Path, cancellationToken).ConfigureAwait(false);
                var row = read(group);
                for (var r = 0; r < group.Rows; r++)
                {
                    add(row(r));
                }

                span.Add(group, FeedCatalog.Find(feed)?.QuarterField);
                rows += group.Rows;
            }

            return (new MartInput(obj.Path, obj.Sha256, feed, partner, keyVersion, rulesVersion, rows, batch, committed.Batch.CommittedAt, span.First, span.Last), partner);
        }
        catch (ParquetFormatException ex)
        {
            throw new RollupInputException($"Mart file '{obj.Path}' is not readable Parquet: {ex.Problem}", ex);
        }
    }

    private static Quarter? Later(Quarter? current, string path)
    {
        const string marker = "/quarter=";
        var at = path.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0 || !Quarter.TryParse(path.Substring(at + marker.Length, Math.Min(6, path.Length - at - marker.Length)), out var q))
        {
            return current;
        }

        return current is { } c && c.CompareTo(q) >= 0 ? c : q;
    }

    // A quarter file with its batch as listed (its commit time stands for the delivery's arrival).
    private sealed record CommittedFile(MartManifestFile File, MartManifest Batch);

    // A batch listed at the start of the load is no longer committed as listed.
    private sealed class BatchWithdrawnException(string path) : Exception($"The batch of '{path}' was withdrawn while the marts were read.")
    {
        public string Path { get; } = path;
    }
}

