using DataHub.Core.Hub;
using NCrontab;

namespace DataHub.Host.Embedded;

/// <summary>A job the embedded runner runs on a CRON schedule, as the Functions host runs a timer trigger.</summary>
/// <param name="Name">The function name, e.g. "RollupQuarter".</param>
/// <param name="Schedule">A six-field CRON expression with seconds (the Functions timer format), e.g. "0 0 2 * * *".</param>
/// <param name="RunAsync">Runs the job once; returns a one-line summary for the console and log.</param>
public sealed record TimerJob(string Name, string Schedule, Func<HubContext, CancellationToken, Task<string>> RunAsync)
{
    /// <summary>The parsed schedule.</summary>
    /// <exception cref="CrontabException">The expression is not a six-field CRON expression.</exception>
    public CrontabSchedule Parse() => CrontabSchedule.Parse(Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
}

/// <summary>
/// The timer jobs of the embedded host. Each helper that owns a timer function adds one line to <see cref="All"/>
/// (RollupQuarter, default "0 0 2 * * *"; EnforceRetention, daily). Schedules can be overridden per run with
/// <c>datahub run --schedule Name=CRON</c>.
/// </summary>
public static class TimerJobs
{
    /// <summary>Every registered job, with its default schedule.</summary>
    public static IReadOnlyList<TimerJob> All { get; } =
    [
        new("RollupQuarter", DataHub.Core.Rollup.RollupSettings.DefaultSchedule, async (hub, ct) =>
            Commands.RollupCommand.Describe(await DataHub.Core.Rollup.RollupQuarter.For(hub).RunAsync(new DataHub.Core.Rollup.RollupRequest(), ct))),
        new("EnforceRetention", "0 30 3 * * *", async (hub, ct) => (await new DataHub.Core.Retention.EnforceRetention(hub).RunAsync(ct).ConfigureAwait(false)).Summary),
    ];

    /// <summary>The jobs with any schedule overrides ("Name=CRON") applied.</summary>
    /// <exception cref="ArgumentException">An override names no registered job or is malformed.</exception>
    public static IReadOnlyList<TimerJob> WithOverrides(IReadOnlyList<TimerJob> jobs, IEnumerable<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var result = jobs.ToList();
        foreach (var text in overrides ?? [])
        {
            var parts = text.Split('=', 2);
            var index = parts.Length == 2 ? result.FindIndex(j => string.Equals(j.Name, parts[0], StringComparison.OrdinalIgnoreCase)) : -1;
            if (index < 0)
            {
                throw new ArgumentException($"'{text}' does not name a registered job ({string.Join(", ", result.Select(j => j.Name))}) as Name=CRON.");
            }

            result[index] = result[index] with { Schedule = parts[1].Trim() };
            _ = result[index].Parse();
        }

        return result;
    }
}
