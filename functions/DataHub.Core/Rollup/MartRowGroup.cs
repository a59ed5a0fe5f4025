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

    /// <summary>Text (or token) value; null when the value or the whole column is absent.</summary>
    public string? Text(string column, int row) => Column(column) is { } c && !c.IsNull(row) ? c.StringValues![row] : null;

    public string RequiredText(string column, int row) => Text(column, row) ?? throw Missing(column, row);

    public DateOnly? Date(string column, int row) =>
        Column(column) is { } c && !c.IsNull(row) ? DateOnly.FromDayNumber(EpochDay + c.Int32Values![row]) : null;

    public DateOnly RequiredDate(string column, int row) => Date(column, row) ?? throw Missing(column, row);

    public int? Int(string column, int row) => Column(column) is { } c && !c.IsNull(row) ? c.Int32Values![row] : null;

    public int RequiredInt(string column, int row) => Int(column, row) ?? throw Missing(column, row);

    public bool Bool(string column, int row) => Column(column) is { } c && !c.IsNull(row) && c.BooleanValues![row];

    public PersonKeys Keys(int row) =>
        new(Text("nhs_token", row), Text("upn_token", row), Text("name_dob_token", row), Text("attributor_token", row), Text("local_token", row));

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
