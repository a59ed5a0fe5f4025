using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;
using DataHub.Core.Report;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Governance;

/// <summary>What a governance publication wrote.</summary>
/// <param name="VersionPath">The version folder, e.g. <c>published/governance/v=20261122T020000Z-ab12cd</c>.</param>
/// <param name="Deliveries">Rows in deliveries.</param>
/// <param name="ScorecardRows">Rows in scorecard.</param>
/// <param name="RedRows">Scorecard rows whose overall status is red.</param>
/// <param name="ChainIntact">Whether the audit chain verified.</param>
public sealed record GovernanceOutcome(string VersionPath, int Deliveries, int ScorecardRows, int RedRows, bool ChainIntact)
{
    /// <summary>Null when the version was made current; otherwise the version that stays current, from a publication whose inputs were read later.</summary>
    public string? SupersededBy { get; init; }

    /// <summary>True when the publication stalled past the abandoned-version age and a later one cleared its folder before its manifest was written: nothing of it was published.</summary>
    public bool ClearedAsAbandoned { get; init; }
}

/// <summary>
/// Rebuilds the governance tables from the audit log (deliveries, rejections, scorecard, activity, and the quarter dimension
/// the KPI tables share), writes them as a new version under <c>published/governance/</c>, switches
/// <c>published/governance/current.json</c> to it last, and audits the publication.
/// </summary>
public sealed class GovernancePublisher
{
    /// <summary>The audit event kind of a governance publication.</summary>
    public const string AuditKind = "governance_published";

    /// <summary>The audit event kind of governance tables written whole but not made current (a publication whose inputs were read later had switched first).</summary>
    public const string RefusedKind = "governance_refused";

    /// <summary>The pointer to the current governance version.</summary>
    public const string CurrentPointer = "published/governance/current.json";

    private readonly HubContext _hub;
    private readonly RollupSettings _settings;
    private readonly Func<CancellationToken, Task<AuditVerification>> _verifyChain;
    private readonly ILogger _logger;

    /// <summary>Publishes for the hub's store, audit log, agreements and clock.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="settings">The rollup's settings (cadences, disclosure profiles); from the agreements when null.</param>
    /// <exception cref="ArgumentException"><paramref name="settings"/> name other cohorts than the hub's.</exception>
    public GovernancePublisher(HubContext hub, RollupSettings? settings = null)
    {
        _hub = hub ?? throw new ArgumentNullException(nameof(hub));
        _settings = RollupSettings.For(hub, settings);
        _logger = hub.Logger("DataHub.Governance");
        // With the host's trail the chain is checked under the audit key and against every anchor; without one (a bare
        // test composition), its order and links only, and the message says so.
        _verifyChain = hub.Trail is { } trail ? trail.VerifyAsync : ct => AuditVerifier.VerifyAsync(hub.Audit, ct);
    }

    /// <summary>Builds and publishes the tables; <paramref name="marts"/> are the marts the rollup read (their periods and links).</summary>
    /// <param name="marts">The marts read.</param>
    /// <param name="martsRead">When reading <paramref name="marts"/> began: of two publications at once, the one whose inputs were read later stays current.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <exception cref="AuditChainBrokenException">The audit log's end is broken: refused before anything is written, or (damaged during the run) with <see cref="AuditChainBrokenException.Written"/> saying what was.</exception>
    public async Task<GovernanceOutcome> PublishAsync(LoadedMarts marts, DateTimeOffset martsRead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marts);
        // As the rollup does: a broken log end refuses the publication before it clears, writes or switches anything, not
        // at its first append after the switch.
        await _hub.Audit.CheckWritableAsync(cancellationToken).ConfigureAwait(false);
        var started = _hub.Time.GetUtcNow();
        var versions = new KpiVersions(_hub.Store, "governance");
        foreach (var abandoned in await versions.ClearAbandonedAsync(_hub.Audit, started, _settings.AbandonedVersionAge, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogInformation("Cleared abandoned governance version {RunId} ({Objects} objects)", abandoned.RunId, abandoned.Objects.Count);
        }

        var today = _hub.Today;
        // A line damaged inside the log (a property added or removed, a value of the wrong type, a line that is not JSON)
        // is passed over, as a changed value is counted: the board is told where the chain breaks by the chain's own row,
        // which verification writes, naming the event, never the line's content. A torn end was refused above, and is
        // refused again before the manifest.
        var events = new List<AuditEvent>();
        var unreadable = new List<long>();
        await foreach (var e in _hub.Audit.ReadReadableAsync(unreadable.Add, cancellationToken).ConfigureAwait(false))
        {
            events.Add(e);
        }

        var chain = await _verifyChain(cancellationToken).ConfigureAwait(false);
        if (unreadable.Count > 0)
        {
            _logger.LogWarning("Governance tables built without {Lines} audit line(s) that cannot be read (the first after event {After}); the audit chain is reported {Status}", unreadable.Count, unreadable[0], chain.Intact ? "intact" : "broken");
        }

        var deliveries = DeliveryLedger.From(events);
        var quarters = QuartersFor(marts, today);
        var spans = DeliveryLog.From(marts.Files, _settings.FeedCadences).Deliveries;
        var coverage = CohortCoverage.Compute(marts.Inputs, quarters, _settings.ProfileOf, await PublishedCohortSizesAsync(cancellationToken).ConfigureAwait(false), marts.LinkQuality);
        var scorecard = ScorecardBuilder.Build(_hub.Protocols, deliveries, spans, coverage, quarters, today);
        var tables = new List<KpiTable>
        {
            GovernanceTables.Deliveries(deliveries),
            GovernanceTables.Rejections(BoardActivity.Rejections(deliveries)),
            GovernanceTables.Scorecard(scorecard),
            GovernanceTables.Activity([
                .. BoardActivity.Activity(events, _hub.Protocols, chain, today, unreadable.Count),
                .. BoardActivity.UnmatchedCohortLabels(UnmatchedCohortLabel.Find(marts.Inputs.Health, _settings.Kpis.Cohorts), _settings.Kpis.Cohorts, today)]),
        };
        if (quarters.Count > 0)
        {
            tables.Add(QuarterDimension.Table(quarters[0], quarters[^1]));
        }

        var runId = started.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var version = "published/governance/v=" + runId;
        // Every table carries the chain's status and the lines it was built without, not only the activity table's
        // audit_chain row: deliveries, rejections and the scorecard are read from the same log, and are as unreliable.
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["datahub.run_id"] = runId,
            ["datahub.audit_events"] = events.Count.ToString(CultureInfo.InvariantCulture),
            ["datahub.audit_chain"] = chain.Intact ? "intact" : "broken",
            ["datahub.audit_lines_unreadable"] = unreadable.Count.ToString(CultureInfo.InvariantCulture),
        };
        var outputs = new List<ManifestOutput>();
        foreach (var table in tables)
        {
            outputs.AddRange(await table.PublishAsync(_hub.Store, version, metadata, cancellationToken).ConfigureAwait(false));
        }

        var last = events.Count == 0 ? null : events[^1];
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new GovernanceManifest(runId, started, events.Count, last?.Sequence, last?.Hash, chain.Intact, unreadable.Count, outputs), HubJson.Default.GovernanceManifest);
        var manifestSha = Convert.ToHexStringLower(SHA256.HashData(manifest));

        // Checked again just before the manifest and the switch (RollupQuarter.RunAsync says why the moment after it is left open).
        await AuditRefusal.AfterWritingAsync(
            $"Governance tables of run {runId} were written under {version} but not published (no manifest: never current, and a later publication clears them as abandoned).",
            () => _hub.Audit.CheckWritableAsync(cancellationToken)).ConfigureAwait(false);

        // Create-only: a folder cleared as abandoned while the publication stalled holds the clearing's marker, and is never published.
        var red = scorecard.Count(r => r.Overall == Rag.Red);
        if (!await versions.CommitManifestAsync(runId, manifest, cancellationToken).ConfigureAwait(false))
        {
            await AuditRefusal.AfterWritingAsync(
                $"Governance tables of run {runId} were written under {version} but not published (a later publication had cleared the folder as abandoned; the current version stays), and that was not recorded.",
                () => _hub.Audit.AppendAsync(
                    new AuditEntry(
                        RefusedKind,
                        Path: version + "/manifest.json",
                        Rule: versions.ClearedRule,
                        Detail: $"Governance tables of run {runId} were not published: the publication was held up before its manifest longer than the abandoned-version age, and a later one cleared its folder as abandoned. The current version stays."),
                    cancellationToken)).ConfigureAwait(false);
            _logger.LogWarning("Governance publication {RunId} was not published: its folder was cleared as abandoned while it was held up", runId);
            return new GovernanceOutcome(version, deliveries.Count, scorecard.Count, red, chain.Intact) { ClearedAsAbandoned = true };
        }

        // The switch comes last: until it is written, readers keep the previous version. A publication whose inputs were
        // read later may have switched meanwhile: its version stays, and this one is never current.
        var switched = await CurrentVersion.SwitchAsync(_hub.Store, CurrentPointer, new CurrentVersion(version, runId, manifestSha, _hub.Time.GetUtcNow()) { Started = martsRead }, cancellationToken).ConfigureAwait(false);
        if (!switched.Switched)
        {
            await AuditRefusal.AfterWritingAsync(
                $"Governance version {runId} was written with its manifest but not made current (a later publication's version was), and its refusal was not recorded.",
                () => _hub.Audit.AppendAsync(
                    new AuditEntry(
                        RefusedKind,
                        Path: version + "/manifest.json",
                        FileSha256: manifestSha,
                        Detail: $"Governance tables written as version {runId} were not made current: version {switched.Current.RunId}, from inputs read later, already was."),
                    cancellationToken)).ConfigureAwait(false);
            return new GovernanceOutcome(version, deliveries.Count, scorecard.Count, red, chain.Intact) { SupersededBy = switched.Current.Version };
        }

        await AuditRefusal.AfterWritingAsync(
            $"Governance version {runId} was made current, but its publication event was not recorded: `datahub audit verify` reports it.",
            () => _hub.Audit.AppendAsync(
                new AuditEntry(
                    AuditKind,
                    Path: version + "/manifest.json",
                    FileSha256: manifestSha,
                    Detail: $"Governance tables published as version {runId} from {events.Count} audit events; chain {(chain.Intact ? "intact" : "BROKEN")}.{BoardActivity.LeftOut(unreadable.Count)}",
                    Counts: new Dictionary<string, long>(StringComparer.Ordinal) { ["deliveries"] = deliveries.Count, ["scorecard_rows"] = scorecard.Count, ["scorecard_red"] = red }),
                cancellationToken)).ConfigureAwait(false);
        return new GovernanceOutcome(version, deliveries.Count, scorecard.Count, red, chain.Intact);
    }

    // The cohorts table of the current KPI version, which the scorecard's cohort people are added up from; none before a rollup.
    private async Task<IReadOnlyList<PublishedCohortSize>> PublishedCohortSizesAsync(CancellationToken cancellationToken)
    {
        if (await RollupQuarter.CurrentVersionAsync(_hub.Store, cancellationToken).ConfigureAwait(false) is not { } version)
        {
            return [];
        }

        var table = await PublishedTable.ReadAsync(_hub.Store, version, "cohorts", cancellationToken).ConfigureAwait(false);
        static long? Count(string text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        return [.. table.Records().Select(r => new PublishedCohortSize(
            new CohortDefinition(r["cohort"], DateOnly.ParseExact(r["window_start"], "yyyy-MM-dd", CultureInfo.InvariantCulture), DateOnly.ParseExact(r["window_end"], "yyyy-MM-dd", CultureInfo.InvariantCulture)),
            Count(r["children"]),
            Count(r["adults"])))];
    }

    /// <summary>The version <c>published/governance/current.json</c> points to, or null before the first publication.</summary>
    public static Task<string?> CurrentVersionAsync(IObjectStore store, CancellationToken cancellationToken) =>
        CurrentVersion.ReadVersionAsync(store, CurrentPointer, cancellationToken);

    // From the earliest quarter any delivery reports on to today's: a quarter with nothing received is scored, not skipped.
    private static IReadOnlyList<Quarter> QuartersFor(LoadedMarts marts, DateOnly today)
    {
        var first = marts.Files.Where(f => f.FirstDate is not null).Select(f => f.FirstDate!.Value).DefaultIfEmpty(today).Min();
        return [.. Quarter.Range(Quarter.Of(first), Quarter.Of(today))];
    }
}

/// <summary>The governance manifest: the audit log read (events, last sequence and seal), the chain's status, the lines that could not be read (a count) and the outputs.</summary>
public sealed record GovernanceManifest(string RunId, DateTimeOffset Started, int AuditEvents, long? LastSequence, string? LastHash, bool ChainIntact, int AuditLinesUnreadable, IReadOnlyList<ManifestOutput> Outputs);
