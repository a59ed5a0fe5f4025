using DataHub.Core.Kpis;
using DataHub.Parquet;

namespace DataHub.Core.Rollup;

/// <summary>One row group of a secure mart file (contract C6), its columns read up front and looked up by name.</summary>
internal sealed class MartRowGroup
{
    private readonly Dictionary<string, ParquetColumnData> _columns;
    private readonly int _rowGroup;
    private readonly string _file;

    private MartRowGroup(Dictionary<string, ParquetColumnData> columns, int rowGroup, string file, int rows)
    {
        _columns = columns;
        _rowGroup = rowGroup;
        _file = file;
        Rows = rows;
    }

    public int Rows { get; }

    /// <summary>Reads every column of the row group (the feeds' row readers use nearly all of them).</summary>
    public static async Task<MartRowGroup> ReadAsync(ParquetReader reader, int rowGroup, string file, CancellationToken cancellationToken)
    {
        var columns = new Dictionary<string, ParquetColumnData>(StringComparer.Ordinal);
        for (var c = 0; c < reader.Schema.Columns.Count; c++)
        {
            columns[reader.Schema.Columns[c].Name] = await reader.ReadColumnAsync(rowGroup, c, cancellationToken).ConfigureAwait(false);
        }

        return new MartRowGroup(columns, rowGroup, file, (int)reader.RowGroups[rowGroup].RowCount);
    }

    // Each accessor binds its column once per row group, so reading a row is array indexing, not a lookup by name.

    /// <summary>Text (or token) values; null where the value or the whole column is absent.</summary>
    public Func<int, string?> Text(string column)
    {
        if (Column(column) is not { } c)
        {
            return _ => null;
        }

        var values = c.StringValues as string?[] ?? [.. c.StringValues!];
        return r => c.IsNull(r) ? null : values[r];
    }

    public Func<int, string> RequiredText(string column)
    {
        var get = Text(column);
        return r => get(r) ?? throw Missing(column, r);
    }

    public Func<int, DateOnly?> Date(string column)
    {
        if (Column(column) is not { } c)
        {
            return _ => null;
        }

        var dates = c.DateValues as DateOnly[] ?? [.. c.DateValues!];
        return r => c.IsNull(r) ? null : dates[r];
    }

    public Func<int, DateOnly> RequiredDate(string column)
    {
        var get = Date(column);
        return r => get(r) ?? throw Missing(column, r);
    }

    public Func<int, int?> Int(string column)
    {
        if (Column(column) is not { } c)
        {
            return _ => null;
        }

        var values = c.Int32Values as int[] ?? [.. c.Int32Values!];
        return r => c.IsNull(r) ? null : values[r];
    }

    public Func<int, int> RequiredInt(string column)
    {
        var get = Int(column);
        return r => get(r) ?? throw Missing(column, r);
    }

    public Func<int, bool> Bool(string column)
    {
        if (Column(column) is not { } c)
        {
            return _ => false;
        }

        var values = c.BooleanValues as bool[] ?? [.. c.BooleanValues!];
        return r => !c.IsNull(r) && values[r];
    }

    public Func<int, PersonKeys> Keys()
    {
        var (nhs, upn, nameDob, attributor, local) = (Text("nhs_token"), Text("upn_token"), Text("name_dob_token"), Text("attributor_token"), Text("local_token"));
        return r => new PersonKeys(nhs(r), upn(r), nameDob(r), attributor(r), local(r));
    }

    private ParquetColumnData? Column(string name) => _columns.GetValueOrDefault(name);

    // Names the file, row group, row and column; never a value.
    private InvalidDataException Missing(string column, int row) =>
        new($"Mart file '{_file}' row group {_rowGroup} row {row + 1}: required column '{column}' is missing or empty.");
}
