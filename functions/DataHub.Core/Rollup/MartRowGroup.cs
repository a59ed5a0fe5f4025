using DataHub.Core.Kpis;
using DataHub.Parquet;

namespace DataHub.Core.Rollup;

/// <summary>One row group of a secure mart file (contract C6), read column by column by name.</summary>
internal sealed class MartRowGroup
{
    private static readonly int EpochDay = new DateOnly(1970, 1, 1).DayNumber;
    private readonly ParquetReader _reader;
    private readonly int _rowGroup;
    private readonly string _file;
    private readonly Dictionary<string, ParquetColumnData?> _columns = new(StringComparer.Ordinal);

    public MartRowGroup(ParquetReader reader, int rowGroup, string file)
    {
        _reader = reader;
        _rowGroup = rowGroup;
        _file = file;
        Rows = (int)reader.RowGroups[rowGroup].RowCount;
    }

    public int Rows { get; }

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

        var days = c.Int32Values as int[] ?? [.. c.Int32Values!];
        return r => c.IsNull(r) ? null : DateOnly.FromDayNumber(EpochDay + days[r]);
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

    private ParquetColumnData? Column(string name)
    {
        if (!_columns.TryGetValue(name, out var data))
        {
            data = _reader.Schema.IndexOf(name) >= 0 ? _reader.ReadColumn(_rowGroup, name) : null;
            _columns[name] = data;
        }

        return data;
    }

    // Names the file, row group, row and column; never a value.
    private InvalidDataException Missing(string column, int row) =>
        new($"Mart file '{_file}' row group {_rowGroup} row {row + 1}: required column '{column}' is missing or empty.");
}
