using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace DataHub.Testing;

/// <summary>DuckDB from npm as an independent engine: runs SQL in a fresh in-memory database and returns the last result.</summary>
/// <remarks>Values come back as DuckDB's JSON rendering: numbers, strings, ISO dates, 64-bit integers as strings, "NaN"/"Infinity".</remarks>
public static class DuckDb
{
    /// <summary>Runs the statements and returns the last statement's result.</summary>
    public static async Task<DuckDbResult> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        var script = Path.Combine(RepoPaths.NodeTools, "duckdb-query.mjs");
        if (!Directory.Exists(Path.Combine(RepoPaths.NodeTools, "node_modules", "@duckdb")))
        {
            throw new InvalidOperationException("DuckDB is not installed: run `npm install --prefix tests/node` (tests/run.sh does).");
        }

        var start = new ProcessStartInfo("node", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = RepoPaths.NodeTools,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        await process.StandardInput.WriteAsync(sql.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout;
        var errors = await stderr;
        if (process.ExitCode != 0)
        {
            throw new DuckDbException($"DuckDB failed (exit {process.ExitCode}): {errors.Trim()}\nSQL: {sql}");
        }

        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        var columns = root.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
        var types = root.GetProperty("types").EnumerateArray().Select(c => c.GetString()!).ToArray();
        var rows = root.GetProperty("rows").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray())
            .ToArray();
        return new DuckDbResult(columns, types, rows);
    }

    /// <summary>Quotes a file path as a DuckDB string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>The columns, DuckDB type names and rows of one result.</summary>
public sealed record DuckDbResult(IReadOnlyList<string> Columns, IReadOnlyList<string> Types, IReadOnlyList<JsonElement[]> Rows)
{
    /// <summary>The position of a column by name.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"No column '{column}' in [{string.Join(", ", Columns)}].");
    }
}

/// <summary>DuckDB rejected a statement.</summary>
public sealed class DuckDbException(string message) : Exception(message);
