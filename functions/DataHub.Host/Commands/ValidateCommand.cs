using System.CommandLine;
using System.Globalization;
using DataHub.Core.Feeds;
using DataHub.Core.Ingestion;
using DataHub.Core.Kpis;
using DataHub.Core.Parsing;

namespace DataHub.Host.Commands;

/// <summary>`datahub validate FILE --feed F`: the rejection report a partner would get, with nothing stored.</summary>
internal static class ValidateCommand
{
    private const int RowsListed = 50;

    public static Command Create(CommandEnvironment env)
    {
        var file = new Argument<FileInfo>("file") { Description = "The CSV or XLSX extract." };
        var feed = new Option<string>("--feed") { Description = "The feed whose contract to check against.", Required = true };
        var command = new Command("validate", "Check FILE against a feed contract and print the report; nothing is stored or pseudonymised.") { file, feed };
        command.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(file)!;
            // The cohort labels are the hub's (the default cohorts, as every host configures them), so validate refuses what ingest would.
            var contract = FeedCatalog.Find(parse.GetValue(feed)!) is { } found ? FeedCatalog.WithCohorts(found, new KpiOptions().Cohorts.Select(c => c.Name)) : null;
            if (contract is null)
            {
                // The text given is not repeated: it is whatever was typed, a name or NHS number as easily as a feed.
                env.Error.WriteLine($"No feed has the name given to --feed. Feeds: {string.Join(", ", FeedCatalog.All.Select(c => c.Name))}.");
                return ExitCodes.Usage;
            }

            // Validate runs where the hub's key may not be (a partner's or analyst's machine; it stores and pseudonymises
            // nothing), so it cannot make a file's keyed label, and an unkeyed one could be worked back to the name: the
            // file is named by its type only.
            var label = FileLabels.Withheld.Label(source.Name);
            if (!source.Exists)
            {
                env.Error.WriteLine($"No file at the path given ({label}).");
                return ExitCodes.Usage;
            }

            try
            {
                return await ValidateAsync(env, source, label, contract, ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not its message (nor the stack trace the command line would print): an I/O message quotes the path.
                env.Error.WriteLine($"{label} could not be read ({ex.GetType().Name}); nothing was checked.");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    private static async Task<int> ValidateAsync(CommandEnvironment env, FileInfo source, string label, FeedContract contract, CancellationToken ct)
    {
        var terminal = new Terminal(env.Output);
        await using var stream = source.OpenRead();
        using var reader = FeedReader.Open(stream, label, contract);
        terminal.Heading($"{label} against {contract.Name}");
        int WouldBeQuarantined()
        {
            terminal.Table(["rule", "column", "message"], reader.FileErrors.Select(e => (IReadOnlyList<string>)[e.Rule, e.Column ?? string.Empty, e.Message]));
            terminal.Line("The file would be quarantined.");
            return ExitCodes.Rejected;
        }

        if (reader.FileErrors.Count > 0)
        {
            return WouldBeQuarantined();
        }

        long accepted = 0;
        var errors = new RowErrorTally(RowsListed);
        await foreach (var row in reader.ReadRowsAsync(ct))
        {
            if (row.IsValid)
            {
                accepted++;
            }
            else
            {
                errors.Add(row.Errors!);
            }
        }

        // A fault met part-way (a record too long, a quote that never closes) ends reading: the file would be quarantined.
        if (reader.FileErrors.Count > 0)
        {
            terminal.Line($"Reading stopped after {accepted + errors.Rows} rows:");
            return WouldBeQuarantined();
        }

        if (reader.UnknownColumns.Count > 0)
        {
            terminal.Line($"Columns outside the {contract.Name} contract (an agreement would reject them): {string.Join(", ", SafeNames.Columns(contract, reader.Headers, reader.UnknownColumns))}");
        }

        terminal.Line($"Rows: {accepted + errors.Rows} read, {accepted} valid, {errors.Rows} rejected.");
        if (errors.Rows > 0)
        {
            terminal.Table(["rule", "rows"], errors.ByRule.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (IReadOnlyList<string>)[p.Key, p.Value.ToString(CultureInfo.InvariantCulture)]));
            terminal.Table(["line", "column", "rule", "message"], errors.Listed.Select(e => (IReadOnlyList<string>)[e.Line.ToString(CultureInfo.InvariantCulture), e.Column, e.Rule, e.Message]));
            if (errors.Truncated)
            {
                terminal.Line($"(first {RowsListed} errors listed)");
            }
        }

        return errors.Rows == 0 && reader.UnknownColumns.Count == 0 && accepted > 0 ? ExitCodes.Ok : ExitCodes.Rejected;
    }
}
