using System.Diagnostics;
using System.Security.Cryptography;
using DataHub.Core.Marts;
using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Parquet.Tests;

public sealed class ParquetCommandTests
{
    [Fact]
    public async Task Schema_head_and_stats_show_a_mart_a_bad_file_is_rejected_with_exit_2_and_a_missing_one_is_a_usage_error()
    {
        using var folder = new TempFolder("pq-cli");
        var path = folder.File("mart.parquet");
        var schema = new ParquetSchema([new("batch_id", ParquetType.String, false), new("source_line", ParquetType.Int64, false), new("event_date", ParquetType.Date)]);
        await TestTables.WriteFileAsync(path, schema, [["b-7", 1L, new DateOnly(2019, 4, 2)], ["b-7", 2L, null], ["b-7", 3L, new DateOnly(2018, 12, 31)]], new ParquetWriterOptions
        {
            Metadata = new Dictionary<string, string> { ["datahub.partner"] = "police" },
        });

        var bad = folder.File("bad.parquet");
        await File.WriteAllTextAsync(bad, "not parquet at all");

        var (schemaCode, schemaText) = await Run("parquet", "schema", path);
        var (headCode, headText) = await Run("parquet", "head", path, "--rows", "2", "--columns", "source_line,event_date");
        var (statsCode, statsText) = await Run("parquet", "stats", path);
        var (badCode, badText) = await Run("parquet", "stats", bad);
        var (missingCode, missingText) = await Run("parquet", "head", folder.File("absent.parquet"));

        schemaCode.Should().Be(0);
        schemaText.Should().Contain("batch_id").And.Contain("Date").And.Contain("rows: 3").And.Contain("datahub.partner = police");
        headCode.Should().Be(0);
        headText.Should().Contain("2019-04-02").And.NotContain("2018-12-31").And.NotContain("b-7");
        statsCode.Should().Be(0);
        statsText.Should().Contain("2018-12-31").And.Contain("2019-04-02");
        badCode.Should().Be(2, "README: 2 is input rejected; 3 is configuration to put right");
        badText.Should().Contain("bad.parquet").And.Contain("not a readable Parquet file");
        missingCode.Should().Be(1, "README: a missing file is a usage error");
        missingText.Should().Contain("No file at").And.Contain("absent.parquet");
    }

    [Fact]
    public async Task Redirected_output_is_plain_aligned_text_with_every_cell_whole_at_any_terminal_width()
    {
        using var folder = new TempFolder("pq-cli-plain");
        var path = folder.File("wide.parquet");
        var columns = Enumerable.Range(1, 8).Select(i => new ParquetColumn($"column_number_{i}", ParquetType.String)).ToArray();
        var cell = "a-value-longer-than-any-narrow-column-gives-it";
        await TestTables.WriteFileAsync(path, new ParquetSchema(columns), [columns.Select(_ => (object?)cell).ToArray()]);

        var (code, text) = await Run(80, "parquet", "head", path);

        code.Should().Be(0);
        text.Should().NotContainAny("│", "─", "┌").And.Contain(cell).And.Contain("column_number_8");
    }

    [Fact]
    public async Task A_mart_file_is_shown_when_its_batch_manifest_lists_it_under_either_naming_and_an_unlisted_attempts_file_is_refused()
    {
        using var root = new TempFolder("pq-cli-marts");
        var store = new LocalObjectStore(root.Path);
        var schema = new ParquetSchema([new("batch_id", ParquetType.String, false), new("source_line", ParquetType.Int64, false)]);
        using var scratch = new TempFolder("pq-cli-marts-scratch");
        var bytes = await FileBytesAsync(scratch, schema, "police-00112233445566aa");
        const string Feed = "police-da-incidents";

        // A batch committed before attempts had names: {batch}.parquet, listed by a manifest without an attempt.
        await MartCommits.WriteAsync(store, Feed, "police", "2018Q1", "police-00112233445566aa", bytes, 1);
        var old = MartSchema.PathFor(Feed, "2018Q1", "police-00112233445566aa");

        // A batch committed by an attempt, beside a file of another attempt at it that no manifest lists.
        const string Batch = "police-00112233445566bb";
        var (committed, overtaken) = (MartSchema.AttemptOf("committed claim"), MartSchema.AttemptOf("overtaken claim"));
        var listed = MartSchema.PathFor(Feed, "2018Q1", Batch, committed);
        var unlisted = MartSchema.PathFor(Feed, "2018Q1", Batch, overtaken);
        foreach (var path in new[] { listed, unlisted })
        {
            await store.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), WriteOptions.Default, default);
        }

        var file = new MartManifestFile(listed, "2018Q1", 1, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        await new MartCatalog(store).CommitAsync(new MartManifest(Batch, Feed, "police", new string('0', 64), DateTimeOffset.UtcNow, 1, 0, [file], committed), null, default);

        var (oldCode, oldText) = await Run("parquet", "head", store.FullPath(old));
        var (listedCode, listedText) = await Run("parquet", "head", store.FullPath(listed));
        var (unlistedCode, unlistedText) = await Run("parquet", "head", store.FullPath(unlisted));

        oldCode.Should().Be(0, oldText);
        listedCode.Should().Be(0, listedText);
        unlistedCode.Should().Be(2, unlistedText);
        unlistedText.Should().Contain("no batch manifest lists it");
    }

    private static async Task<byte[]> FileBytesAsync(TempFolder folder, ParquetSchema schema, string batch)
    {
        var path = folder.File(batch + ".parquet");
        await TestTables.WriteFileAsync(path, schema, [[batch, 2L]]);
        return await File.ReadAllBytesAsync(path);
    }

    private static Task<(int Code, string Output)> Run(params string[] args) => Run(200, args);

    private static async Task<(int Code, string Output)> Run(int columns, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datahub.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COLUMNS"] = columns.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
