using System.CommandLine;
using DataHub.Host.Embedded;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Commands;

/// <summary>`datahub run`: the embedded host, watching landing/ and running the timer jobs until Ctrl+C.</summary>
internal static class RunCommand
{
    public static Command Create(CommandEnvironment env)
    {
        var root = CommonOptions.Root();
        var protocols = CommonOptions.Protocols();
        var poll = new Option<double>("--poll-seconds") { Description = "How often landing/ is listed.", DefaultValueFactory = _ => 2 };
        var settle = CommonOptions.SettleSeconds(
            30,
            "How long a file must go unwritten before it is ingested, so that an upload that pauses is not taken half-way (names such as .filepart wait an hour, then are quarantined unread).");
        var schedules = new Option<string[]>("--schedule") { Description = "Override a timer job's CRON schedule: Name=\"sec min hour day month weekday\".", AllowMultipleArgumentsPerToken = false };
        var command = new Command("run", "Run the embedded host: ingest each file dropped into landing/{partner}/{feed}/ and run the timer jobs. Ctrl+C stops.") { root, protocols, poll, settle, schedules };
        command.SetAction(async (parse, ct) =>
        {
            var rootPath = parse.GetValue(root)!;
            IReadOnlyList<TimerJob> jobs;
            try
            {
                jobs = TimerJobs.WithOverrides(TimerJobs.All, parse.GetValue(schedules) ?? []);
            }
            catch (Exception ex) when (ex is ArgumentException or NCrontab.CrontabException)
            {
                env.Error.WriteLine(ex.Message);
                return ExitCodes.Usage;
            }

            return await ConfigurationFaults.GuardAsync(env, async () =>
            {
                using var hub = EmbeddedHub.Open(rootPath, parse.GetValue(protocols), env.Time, LogLevel.Warning, env.Settings);
                await hub.CheckReadyAsync(pseudonymises: true, ct);
                var recovered = await hub.RecoverAsync(ct);
                if (recovered.TemporaryFiles + recovered.UncommittedMartFiles.Count > 0)
                {
                    env.Output.WriteLine($"Start-up clean-up: removed {recovered.TemporaryFiles} temporary files and {recovered.UncommittedMartFiles.Count} mart files of uncommitted batches left by a stopped process.");
                }

                env.Output.WriteLine($"Watching {Path.Combine(hub.Root, "landing")} (every {parse.GetValue(poll)} s; a file is ingested once unchanged for {parse.GetValue(settle)} s). Timer jobs: {(jobs.Count == 0 ? "none registered" : string.Join(", ", jobs.Select(j => $"{j.Name} [{j.Schedule}]")))}. Ctrl+C stops.");
                var runner = new EmbeddedRunner(hub.Context, jobs, TimeSpan.FromSeconds(parse.GetValue(poll)), TimeSpan.FromSeconds(parse.GetValue(settle)), line => env.Output.WriteLine(line));
                await runner.RunAsync(ct);
                env.Output.WriteLine(runner.Failures == 0 ? "Stopped." : $"Stopped; {runner.Failures} file(s) failed unexpectedly while running (see the log and the audit).");
                return ct.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Ok;
            });
        });
        return command;
    }
}
