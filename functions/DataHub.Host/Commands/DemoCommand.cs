using System.CommandLine;
using System.Globalization;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Storage;
using DataHub.Host.Embedded;
using DataHub.Seeds;

namespace DataHub.Host.Commands;

/// <summary>A step the demo runs after every file is ingested (the KPI rollup adds itself here).</summary>
/// <param name="Name">Shown as a heading.</param>
/// <param name="RunAsync">Runs the step and prints its summary; returns an exit code (0 for success).</param>
public sealed record DemoStep(string Name, Func<HubContext, Terminal, CancellationToken, Task<int>> RunAsync);

/// <summary>
/// `datahub demo`: makes the seeded synthetic multi-agency dataset, drops it into landing/, ingests every file and prints
/// a per-feed summary, then runs the steps in <see cref="AfterIngest"/>.
/// </summary>
public static class DemoCommand
{
    /// <summary>Steps run after ingest, in order. The KPI rollup registers itself here.</summary>
    public static IReadOnlyList<DemoStep> AfterIngest { get; } =
    [
        RollupCommand.DemoStep,
    ];

    internal static Command Create(CommandEnvironment env)
    {
        var root = CommonOptions.Root();
        var protocols = CommonOptions.Protocols();
        var families = new Option<int?>("--families") { Description = "Number of synthetic families (default: the generator's small demo size)." };
        var command = new Command("demo", "Generate the synthetic dataset (fixed seed), drop it into landing/, ingest everything and print a summary.") { root, protocols, families };
        command.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var rootPath = parse.GetValue(root)!;
            var terminal = new Terminal(env.Output);
            var created = await KeyCommands.InitAsync(rootPath, env.Time, ct);
            if (created.Count > 0)
            {
                terminal.Line($"No keys in {Path.Combine(Path.GetFullPath(rootPath), "keys")}: created a fresh random key for this demo root ({string.Join(", ", created)}).");
            }

            using var hub = EmbeddedHub.Open(rootPath, parse.GetValue(protocols), env.Time, settings: env.Settings);
            await hub.CheckReadyAsync(pseudonymises: true, ct);
            await hub.RecoverAsync(ct);
            var options = parse.GetValue(families) is { } n ? new SeedOptions { Families = n } : new SeedOptions();
            IReadOnlyList<IngestOutcome> outcomes;
            try
            {
                outcomes = await RunAsync(hub, options, terminal, ct);
            }
            catch (LandingNameTakenException ex)
            {
                // The demo's names are its own (synthetic), so the taken one can be shown.
                env.Error.WriteLine($"Landing already holds a different file named as one of the demo's ({ex.Path}); it was left as it is and the demo stopped there. "
                    + "The demo is meant for a root of its own: run it again with a new --root.");
                return ExitCodes.Usage;
            }


            PrintSummary(terminal, outcomes);
            terminal.Line($"Marts under {Path.Combine(hub.Root, "secure")}; quarantine and reports under {Path.Combine(hub.Root, "quarantine")}; audit: `datahub audit show --root {rootPath}`.");
            var code = outcomes.Any(o => o.Status == IngestStatus.Failed) ? ExitCodes.Failed : ExitCodes.Ok;
            foreach (var step in AfterIngest)
            {
                terminal.Heading(step.Name);
                var stepCode = await step.RunAsync(hub.Context, terminal, ct);
                code = code == ExitCodes.Ok ? stepCode : code;
            }

            return code;
        }));
        return command;
    }

    /// <summary>Generates the dataset, drops every file into landing/ and ingests each one; returns the outcomes.</summary>
    public static async Task<IReadOnlyList<IngestOutcome>> RunAsync(EmbeddedHub hub, SeedOptions options, Terminal terminal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(terminal);
        var dataset = SyntheticHub.Generate(options);
        var files = dataset.Files.OrderBy(f => f.Partner, StringComparer.Ordinal).ThenBy(f => f.Feed, StringComparer.Ordinal).ThenBy(f => f.FileName, StringComparer.Ordinal).ToList();
        terminal.Line($"Generated {files.Count} extracts from {files.Select(f => f.Partner).Distinct().Count()} partners; dropping them into landing/ and ingesting.");
        var ingest = new IngestExtract(hub.Context);

        // A root that already holds other deliveries under the demo's names (a real root given by mistake): stop before
        // writing anything, rather than replace a waiting file that has no receipt yet.
        foreach (var file in files)
        {
            if (await hub.HoldsAnotherAsync(LandingPathOf(file), file.Content.Length, () => new MemoryStream(file.Content, writable: false), cancellationToken))
            {
                throw new LandingNameTakenException(LandingPathOf(file));
            }
        }

        return await terminal.ProgressAsync("Ingesting", files.Count, async advance =>
        {
            var outcomes = new List<IngestOutcome>();
            foreach (var file in files)
            {
                var path = LandingPathOf(file);
                var landed = await hub.LandAsync(path, file.Content.Length, () => new MemoryStream(file.Content, writable: false), (s, ct) => s.WriteAsync(file.Content, ct).AsTask(), cancellationToken);
                var outcome = await ingest.HandleAsync(path, landed.ETag, cancellationToken);
                outcomes.Add(outcome);
                if (!terminal.IsRich)
                {
                    terminal.Line(EmbeddedRunner.Describe(outcome));
                }

                advance(path);
            }

            return (IReadOnlyList<IngestOutcome>)outcomes;
        });
    }

    private static string LandingPathOf(SyntheticFile file) => $"{LandingPath.Container}/{file.Partner}/{file.Feed}/{file.FileName}";

    /// <summary>Prints, per feed: files, rows accepted and rejected, files quarantined, and the share of stored rows carrying each key.</summary>
    public static void PrintSummary(Terminal terminal, IReadOnlyList<IngestOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(outcomes);
        string Share(IEnumerable<IngestOutcome> feed, LinkageKey key)
        {
            var stored = feed.Where(o => o.RowsWithKey is not null).ToList();
            if (stored.Count == 0 || !stored.Any(o => o.RowsWithKey!.ContainsKey(key)))
            {
                return "-";
            }

            var rows = stored.Sum(o => o.RowsAccepted);
            return rows == 0 ? "-" : (stored.Sum(o => o.RowsWithKey!.GetValueOrDefault(key)) / (double)rows).ToString("P0", CultureInfo.InvariantCulture);
        }

        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        terminal.Heading("Ingest summary");
        terminal.Table(
            ["feed", "files", "rows accepted", "rows rejected", "quarantined", "duplicates", .. LinkageKeys.All.Select(k => k.Label())],
            outcomes.Where(o => o.Feed is not null).GroupBy(o => o.Feed!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (IReadOnlyList<string>)
            [
                g.Key,
                N(g.Count()),
                N(g.Where(o => o.Status is IngestStatus.Stored or IngestStatus.StoredWithRowErrors).Sum(o => o.RowsAccepted)),
                N(g.Sum(o => o.RowsRejected)),
                N(g.Count(o => o.Status == IngestStatus.Quarantined)),
                N(g.Count(o => o.Status == IngestStatus.Duplicate)),
                .. LinkageKeys.All.Select(k => Share(g, k)),
            ]));
    }
}
