using Parquet.Meta;

namespace DataHub.Parquet;

/// <summary>Checks a file's decoded metadata against itself before any column is read, so a damaged footer ends in an error.</summary>
/// <remarks>Every column chunk must name its schema column, have its physical type, hold one value per row of its row group
/// and lie inside the bytes before the footer; the row groups must add up to the file's row count. For our own files
/// (those carrying a <see cref="ContentHash"/>), whose chunks the library writes back to back, the chunks must also tile the
/// file exactly, so a flipped offset or size cannot send a read elsewhere.</remarks>
internal static class MetadataCheck
{
    public static void Check(FileMetaData meta, long dataLength, bool tiled, string name)
    {
        ParquetFormatException Fail(string problem) => new(name, problem);
        var columns = meta.Schema.Where(e => e.NumChildren is null or 0).ToArray();
        var rowGroups = meta.RowGroups ?? [];
        long rows = 0;
        var expectedStart = 4L;
        for (var g = 0; g < rowGroups.Count; g++)
        {
            var group = rowGroups[g];
            rows += group.NumRows;
            if (group.NumRows < 0 || group.Columns.Count != columns.Length)
            {
                throw Fail($"row group {g} has {group.Columns.Count} column chunks and {group.NumRows} rows for {columns.Length} columns");
            }

            for (var c = 0; c < columns.Length; c++)
            {
                var chunk = group.Columns[c].MetaData ?? throw Fail($"row group {g} column {c} has no metadata");
                var start = chunk.DictionaryPageOffset is > 0 and var dictionary && dictionary < chunk.DataPageOffset ? dictionary : chunk.DataPageOffset;
                if (chunk.PathInSchema.Count != 1 || chunk.PathInSchema[0] != columns[c].Name || chunk.Type != columns[c].Type
                    || chunk.NumValues != group.NumRows || start < 4 || chunk.TotalCompressedSize < 0 || start + chunk.TotalCompressedSize > dataLength
                    || (tiled && start != expectedStart))
                {
                    throw Fail($"row group {g} column '{columns[c].Name}' does not match the schema, its row count or the file's bytes");
                }

                expectedStart = start + chunk.TotalCompressedSize;
            }
        }

        if (rows != meta.NumRows || (tiled && expectedStart != dataLength))
        {
            throw Fail($"the row groups hold {rows} rows in {expectedStart} bytes; the footer says {meta.NumRows} rows in {dataLength} bytes");
        }
    }
}
