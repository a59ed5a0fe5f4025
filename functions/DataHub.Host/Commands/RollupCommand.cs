using System.CommandLine;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;
using DataHub.Host.Embedded;

namespace DataHub.Host.Commands;

/// <summary>`datahub rollup [--quarter 2018Q1 | --all] [--root DIR]`: runs the RollupQuarter job once, as its timer would.</summary>
internal static class RollupCommand
{
    public static Command Create(CommandEnvironment env)
    {
        var quarter = new Option<string?>("--quarter")
        {
            Description = "Recompute after a change to one quarter's data, e.g. 2018Q1; the new version still holds every quarter (later quarters read earlier data).",
        };
        var all = new Option<bool>("--all") { Description = "Compute every quarter from the first cohort's baseline year to the latest with data (the default)." };
        var root = CommonOptions.Root();
        var protocols = CommonOptions.Protocols();
        var command = new Command("rollup", "Link the secure marts to the cohort, compute the KPIs, apply disclosure control and publish a new version of the KPI tables.")
        {
            quarter, all, root, protocols,
        };
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(quarter);
            if (text is not null && parse.GetValue(all))
            {
                env.Error.WriteLine("Give either --quarter or --all, not both.");
                return ExitCodes.Usage;
            }

            Quarter? one = null;
            if (text is not null)
            {
                if (!Quarter.TryParse(text, out var q))
                {
                    env.Error.WriteLine("--quarter takes a quarter written like 2018Q1.");
                    return ExitCodes.Usage;
                }

                one = q;
            }

            return await ConfigurationFaults.GuardAsync(env, async () =>
            {
                try
                {
                    using var hub = EmbeddedHub.Open(parse.GetValue(root)!, parse.GetValue(protocols), env.Time, settings: env.Settings);
                    await hub.CheckReadyAsync(pseudonymises: false, ct);
                    await hub.RecoverAsync(ct);
                    var outcome = await RollupQuarter.For(hub.Context).RunAsync(new RollupRequest(one), ct);
                    env.Output.WriteLine(Describe(outcome));
                    return ExitCodes.Ok;
                }
                catch (RollupQuarterOutOfRangeException ex)
                {
                    env.Error.WriteLine(ex.Message);
                    return ExitCodes.Usage;
                }
                catch (Exception ex) when (RollupFaults.RefusesInput(ex))
                {
                    env.Error.WriteLine(ex.Message);
                    return ExitCodes.Rejected;
                }
            });
        });
        return command;
    }

    /// <summary>The demo's last step: roll up what the demo ingested, so it ends with the KPI tables published.</summary>
    public static DemoStep DemoStep { get; } = new("KPI rollup", async (hub, terminal, ct) =>
    {
        try
        {
            var outcome = await RollupQuarter.For(hub).RunAsync(new RollupRequest(), ct);
            terminal.Heading("KPI tables");
            terminal.Line(Describe(outcome));
            terminal.Line($"Open {outcome.VersionPath}/kpi_values.parquet (or .csv) in Power BI or DuckDB; {RollupQuarter.CurrentPointer} names the current version.");
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (RollupFaults.RefusesInput(ex))
        {
            terminal.Line(ex.Message);
            return ExitCodes.Rejected;
        }
    });

    /// <summary>One line for the console and the runner's log: what was published, no values.</summary>
    public static string Describe(RollupOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.ClearedAsAbandoned)
        {
            return $"KPI tables of {outcome.VersionPath} were not published: the run was held up before its manifest longer than the abandoned-version age and a later run cleared its folder. The current version stays.";
        }

        if (outcome.SupersededBy is { } later)
        {
            return $"KPI tables written as {outcome.VersionPath} but not made current: {later}, from a rollup that started later, already was.";
        }

        var span = outcome.Quarters.Count == 0 ? "no quarters" : $"{outcome.Quarters[0]}–{outcome.Quarters[^1]} ({outcome.Quarters.Count} quarters)";
        var markers = string.Join(", ", outcome.Markers.Where(m => m.Key.Length > 0).Select(m => $"{m.Key} {m.Value}"));
        return $"KPI tables published: {outcome.VersionPath}, {span}, {outcome.KpiRows} rows ({(markers.Length == 0 ? "no markers" : markers)}), {outcome.SuppressedCells} cells suppressed.";
    }
}
