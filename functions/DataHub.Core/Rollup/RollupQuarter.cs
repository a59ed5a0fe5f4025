using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using DataHub.Core.Audit;
using DataHub.Core.Disclosure;
using DataHub.Core.Hub;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.Core.Rollup;

/// <summary>
/// What to roll up. Every run publishes a full version (every quarter from the first cohort's baseline year to the latest with
/// data); <paramref name="Quarter"/> names a quarter whose data changed, which must be one of them. A version is one disclosure
/// decision over every published cell, and later quarters read earlier data (12-month windows), so every quarter is recomputed.
/// </summary>
public sealed record RollupRequest(Quarter? Quarter = null);

/// <summary>The quarter asked for is outside the quarters the hub reports.</summary>
public sealed class RollupQuarterOutOfRangeException(string message) : Exception(message);

/// <summary>What a rollup run published.</summary>
/// <param name="RunId">The run's id, also the version folder name after <c>v=</c>.</param>
/// <param name="VersionPath">The version folder, e.g. <c>published/kpi/v=20260101T020000Z-ab12cd</c>.</param>
/// <param name="Quarters">The quarters computed.</param>
/// <param name="KpiRows">Rows in kpi_values.</param>
/// <param name="SuppressedCells">Count cells suppressed by disclosure control.</param>
/// <param name="ManifestSha256">SHA-256 of the run manifest, as recorded in the audit event and in current.json.</param>
public sealed record RollupOutcome(string RunId, string VersionPath, IReadOnlyList<string> Quarters, int KpiRows, int SuppressedCells, string ManifestSha256)
{
    /// <summary>kpi_values rows per marker ("" for a plain value).</summary>
    public IReadOnlyDictionary<string, int> Markers { get; init; } = new Dictionary<string, int>();

    /// <summary>Milliseconds spent loading and linking, computing, applying disclosure control and writing.</summary>
    public IReadOnlyDictionary<string, long> PhaseTimings { get; init; } = new Dictionary<string, long>();

    /// <summary>When the run began, before it read its inputs.</summary>
    public DateTimeOffset Started { get; init; }

    /// <summary>
    /// Null when the version was made current; otherwise the version that stays current, which a run that started later
    /// (so read later inputs) switched to meanwhile. The version written is whole, with its manifest, but never current.
    /// </summary>
    public string? SupersededBy { get; init; }

    /// <summary>
    /// True when the run stalled past <see cref="RollupSettings.AbandonedVersionAge"/> and a later run cleared its folder as
    /// abandoned before its manifest was written: nothing of it was published, and the current version stays.
    /// </summary>
    public bool ClearedAsAbandoned { get; init; }
}

/// <summary>The rollup's configuration: KPI rules, the disclosure profile each feed's agreement names, and its timer schedule.</summary>
public sealed record RollupSettings
{
    /// <summary>The default timer schedule (six-field NCRONTAB, as the Functions host uses): 02:00 every day.</summary>
    public const string DefaultSchedule = "0 0 2 * * *";

    /// <summary>The KPI rules (cohorts, switches, code lists).</summary>
    public KpiOptions Kpis { get; init; } = new();

    /// <summary>The disclosure profile per feed, from the agreements.</summary>
    public IReadOnlyDictionary<string, DisclosureProfile> FeedProfiles { get; init; } = new Dictionary<string, DisclosureProfile>();

    /// <summary>The expected cadence per feed, from the agreements: which periods a delivery reports on.</summary>
    public IReadOnlyDictionary<string, DeliveryCadence> FeedCadences { get; init; } = new Dictionary<string, DeliveryCadence>();

    /// <summary>The profile for a feed no agreement names: threshold 4, zeros shown, rounding to 5, rates over at least 10.</summary>
    public DisclosureProfile FallbackProfile { get; init; } = new("standard", 4, false, 5, 10);

    /// <summary>The disclosure profile a feed's agreement names, or <see cref="FallbackProfile"/>.</summary>
    public DisclosureProfile ProfileOf(string feed) => FeedProfiles.TryGetValue(feed, out var profile) ? profile : FallbackProfile;

    /// <summary>The RollupQuarter timer's CRON schedule.</summary>
    public string Schedule { get; init; } = DefaultSchedule;

    /// <summary>How old a run's version folders must be, without a manifest, before a later run clears them as abandoned (default 1 hour).</summary>
    public TimeSpan AbandonedVersionAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Settings whose per-feed disclosure profiles are the ones the agreements name.</summary>
    /// <exception cref="InvalidOperationException">An agreement names a profile the protocol set does not define.</exception>
    public static RollupSettings FromProtocols(ProtocolSet protocols, KpiOptions? kpis = null)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        var profiles = new SortedDictionary<string, DisclosureProfile>(StringComparer.Ordinal);
        var cadences = new SortedDictionary<string, DeliveryCadence>(StringComparer.Ordinal);
        foreach (var partner in protocols.Partners)
        {
            foreach (var (feed, agreement) in partner.Feeds)
            {
                // Two partners sending one feed: the more frequent cadence is the one a quarter must be whole in.
                cadences[feed] = cadences.TryGetValue(feed, out var other) && other == DeliveryCadence.Monthly ? other : agreement.ExpectedCadence;
                if (!protocols.Profiles.TryGetValue(agreement.DisclosureProfile, out var p))
                {
                    throw new InvalidOperationException($"The agreement {partner.AgreementId} names disclosure profile '{agreement.DisclosureProfile}' for feed {feed}, which no profile file defines.");
                }

                var profile = new DisclosureProfile(p.Name, p.Threshold, p.SuppressZeros, p.RoundingBase, p.MinimumDenominator);
                // Two partners sending one feed: the stricter profile governs outputs made from it.
                profiles[feed] = profiles.TryGetValue(feed, out var stricter) ? KpiPublisher.Strictest([stricter, profile]) : profile;
            }
        }

        return new RollupSettings { Kpis = kpis ?? new KpiOptions(), FeedProfiles = profiles, FeedCadences = cadences };
    }

    /// <summary>
    /// The settings a job over <paramref name="hub"/> runs by: <paramref name="settings"/>, or the agreements' under the hub's KPI
    /// rules. The cohorts are the hub's (<see cref="HubContext.Kpis"/>), the ones its ingest accepts health labels for: settings
    /// naming others would report cohorts no row could be stored under, and call the stored ones unmatched.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="settings"/> name other cohorts than the hub's.</exception>
    public static RollupSettings For(HubContext hub, RollupSettings? settings)
    {
        ArgumentNullException.ThrowIfNull(hub);
        if (settings is null)
        {
            return FromProtocols(hub.Protocols, hub.Kpis);
        }

        var theirs = settings.Kpis.Cohorts.Select(c => c.Name).ToArray();
        var hubs = hub.Kpis.Cohorts.Select(c => c.Name).ToArray();
        return theirs.SequenceEqual(hubs, StringComparer.Ordinal)
            ? settings
            : throw new ArgumentException(
                $"The rollup settings name the cohorts {string.Join(", ", theirs)}, but the hub's are {string.Join(", ", hubs)} (HubContext.Kpis, the ones its ingest accepts health labels for). Configure the cohorts once, on the hub.",
                nameof(settings));
    }
}

/// <summary>
/// The RollupQuarter job: reads the secure marts, links and computes the KPIs, writes per-person and per-family values to
/// the secure zone, applies disclosure control, writes the published tables as a new version with a manifest, switches
/// <c>published/kpi/current.json</c> to it last, and audits the run. A run that cannot read its inputs is audited as
/// refused; version folders a killed run left without a manifest are cleared (and audited) by the next run.
/// </summary>
public sealed class RollupQuarter
{
    /// <summary>The audit event kind of a published rollup.</summary>
    public const string AuditKind = AuditKinds.KpiPublished;

    /// <summary>The pointer to the current published version.</summary>
    public const string CurrentPointer = "published/kpi/current.json";

    /// <summary>The audit rule of a version written whole but not made current, because a rollup that started later had switched first.</summary>
    public const string SupersededRule = "rollup.superseded";

    private readonly IObjectStore _store;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly RollupSettings _settings;
    private readonly ILogger _logger;

    /// <summary>Creates the job over the hub's store and audit log.</summary>
    public RollupQuarter(IObjectStore store, IAuditLog audit, TimeProvider time, RollupSettings settings, ILogger? logger = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _audit = audit ?? throw new ArgumentNullException(nameof(audit));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The job over a hub's composition, with the disclosure profiles its agreements name.</summary>
    /// <exception cref="ArgumentException"><paramref name="settings"/> name other cohorts than the hub's.</exception>
    public static RollupQuarter For(HubContext context, RollupSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var chosen = RollupSettings.For(context, settings);
        return new RollupQuarter(context.Store, context.Audit, context.Time, chosen, context.Logger("DataHub.Rollup"))
        {
            AfterPublish = (marts, outcome, ct) => Governance.GovernanceStep.AfterRollupAsync(context, chosen, marts, outcome, ct),
        };
    }

    /// <summary>Runs after each version made current, with the marts it read (the governance tables and board report hook in here).</summary>
    public Func<LoadedMarts, RollupOutcome, CancellationToken, Task>? AfterPublish { get; init; }

    /// <summary>Runs the rollup and publishes a new version.</summary>
    /// <exception cref="RollupInputException">There is no cohort mart, or a mart cannot be read.</exception>
    /// <exception cref="RollupQuarterOutOfRangeException">The quarter asked for is not one the hub reports.</exception>
    /// <exception cref="Linkage.KeyVersionMismatchException">The marts were pseudonymised under different key versions.</exception>
    /// <exception cref="AuditChainBrokenException">The audit log's end is broken: refused before anything is written, or (damaged during the run) with <see cref="AuditChainBrokenException.Written"/> saying what was.</exception>
    public async Task<RollupOutcome> RunAsync(RollupRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var started = _time.GetUtcNow();
        var runId = started.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var version = "published/kpi/v=" + runId;

        // A broken log end (a torn line, events cut, the anchors gone) refuses the run before it clears, writes or switches
        // anything: its first append comes only after the switch, and a version current without its event turns a torn
        // line into a loss `audit repair` will seal only with --accept-loss.
        await _audit.CheckWritableAsync(cancellationToken).ConfigureAwait(false);

        // The head as the run starts goes into the manifest: an anchor of the audit log outside its reach.
        var auditHead = await _audit.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        await ClearAbandonedAsync(started, cancellationToken).ConfigureAwait(false);
        var phases = new Dictionary<string, long>(StringComparer.Ordinal);
        LoadedMarts marts;
        try
        {
            marts = await new MartLoader(_store).LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RollupInputException or Linkage.KeyVersionMismatchException)
        {
            // The message names the file or the versions, never a value.
            await _audit.AppendAsync(
                new AuditEntry(AuditKinds.KpiRefused, Rule: ex is RollupInputException ? "rollup.input" : "rollup.key_version", Detail: ex.Message + " Nothing was published; the current version stays.", DurationMs: clock.ElapsedMilliseconds),
                cancellationToken).ConfigureAwait(false);
            throw;
        }

        phases["load_and_link_ms"] = clock.ElapsedMilliseconds;

        // Stored health rows whose cohort label names no configured cohort are used by no KPI: said out loud, never skipped
        // quietly, and never by the label's text (stored as free text, it may hold a name or a date).
        var unmatched = UnmatchedCohortLabel.Find(marts.Inputs.Health, _settings.Kpis.Cohorts);
        foreach (var label in unmatched)
        {
            _logger.LogWarning("Rollup {RunId}: {Unmatched}", runId, label.Describe(_settings.Kpis.Cohorts));
        }

        var quarters = QuartersFor(request, marts.LatestQuarter, started);
        var calculator = new KpiCalculator(_settings.Kpis);
        var delivered = DeliveryLog.From(marts.Files, _settings.FeedCadences);
        // Person and family values are kept for the latest quarter and the fixed windows before and after FS start (which
        // carry each person's before/after comparison); earlier quarters' are in the published aggregates.
        var latest = quarters.Count == 0 ? default : quarters.Max();
        var results = calculator.Compute(marts.Inputs, quarters, q => q == latest, delivered);
        phases["compute_ms"] = clock.ElapsedMilliseconds - phases.Values.Sum();
        var publisher = new KpiPublisher(_settings.FeedProfiles, _settings.FallbackProfile);
        var publication = publisher.Publish(results);
        phases["disclosure_ms"] = clock.ElapsedMilliseconds - phases.Values.Sum();

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["datahub.run_id"] = runId,
            ["datahub.rules_version"] = _settings.Kpis.RulesVersion,
            ["datahub.key_version"] = marts.KeyVersion,
        };

        // Person and family values stay in the secure zone.
        var personValues = KpiTables.PersonValues(results.PersonValues, marts.Inputs.People);
        var familyValues = KpiTables.FamilyValues(FamilyValues.From(results.PersonValues));
        var outputs = new List<ManifestOutput>();
        foreach (var table in new[] { personValues, familyValues })
        {
            var path = "secure/kpi/v=" + runId + "/" + table.Name + ".parquet";
            // Their row counts are counts about the cohort (person values per person and quantity): the published manifest leaves them out.
            outputs.Add(new ManifestOutput(path, null, await table.WriteParquetAsync(_store, path, metadata, cancellationToken).ConfigureAwait(false)));
        }

        var published = new List<KpiTable>
        {
            KpiTables.Values(publication.Values),
            KpiTables.Definitions(calculator.Measures, calculator.Quantities, publisher.ProfileFor),
            KpiTables.Markers(),
            KpiTables.LinkQuality(LinkQualityPublisher.Publish(marts.LinkQuality, _settings.ProfileOf)),
            KpiTables.Cohorts(publication.Cohorts),
        };
        if (quarters.Count > 0)
        {
            published.Add(QuarterDimension.Table(quarters.Min(), quarters.Max()));
        }
        foreach (var table in published)
        {
            outputs.AddRange(await table.PublishAsync(_store, version, metadata, cancellationToken).ConfigureAwait(false));
        }

        phases["write_ms"] = clock.ElapsedMilliseconds - phases.Values.Sum();
        var manifest = new RollupManifest(
            runId,
            started,
            _time.GetUtcNow(),
            _settings.Kpis.RulesVersion,
            marts.KeyVersion,
            quarters.Select(q => q.ToString()).ToArray(),
            request.Quarter?.ToString(),
            _settings.Kpis.Cohorts.Select(c => c.Name).ToArray(),
            marts.Files,
            ReceivedSpans(delivered),
            outputs,
            calculator.Measures.DistinctBy(m => m.Indicator).ToDictionary(m => m.Indicator, m => publisher.ProfileFor(m).Name, StringComparer.Ordinal),
            publication.SuppressedCells,
            publication.Markers,
            phases,
            auditHead);
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, HubJson.Default.RollupManifest);
        var manifestSha = Convert.ToHexStringLower(SHA256.HashData(manifestBytes));

        // Checked again just before the manifest and the switch, in case the log was damaged while the tables were built.
        // Refused here, the tables sit in a folder with no manifest: never current, not a record `audit verify` asks an
        // event for, and cleared by a later rollup as abandoned. What is left open is the moment between this check and
        // the publication event (the manifest and the pointer written): damage that lands exactly then leaves this version
        // current without its event, which `audit verify` reports. That is the same window any writer has between its
        // append and the one before it, and closing it would need the publication event written before the switch,
        // which would then record versions that never became current.
        var tablesWritten = $"KPI tables of run {runId} were written under {version} but not published (no manifest: never current, and a later rollup clears them as abandoned).";
        await AuditRefusal.AfterWritingAsync(tablesWritten, () => _audit.CheckWritableAsync(cancellationToken)).ConfigureAwait(false);

        // The manifest is written create-only: if a later run cleared this folder as abandoned while the run stalled, its
        // marker is there first and the folder is never published.
        var versions = new KpiVersions(_store);
        if (!await versions.CommitManifestAsync(runId, manifestBytes, cancellationToken).ConfigureAwait(false))
        {
            await AuditRefusal.AfterWritingAsync(tablesWritten, () => _audit.AppendAsync(
                new AuditEntry(
                    AuditKinds.KpiRefused,
                    Path: version + "/manifest.json",
                    Rule: versions.ClearedRule,
                    Detail: $"KPI tables of run {runId} were not published: the run was held up before its manifest longer than the abandoned-version age, and a later run cleared its folder as abandoned. The current version stays; the next rollup clears anything this run wrote after the clearing.",
                    DurationMs: clock.ElapsedMilliseconds),
                cancellationToken)).ConfigureAwait(false);
            _logger.LogWarning("Rollup {RunId} was not published: its folder was cleared as abandoned while it was held up", runId);
            return new RollupOutcome(runId, version, quarters.Select(q => q.ToString()).ToArray(), publication.Values.Count, publication.SuppressedCells, manifestSha)
            {
                PhaseTimings = phases,
                Markers = publication.Markers,
                Started = started,
                ClearedAsAbandoned = true,
            };
        }

        // The switch comes last: until it is written, readers keep the previous version. If a run that started later
        // switched meanwhile, its version (from later inputs) stays: this one is never current, and governance and the
        // board report are left to that run.
        var switched = await CurrentVersion.SwitchAsync(_store, CurrentPointer, new CurrentVersion(version, runId, manifestSha, _time.GetUtcNow()) { Started = started }, cancellationToken).ConfigureAwait(false);
        var outcome = new RollupOutcome(runId, version, quarters.Select(q => q.ToString()).ToArray(), publication.Values.Count, publication.SuppressedCells, manifestSha)
        {
            PhaseTimings = phases,
            Markers = publication.Markers,
            Started = started,
            SupersededBy = switched.Switched ? null : switched.Current.Version,
        };
        if (!switched.Switched)
        {
            await AuditRefusal.AfterWritingAsync($"KPI version {runId} was written with its manifest but not made current (a later rollup's version was), and its refusal was not recorded.", () => _audit.AppendAsync(
                new AuditEntry(
                    AuditKinds.KpiRefused,
                    Path: version + "/manifest.json",
                    FileSha256: manifestSha,
                    Rule: SupersededRule,
                    Detail: $"KPI tables written as version {runId} were not made current: version {switched.Current.RunId}, from a rollup that started later, already was.",
                    DurationMs: clock.ElapsedMilliseconds),
                cancellationToken)).ConfigureAwait(false);
            _logger.LogInformation("Rollup {RunId} was not made current: {Current}, from a rollup that started later, already was", runId, switched.Current.RunId);
            return outcome;
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["inputs"] = marts.Files.Count,
            ["input_rows"] = marts.Files.Sum(f => f.Rows),
            ["quarters"] = quarters.Count,
            ["kpi_values"] = publication.Values.Count,
            ["suppressed_cells"] = publication.SuppressedCells,
            ["link_quality"] = marts.LinkQuality.Count,
        };
        if (unmatched.Count > 0)
        {
            counts["health_rows_unmatched_cohort"] = unmatched.Sum(u => u.Rows);
            counts["health_cohort_labels_unmatched"] = unmatched.Count;
        }

        await AuditRefusal.AfterWritingAsync($"KPI version {runId} was made current, but its publication event was not recorded: `datahub audit verify` reports it.", () => _audit.AppendAsync(
            new AuditEntry(
                AuditKind,
                Path: version + "/manifest.json",
                FileSha256: manifestSha,
                Rule: _settings.Kpis.RulesVersion,
                Detail: $"KPI tables published as version {runId} under key version {marts.KeyVersion} and rules {_settings.Kpis.RulesVersion}; the manifest lists every input read with its SHA-256."
                    + (unmatched.Count > 0 ? " " + UnmatchedCohortLabel.Summarise(unmatched) : ""),
                Counts: counts,
                DurationMs: clock.ElapsedMilliseconds),
            cancellationToken)).ConfigureAwait(false);

        _logger.LogInformation("Rollup {RunId}: {Inputs} mart files, {Quarters} quarters, {Rows} KPI rows, {Suppressed} cells suppressed, {Ms} ms",
            runId, marts.Files.Count, quarters.Count, publication.Values.Count, publication.SuppressedCells, clock.ElapsedMilliseconds);
        if (AfterPublish is { } after)
        {
            try
            {
                await after(marts, outcome, cancellationToken).ConfigureAwait(false);
            }
            catch (AuditChainBrokenException ex)
            {
                // Refused before it wrote anything, governance is as it was; refused part-way, it says itself what it wrote
                // (a version made current, or only an abandoned folder cleared), so this says no more of it than that.
                throw ex.After(ex.Written is null
                    ? $"KPI version {runId} was published and recorded; the governance tables and board report were not brought up to date."
                    : $"KPI version {runId} was published and recorded; governance stopped part-way, as follows, and the board report was not brought up to date.");
            }
        }

        return outcome;
    }

    /// <summary>Reads the version <c>current.json</c> points to, or null before the first rollup.</summary>
    public static Task<string?> CurrentVersionAsync(IObjectStore store, CancellationToken cancellationToken) =>
        CurrentVersion.ReadVersionAsync(store, CurrentPointer, cancellationToken);

    private async Task ClearAbandonedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var abandoned in await new KpiVersions(_store).ClearAbandonedAsync(_audit, now, _settings.AbandonedVersionAge, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogInformation("Cleared abandoned rollup version {RunId} ({Objects} objects)", abandoned.RunId, abandoned.Objects.Count);
        }
    }

    // From the first cohort's baseline year to the latest quarter with data (never beyond today's).
    private IReadOnlyList<Quarter> QuartersFor(RollupRequest request, Quarter? latestData, DateTimeOffset now)
    {
        var cohorts = _settings.Kpis.Cohorts;
        IReadOnlyList<Quarter> all = [];
        if (cohorts.Count > 0 && latestData is { } latest)
        {
            var current = Quarter.Of(DateOnly.FromDateTime(now.UtcDateTime));
            var last = latest.CompareTo(current) > 0 ? current : latest;
            all = Quarter.Range(cohorts.Min(c => c.FirstQuarter).Add(-KpiCalculator.BaselineQuarters), last).ToArray();
        }

        if (request.Quarter is { } asked && !all.Contains(asked))
        {
            var range = all.Count == 0 ? "none yet: there is no data" : $"{all[0]} to {all[^1]}";
            throw new RollupQuarterOutOfRangeException($"{asked} is not a quarter the KPI tables report (they report {range}).");
        }

        return all;
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> ReceivedSpans(DeliveredPeriods delivered) =>
        delivered.Deliveries.Select(d => d.Feed).Distinct(StringComparer.Ordinal).ToDictionary(
            feed => feed,
            feed => (IReadOnlyList<string>)delivered.SpansOf(feed).Select(s => $"{s.From:yyyy-MM-dd}/{s.To:yyyy-MM-dd}").ToArray(),
            StringComparer.Ordinal);
}

/// <summary>An output file of a run, for the manifest.</summary>
/// <param name="Path">The object path.</param>
/// <param name="Rows">Rows of a published table; null (not written) for a secure-zone table, whose rows are counts about the cohort.</param>
/// <param name="Sha256">SHA-256 of the file (lowercase hex).</param>
public sealed record ManifestOutput(string Path, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Rows, string Sha256);

/// <summary>The run manifest: inputs with their hashes, key and rules versions, quarters (and the one asked for), the days each feed
/// has been received for, outputs with row counts, kpi_values rows per marker, and the audit head when the run began.</summary>
public sealed record RollupManifest(
    string RunId,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    string RulesVersion,
    string KeyVersion,
    IReadOnlyList<string> Quarters,
    string? RequestedQuarter,
    IReadOnlyList<string> Cohorts,
    IReadOnlyList<MartInput> Inputs,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Received,
    IReadOnlyList<ManifestOutput> Outputs,
    IReadOnlyDictionary<string, string> DisclosureProfiles,
    int SuppressedCells,
    IReadOnlyDictionary<string, int> Markers,
    IReadOnlyDictionary<string, long> PhaseTimings,
    AuditHead? AuditHead = null);

/// <summary>The content of <c>published/kpi/current.json</c> (and of the governance pointer).</summary>
public sealed record CurrentVersion(string Version, string RunId, string ManifestSha256, DateTimeOffset Switched)
{
    /// <summary>When the run that made the version began reading its inputs (null in pointers written before it was recorded).</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>The version folder a pointer (KPI or governance <c>current.json</c>) names, or null when there is no pointer yet.</summary>
    public static async Task<string?> ReadVersionAsync(IObjectStore store, string pointer, CancellationToken cancellationToken) =>
        (await ReadPointerAsync(store, pointer, cancellationToken).ConfigureAwait(false))?.Version;

    /// <summary>What a pointer (KPI or governance <c>current.json</c>) holds, or null when there is no pointer yet.</summary>
    public static async Task<CurrentVersion?> ReadPointerAsync(IObjectStore store, string pointer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        for (var attempt = 1; ; attempt++)
        {
            if (await store.GetAsync(pointer, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }

            try
            {
                return await ReadAsync(store, pointer, null, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectChangedException) when (attempt < 3)
            {
                // Another rollup switched the pointer while it was read: each version is whole, so read the new one.
            }
        }
    }

    /// <summary>
    /// Points <paramref name="pointer"/> at <paramref name="next"/>, unless it already names a version whose run started later
    /// (so read later inputs): that one stays. The write is conditioned on the pointer read, so of two runs switching at once
    /// the one that started later is current in the end, whichever finishes last.
    /// </summary>
    public static async Task<PointerSwitch> SwitchAsync(IObjectStore store, string pointer, CurrentVersion next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(next);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(next, HubJson.Default.CurrentVersion);
        for (var attempt = 1; ; attempt++)
        {
            var existing = await store.GetAsync(pointer, cancellationToken).ConfigureAwait(false);
            try
            {
                if (existing is not null && await ReadJudgedAsync(store, pointer, existing.ETag, cancellationToken).ConfigureAwait(false) is { Started: { } later } current
                    && next.Started is { } started && later > started)
                {
                    return new PointerSwitch(false, current);
                }

                // Only the pointer just judged is replaced (or, when there was none, none may have appeared).
                var options = existing is null ? WriteOptions.CreateNew : WriteOptions.Default with { IfMatch = existing.ETag };
                await store.WriteAsync(pointer, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), options, cancellationToken).ConfigureAwait(false);
                return new PointerSwitch(true, next);
            }
            catch (Exception ex) when ((ex is ObjectChangedException or ObjectExistsException or ObjectNotFoundException) && attempt < 10)
            {
                // Another run switched the pointer meanwhile: judge again against what it wrote.
            }
        }
    }

    private static async Task<CurrentVersion?> ReadAsync(IObjectStore store, string pointer, string? version, CancellationToken cancellationToken)
    {
        var stream = await store.OpenReadAsync(pointer, version, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, HubJson.Default.CurrentVersion, cancellationToken).ConfigureAwait(false);
        }
    }

    // A pointer that is not JSON (damaged by hand) names nothing a switch must keep: the switch replaces it.
    private static async Task<CurrentVersion?> ReadJudgedAsync(IObjectStore store, string pointer, string version, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(store, pointer, version, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What <see cref="CurrentVersion.SwitchAsync"/> did.</summary>
/// <param name="Switched">Whether the pointer now names the new version.</param>
/// <param name="Current">The version the pointer names: the new one, or one a run that started later made current.</param>
public sealed record PointerSwitch(bool Switched, CurrentVersion Current);
