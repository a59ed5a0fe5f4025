using System.Globalization;
using DataHub.Core.Disclosure;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Retention;
using DataHub.Core.Rollup;

namespace DataHub.Host.Functions;

/// <summary>The three functions over one <see cref="HubContext"/>: the same handlers the embedded host runs.</summary>
public sealed class HubFunctions(HubContext hub) : IHubFunctions
{
    /// <inheritdoc />
    public async Task<FunctionResult> IngestAsync(string landingPath, string? eTag, CancellationToken cancellationToken)
    {
        var outcome = await new IngestExtract(hub).HandleAsync(landingPath, eTag, cancellationToken).ConfigureAwait(false);

        // A failed attempt leaves the file in landing with the failure counted in its receipt; the host's retry is the next attempt.
        return new FunctionResult(Embedded.EmbeddedRunner.Describe(outcome), Retry: outcome.Status == IngestStatus.Failed);
    }

    /// <inheritdoc />
    public async Task<FunctionResult> RollupAsync(TimerTriggerEvent timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var rollup = new RollupQuarter(hub.Store, hub.Audit, hub.Time, RollupSettingsFor(hub), hub.Logger("DataHub.Rollup"));
        var outcome = await rollup.RunAsync(new RollupRequest(), cancellationToken).ConfigureAwait(false);
        return new FunctionResult(string.Create(
            CultureInfo.InvariantCulture,
            $"{(timer.IsPastDue ? "(past due) " : string.Empty)}published {outcome.VersionPath}: {outcome.Quarters.Count} quarters, {outcome.KpiRows} KPI rows, {outcome.SuppressedCells} cells suppressed"));
    }

    /// <summary>The rollup's settings from the hub's agreements: each feed's disclosure profile as its agreement names it.</summary>
    public static RollupSettings RollupSettingsFor(HubContext hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var profiles = hub.Protocols.Profiles.Values.ToDictionary(
            p => p.Name,
            p => new DisclosureProfile(p.Name, p.Threshold, p.SuppressZeros, p.RoundingBase, p.MinimumDenominator),
            StringComparer.Ordinal);
        var feeds = new Dictionary<string, DisclosureProfile>(StringComparer.Ordinal);
        foreach (var agreement in hub.Protocols.Partners.SelectMany(p => p.Feeds.Values))
        {
            if (profiles.TryGetValue(agreement.DisclosureProfile, out var profile))
            {
                // A feed shared by two partners under different profiles publishes under the stricter one.
                feeds[agreement.Feed] = feeds.TryGetValue(agreement.Feed, out var other) ? KpiPublisher.Strictest([other, profile]) : profile;
            }
        }

        return new RollupSettings { FeedProfiles = feeds };
    }

    /// <inheritdoc />
    public async Task<FunctionResult> EnforceRetentionAsync(TimerTriggerEvent timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var outcome = await new EnforceRetention(hub).RunAsync(cancellationToken).ConfigureAwait(false);
        return new FunctionResult((timer.IsPastDue ? "(past due) " : string.Empty) + outcome.Summary);
    }
}
