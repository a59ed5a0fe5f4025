using System.Text;
using DataHub.Core.Marts;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Parquet;

namespace DataHub.Azure.Tests.EndToEnd;

/// <summary>Reads back what a hub produced (marts, KPI tables, quarantine), decoded, so two hosts' results compare as text.</summary>
internal static class HubSnapshot
{
    /// <summary>Every path under quarantine/ (rejected files and their reports), in order.</summary>
    public static async Task<List<string>> QuarantineAsync(IObjectStore store) =>
        await store.ListAsync("quarantine/", CancellationToken.None).Select(o => o.Path).ToListAsync();

    /// <summary>Every mart file under secure/{feed}/ (not the rollup's secure/kpi/, not the batch manifests), by its path without the attempt: schema, metadata, rows.</summary>
    public static async Task<SortedDictionary<string, string>> MartsAsync(IObjectStore store)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync("secure/", CancellationToken.None))
        {
            if (!item.Path.StartsWith("secure/kpi/", StringComparison.Ordinal) && item.Path.EndsWith(".parquet", StringComparison.Ordinal))
            {
                // Each host's commit attempts name their files differently: a file is compared by its batch and quarter.
                var folder = item.Path[..(item.Path.LastIndexOf('/') + 1)];
                result[folder + MartSchema.BatchOfFileName(item.Path[folder.Length..]) + ".parquet"] = await DecodeAsync(store, item.Path);
            }
        }

        return result;
    }

    /// <summary>The current published KPI version's tables (and the secure person/family tables of the same run), by table file name.</summary>
    public static async Task<SortedDictionary<string, string>> KpiTablesAsync(IObjectStore store)
    {
        var version = await RollupQuarter.CurrentVersionAsync(store, CancellationToken.None)
            ?? throw new InvalidOperationException("No KPI version has been published.");

        var runFolder = version[(version.IndexOf("v=", StringComparison.Ordinal))..];
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in new[] { version + "/", "secure/kpi/" + runFolder + "/" })
        {
            await foreach (var item in store.ListAsync(folder, CancellationToken.None))
            {
                var name = folder[..folder.IndexOf('/', StringComparison.Ordinal)] + ":" + item.Path[folder.Length..];
                if (item.Path.EndsWith(".parquet", StringComparison.Ordinal))
                {
                    result[name] = await DecodeAsync(store, item.Path);
                }
                else if (item.Path.EndsWith(".csv", StringComparison.Ordinal))
                {
                    await using var stream = await store.OpenReadAsync(item.Path, null, CancellationToken.None);
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    result[name] = await reader.ReadToEndAsync();
                }
            }
        }

        return result;
    }

    // Schema, metadata (except the run id, which names the run) and every row, as text: equal text means equal files' contents.
    private static async Task<string> DecodeAsync(IObjectStore store, string path)
    {
        using var copy = new MemoryStream();
        await using (var stream = await store.OpenReadAsync(path, null, CancellationToken.None))
        {
            await stream.CopyToAsync(copy);
        }

        copy.Position = 0;
        await using var parquet = await ParquetReader.OpenAsync(copy, path);
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", parquet.Schema.Columns.Select(c => $"{c.Name}:{c.Type}:{c.Nullable}")));
        foreach (var (key, value) in parquet.Metadata.Where(m => m.Key != "datahub.run_id").OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('=').AppendLine(value);
        }

        await foreach (var row in parquet.ReadRowsAsync())
        {
            text.AppendLine(string.Join("|", row.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "null")));
        }

        return text.ToString();
    }
}
