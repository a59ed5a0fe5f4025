using System.CommandLine;
using System.Globalization;
using DataHub.Parquet;
using Spectre.Console;

namespace DataHub.Host.Commands;

/// <summary>`datahub parquet schema|head|stats FILE`: look inside a mart or KPI table without Power BI.</summary>
public static class ParquetCommands
{
    /// <summary>Exit code when the file is missing or not readable Parquet.</summary>
    public const int UnreadableFile = 3;

    /// <summary>Builds the `parquet` command group.</summary>
    public static Command Create()
    {
        var group = new Command("parquet", "Inspect a Parquet file: its schema, first rows or row-group statistics.");
        group.Subcommands.Add(Schema());
        group.Subcommands.Add(Head());
        group.Subcommands.Add(Stats());
        return group;
    }

    private static Argument<FileInfo> FileArgument() => new("file") { Description = "The Parquet file." };

    private static Command Schema()
    {
        var file = FileArgument();
        var command = new Command("schema", "Columns, types, nullability, row count, writer and key-value metadata.") { file };
        command.SetAction((result, cancellationToken) => WithReaderAsync(result.GetValue(file)!, reader =>
        {
            var table = new Table().AddColumns("column", "type", "nullable");
            foreach (var column in reader.Schema.Columns)
            {
                table.AddRow(Markup.Escape(column.Name), column.Type.ToString(), column.Nullable ? "yes" : "no");
            }

            AnsiConsole.Write(table);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows: {reader.RowCount}  row groups: {reader.RowGroups.Count}  created by: {reader.CreatedBy ?? "(unknown)"}"));
            foreach (var (key, value) in reader.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"{key} = {value}");
            }

            return Task.CompletedTask;
        }, cancellationToken));
        return command;
    }

    private static Command Head()
    {
        var file = FileArgument();
        var rows = new Option<int>("--rows", "-n") { Description = "How many rows to show.", DefaultValueFactory = _ => 10 };
        var columns = new Option<string[]>("--columns", "-c") { Description = "Only these columns (comma or space separated).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("head", "The first rows, optionally only some columns.") { file, rows, columns };
        command.SetAction((result, cancellationToken) => WithReaderAsync(result.GetValue(file)!, async reader =>
        {
            var wanted = result.GetValue(columns)?.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var names = wanted is { Length: > 0 } ? wanted : reader.Schema.Columns.Select(c => c.Name).ToArray();
            var missing = names.Where(n => reader.Schema.IndexOf(n) < 0).ToArray();
            if (missing.Length > 0)
            {
                throw new ArgumentException($"no column {string.Join(", ", missing)} in the file");
            }

            var table = new Table().AddColumns(names.Select(Markup.Escape).ToArray());
            var shown = 0;
            await foreach (var row in reader.ReadRowsAsync(names, cancellationToken).ConfigureAwait(false))
            {
                if (shown++ >= result.GetValue(rows))
                {
                    break;
                }

                table.AddRow(row.Select(v => Markup.Escape(Show(v))).ToArray());
            }

            AnsiConsole.Write(table);
        }, cancellationToken));
        return command;
    }

    private static Command Stats()
    {
        var file = FileArgument();
        var command = new Command("stats", "Per row group and column: rows, nulls, minimum and maximum as stored in the footer.") { file };
        command.SetAction((result, cancellationToken) => WithReaderAsync(result.GetValue(file)!, reader =>
        {
            var table = new Table().AddColumns("row group", "rows", "column", "nulls", "min", "max");
            for (var g = 0; g < reader.RowGroups.Count; g++)
            {
                var group = reader.RowGroups[g];
                for (var c = 0; c < reader.Schema.Columns.Count; c++)
                {
                    var stats = group.Columns[c];
                    table.AddRow(
                        g.ToString(CultureInfo.InvariantCulture),
                        group.RowCount.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(reader.Schema.Columns[c].Name),
                        stats?.NullCount?.ToString(CultureInfo.InvariantCulture) ?? "?",
                        Markup.Escape(Show(stats?.Min)),
                        Markup.Escape(Show(stats?.Max)));
                }
            }

            AnsiConsole.Write(table);
            return Task.CompletedTask;
        }, cancellationToken));
        return command;
    }

    private static async Task<int> WithReaderAsync(FileInfo file, Func<ParquetReader, Task> show, CancellationToken cancellationToken)
    {
        try
        {
            var reader = await ParquetReader.OpenAsync(file.OpenRead(), file.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await show(reader).ConfigureAwait(false);
            }

            return 0;
        }
        catch (Exception ex) when (ex is ParquetFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"datahub parquet: {ex.Message}");
            return UnreadableFile;
        }
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
