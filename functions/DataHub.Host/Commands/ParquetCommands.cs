using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using DataHub.Core.Feeds;
using DataHub.Core.Marts;
using DataHub.Parquet;

namespace DataHub.Host.Commands;

/// <summary>`datahub parquet schema|head|stats FILE`: look inside a mart or KPI table without Power BI.</summary>
public static class ParquetCommands
{
    /// <summary>Builds the `parquet` command group, writing to <paramref name="env"/> (a table on a terminal, plain text when redirected).</summary>
    public static Command Create(CommandEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var group = new Command("parquet", "Inspect a Parquet file: its schema, first rows or row-group statistics.");
        group.Subcommands.Add(Schema(env));
        group.Subcommands.Add(Head(env));
        group.Subcommands.Add(Stats(env));
        return group;
    }

    private static Argument<FileInfo> FileArgument() => new("file") { Description = "The Parquet file." };

    private static Command Schema(CommandEnvironment env)
    {
        var file = FileArgument();
        var command = new Command("schema", "Columns, types, nullability, row count, writer and key-value metadata.") { file };
        command.SetAction((result, cancellationToken) => WithReaderAsync(env, result.GetValue(file)!, reader =>
        {
            var terminal = new Terminal(env.Output);
            terminal.Table(["column", "type", "nullable"], reader.Schema.Columns.Select(c => new[] { c.Name, c.Type.ToString(), c.Nullable ? "yes" : "no" }));
            terminal.Line(string.Create(CultureInfo.InvariantCulture, $"rows: {reader.RowCount}  row groups: {reader.RowGroups.Count}  created by: {reader.CreatedBy ?? "(unknown)"}"));
            foreach (var (key, value) in reader.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                terminal.Line($"{key} = {value}");
            }

            return Task.CompletedTask;
        }, cancellationToken));
        return command;
    }

    private static Command Head(CommandEnvironment env)
    {
        var file = FileArgument();
        var rows = new Option<int>("--rows", "-n") { Description = "How many rows to show.", DefaultValueFactory = _ => 10 };
        var columns = new Option<string[]>("--columns", "-c") { Description = "Only these columns (comma or space separated).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("head", "The first rows, optionally only some columns.") { file, rows, columns };
        command.SetAction((result, cancellationToken) => WithReaderAsync(env, result.GetValue(file)!, async reader =>
        {
            var wanted = result.GetValue(columns)?.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var names = wanted is { Length: > 0 } ? wanted : reader.Schema.Columns.Select(c => c.Name).ToArray();
            var missing = names.Where(n => reader.Schema.IndexOf(n) < 0).ToArray();
            if (missing.Length > 0)
            {
                throw new ArgumentException($"no column {string.Join(", ", missing)} in the file");
            }

            var shown = new List<string[]>();
            await foreach (var row in reader.ReadRowsAsync(names, cancellationToken).ConfigureAwait(false))
            {
                if (shown.Count >= result.GetValue(rows))
                {
                    break;
                }

                shown.Add([.. row.Select(Show)]);
            }

            new Terminal(env.Output).Table(names, shown);
        }, cancellationToken));
        return command;
    }

    private static Command Stats(CommandEnvironment env)
    {
        var file = FileArgument();
        var command = new Command("stats", "Per row group and column: rows, nulls, minimum and maximum as stored in the footer.") { file };
        command.SetAction((result, cancellationToken) => WithReaderAsync(env, result.GetValue(file)!, reader =>
        {
            var rows = new List<string[]>();
            for (var g = 0; g < reader.RowGroups.Count; g++)
            {
                var group = reader.RowGroups[g];
                for (var c = 0; c < reader.Schema.Columns.Count; c++)
                {
                    var stats = group.Columns[c];
                    rows.Add([
                        g.ToString(CultureInfo.InvariantCulture),
                        group.RowCount.ToString(CultureInfo.InvariantCulture),
                        reader.Schema.Columns[c].Name,
                        stats?.NullCount?.ToString(CultureInfo.InvariantCulture) ?? "?",
                        Show(stats?.Min),
                        Show(stats?.Max)]);
                }
            }

            new Terminal(env.Output).Table(["row group", "rows", "column", "nulls", "min", "max"], rows);
            return Task.CompletedTask;
        }, cancellationToken));
        return command;
    }

    private static async Task<int> WithReaderAsync(CommandEnvironment env, FileInfo file, Func<ParquetReader, Task> show, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            await env.Error.WriteLineAsync($"No file at {file.FullName}.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            if (Uncommitted(file) is { } reason)
            {
                await env.Error.WriteLineAsync($"datahub parquet: {file.Name} {reason}").ConfigureAwait(false);
                return ExitCodes.Rejected;
            }

            var reader = await ParquetReader.OpenAsync(file.OpenRead(), file.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await show(reader).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is ParquetFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            await env.Error.WriteLineAsync($"datahub parquet: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Rejected;
        }
    }

    // A mart file (…/secure/{feed}/quarter=…/{batch}.{attempt}.parquet, or {batch}.parquet before attempts had names) is
    // part of the mart only once its batch's manifest lists it, byte for byte: a file of an interrupted, unfinished, overtaken
    // or replaced commit attempt is shown to no one (other Parquet files are shown as they are).
    private static string? Uncommitted(FileInfo file)
    {
        var quarter = file.Directory;
        var feed = quarter?.Parent;
        if (quarter is null || feed?.Parent?.Name != "secure" || !quarter.Name.StartsWith("quarter=", StringComparison.Ordinal) || FeedCatalog.Find(feed.Name) is null)
        {
            return null;
        }

        var batch = MartSchema.BatchOfFileName(file.Name);
        var manifestPath = Path.Combine(feed.FullName, MartManifest.Folder, batch + ".json");
        var manifest = File.Exists(manifestPath) ? MartManifest.Parse(File.ReadAllBytes(manifestPath)) : null;
        var listed = manifest?.Files.FirstOrDefault(f => string.Equals(f.Path, $"secure/{feed.Name}/{quarter.Name}/{file.Name}", StringComparison.Ordinal));
        if (listed is null)
        {
            return "is not part of a committed batch (no batch manifest lists it): a commit interrupted or still under way, which no reader takes.";
        }

        using var stream = file.OpenRead();
        return string.Equals(Convert.ToHexStringLower(SHA256.HashData(stream)), listed.Sha256, StringComparison.Ordinal)
            ? null
            : "does not match its batch manifest: it changed after it was committed.";
    }

    private static string Show(object? value) => value switch
    {
        null => "",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
