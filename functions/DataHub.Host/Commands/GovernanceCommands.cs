using System.CommandLine;
using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Core.Report;
using DataHub.Core.Rollup;
using DataHub.Host.Embedded;
using DataHub.Storage.Local;

namespace DataHub.Host.Commands;

/// <summary>`datahub governance` (rebuild the governance tables from the audit log now) and `datahub report [--quarter Q]` (the board report).</summary>
internal static class GovernanceCommands
{
    public static Command Governance(CommandEnvironment env)
    {
        var root = CommonOptions.Root();
        var protocols = CommonOptions.Protocols();
        var command = new Command("governance", "Rebuild the governance tables (deliveries, rejections, scorecard, activity, quarters) from the audit log and publish a new version under published/governance/.")
        {
            root, protocols,
        };
        command.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            try
            {
                using var hub = EmbeddedHub.Open(parse.GetValue(root)!, parse.GetValue(protocols), env.Time, settings: env.Settings);
                // It audits its publication, so a broken log's end stops it as it stops every writer: exit 3, the fix named.
                await hub.CheckReadyAsync(pseudonymises: false, ct);
                var read = hub.Context.Time.GetUtcNow();
                var marts = await new MartLoader(hub.Context.Store).LoadAsync(ct);
                var outcome = await new GovernancePublisher(hub.Context).PublishAsync(marts, read, ct);
                env.Output.WriteLine(outcome.ClearedAsAbandoned
                    ? $"Governance tables of {outcome.VersionPath} were not published: the publication was held up before its manifest longer than the abandoned-version age and a later one cleared its folder. The current version stays."
                    : outcome.SupersededBy is { } later
                    ? $"Governance tables written as {outcome.VersionPath} but not made current: {later}, from inputs read later, already was."
                    : $"Governance tables published: {outcome.VersionPath}, {outcome.Deliveries} deliveries, {outcome.ScorecardRows} scorecard rows ({outcome.RedRows} red), audit chain {(outcome.ChainIntact ? "intact" : "BROKEN")}.");
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (RollupFaults.RefusesInput(ex))
            {
                env.Error.WriteLine(ex.Message);
                return ExitCodes.Rejected;
            }
        }));
        return command;
    }

    public static Command Report(CommandEnvironment env)
    {
        var quarter = new Option<string?>("--quarter") { Description = "The quarter to report, e.g. 2020Q4 (default: the latest quarter the KPI tables hold)." };
        var root = CommonOptions.Root();
        var command = new Command("report", "Write the board's quarterly report (one self-contained HTML file) to published/report/ from the published KPI and governance tables.")
        {
            quarter, root,
        };
        command.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            Quarter? asked = null;
            if (parse.GetValue(quarter) is { } text)
            {
                if (!Quarter.TryParse(text, out var q))
                {
                    env.Error.WriteLine("--quarter takes a quarter written like 2018Q1.");
                    return ExitCodes.Usage;
                }

                asked = q;
            }

            try
            {
                using var hub = EmbeddedHub.Open(parse.GetValue(root)!, null, env.Time, settings: env.Settings);

                // The report tells the board whether the audit trail is intact, from the governance tables' check: a trail
                // damaged since must not be reported as that check found it. A broken end stops it as it stops every
                // governance command (exit 3, the fix named); a chain that fails its check now while the tables say it was
                // intact is refused (exit 2, as `audit verify`), until `datahub governance` records it broken.
                await hub.CheckReadyAsync(pseudonymises: false, ct);
                if (await ChainNowContradictsAsync(hub, ct) is { } refusal)
                {
                    env.Error.WriteLine(refusal);
                    return ExitCodes.Rejected;
                }

                var (path, reported) = await BoardReport.WriteAsync(hub.Context.Store, hub.Context.Protocols, asked, env.Time.GetUtcNow(), ct);
                env.Output.WriteLine($"Board report for {reported}: {Path.Combine(hub.Root, path)} (open it in any browser; print it to A4 from there).");
                return ExitCodes.Ok;
            }
            catch (BoardReportUnavailableException ex)
            {
                env.Error.WriteLine(ex.Message);
                return ExitCodes.Usage;
            }
        }));
        return command;
    }

    // Why the report must not be written from the current governance tables: the audit trail fails the check `audit verify`
    // makes while the tables record it intact (the report would tell the board so). Null when the trail passes the check,
    // or the tables already record it broken (the report then says BROKEN where the board reads the chain's status).
    private static async Task<string?> ChainNowContradictsAsync(EmbeddedHub hub, CancellationToken cancellationToken)
    {
        var verification = await hub.Context.Trail!.VerifyAsync(cancellationToken);
        if (verification.Intact)
        {
            return null;
        }

        var root = $"--root {hub.Root}";
        var broken = $"The audit trail fails its check now: BROKEN{(verification.BrokenAt is { } at ? $" at event {at}" : "")} ({verification.Message})";
        var published = await BoardReportData.LoadAsync(hub.Context.Store, cancellationToken);
        if (published is null)
        {
            return $"{broken}, and no KPI or governance tables are published yet to report from. No report was written. Run `datahub audit verify {root}` to see where, restore the audit log from its backup or repair it (docs/runbook.md), then `datahub rollup {root}` (which publishes the tables and records the chain's status) and `datahub report {root}`.";
        }

        var chain = published.Activity.Records().FirstOrDefault(r => r["activity"] == "audit_chain");
        return chain is not null && chain["status"] != "intact"
            ? null
            : $"{broken}, but the published governance tables record it intact: a board report from them would say so. No report was written. Run `datahub audit verify {root}` to see where, restore the audit log from its backup or repair it (docs/runbook.md), then `datahub governance {root}` (which records the chain's status) and `datahub report {root}` again.";
    }
}
