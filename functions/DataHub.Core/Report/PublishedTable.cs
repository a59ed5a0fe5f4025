using CsvHelper;
using DataHub.Core.Storage;

namespace DataHub.Core.Report;

/// <summary>A published table read back from its CSV twin: the report reads only what is published, so it shows only disclosure-controlled values.</summary>
/// <param name="Name">The table name, e.g. <c>kpi_values</c>.</param>
/// <param name="Columns">The header.</param>
/// <param name="Rows">The cells as written ("" for an empty cell).</param>
public sealed record PublishedTable(string Name, IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows)
{
    /// <summary>A table with no rows, for a version that does not hold it.</summary>
    public static PublishedTable Empty(string name) => new(name, [], []);

    /// <summary>The rows as column-name lookups.</summary>
    public IEnumerable<IReadOnlyDictionary<string, string>> Records()
    {
        foreach (var row in Rows)
        {
            var record = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < Columns.Count; i++)
            {
                record[Columns[i]] = i < row.Length ? row[i] : "";
            }

            yield return record;
        }
    }

    /// <summary>Reads <c>{version}/{name}.csv</c>, or an empty table when the version has none.</summary>
    public static async Task<PublishedTable> ReadAsync(IObjectStore store, string version, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var path = $"{version}/{name}.csv";
        if (await store.GetAsync(path, cancellationToken).ConfigureAwait(false) is null)
        {
            return Empty(name);
        }

        byte[] bytes;
        var stream = await store.OpenReadAsync(path, null, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }

        using var csv = CsvReader.Create(bytes, null);
        var columns = csv.Headers.ToArray();
        var rows = new List<string[]>();
        while (csv.Read())
        {
            var row = new string[columns.Length];
            for (var i = 0; i < columns.Length; i++)
            {
                row[i] = csv.GetString(i) ?? "";
            }

            rows.Add(row);
        }

        return new PublishedTable(name, columns, rows);
    }
}
