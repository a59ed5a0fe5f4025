using DataHub.Core.Feeds;
using DataHub.Core.Validation;
using ExcelDataReader;

namespace DataHub.Core.Parsing;

/// <summary>Reads the first sheet of an XLSX workbook row by row through ExcelDataReader, turning any failure to read the
/// workbook (truncated, corrupt, not a workbook) into a <see cref="Rules.FileUnreadable"/> error instead of an exception.</summary>
internal sealed class XlsxSheetReader : IDisposable
{
    private const string Unreadable = "The workbook cannot be read (truncated or corrupt XLSX); save it again or send CSV.";
    private readonly IExcelDataReader reader;
    private readonly Stream? copy;
    private bool failed;

    private XlsxSheetReader(IExcelDataReader reader, Stream? copy)
    {
        this.reader = reader;
        this.copy = copy;
    }

    /// <summary>The 1-based sheet row of the current row.</summary>
    public long Line { get; private set; }

    /// <summary>The number of cells in the current row.</summary>
    public int FieldCount { get; private set; }

    /// <summary>True when every cell of the current row is empty.</summary>
    public bool IsBlank
    {
        get
        {
            for (var c = 0; c < FieldCount; c++)
            {
                if (Cell(c) is { } value && (value is not string s || !string.IsNullOrWhiteSpace(s)))
                {
                    return false;
                }
            }

            return true;
        }
    }

    public static XlsxSheetReader? Open(Stream content, out FileError? error)
    {
        error = null;

        // ExcelDataReader's configuration asks for code page 1252 when constructed, which .NET only serves once the
        // code-pages provider is registered; registering is idempotent and adds encodings, it changes none.
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        // A workbook is a zip whose directory is at its end, so the reader must seek; a forward-only stream is copied first.
        Stream? copy = null;
        try
        {
            if (!content.CanSeek)
            {
                copy = new MemoryStream();
                content.CopyTo(copy);
                copy.Position = 0;
            }

            return new XlsxSheetReader(ExcelReaderFactory.CreateOpenXmlReader(copy ?? content, new ExcelReaderConfiguration { LeaveOpen = true }), copy);
        }
        catch (Exception e) when (IsContentProblem(e))
        {
            copy?.Dispose();
            error = new FileError(Rules.FileUnreadable, Unreadable);
            return null;
        }
    }

    /// <summary>The value of cell <paramref name="index"/> (string, double, DateTime, bool or null).</summary>
    public object? Cell(int index) => index < FieldCount ? reader.GetValue(index) : null;

    /// <summary>Moves to the next row; false at the end or when the workbook turns out to be unreadable (the error is added).</summary>
    public bool Read(List<FileError> errors)
    {
        if (failed)
        {
            return false;
        }

        try
        {
            if (!reader.Read())
            {
                return false;
            }

            Line++;
            FieldCount = reader.FieldCount;
            return true;
        }
        catch (Exception e) when (IsContentProblem(e))
        {
            failed = true;
            errors.Add(new FileError(Rules.FileUnreadable, Unreadable));
            return false;
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        copy?.Dispose();
    }

    // ExcelDataReader reports bad workbooks through many exception types (zip, XML, its own); none is a programming error here.
    private static bool IsContentProblem(Exception e) => e is not (OperationCanceledException or OutOfMemoryException or StackOverflowException);
}
