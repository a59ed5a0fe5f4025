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
        var schedules = new Option<string[]>("--schedule") { Description = "Override a timer job's CRON schedule: Name=\"sec min hour day month weekday\".", AllowMultipleArgumentsPerToken = false };
        var command = new Command("run", "Run the embedded host: ingest each file dropped into landing/{partner}/{feed}/ and run the timer jobs. Ctrl+C stops.") { root, protocols, poll, schedules };
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
                env.Output.WriteLine($"Watching {Path.Combine(hub.Root, "landing")} (every {parse.GetValue(poll)} s). Timer jobs: {(jobs.Count == 0 ? "none registered" : string.Join(", ", jobs.Select(j => $"{j.Name} [{j.Schedule}]")))}. Ctrl+C stops.");
                var runner = new EmbeddedRunner(hub.Context, jobs, TimeSpan.FromSeconds(parse.GetValue(poll)), line => env.Output.WriteLine(line));
                await runner.RunAsync(ct);
                env.Output.WriteLine("Stopped.");
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
