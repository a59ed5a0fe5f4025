using System.Globalization;
using System.Runtime.ExceptionServices;
using DataHub.Core.Feeds;
using DataHub.Core.Storage;
using DataHub.Core.Validation;
using ExcelDataReader;

namespace DataHub.Core.Parsing;

/// <summary>Reads the first sheet of an XLSX workbook row by row through ExcelDataReader, turning any failure to read the
/// workbook (truncated, corrupt, not a workbook) into a <see cref="Rules.FileUnreadable"/> error instead of an exception
/// (but a failure of the storage under it, a blob read or the scratch copy's writes, is thrown for a retry: <see cref="WatchedReads"/>),
/// and holding it to the reader's limits (<see cref="ReadLimits"/>): checked as it inflates before it is opened
/// (<see cref="WorkbookCheck"/>), then row by row.</summary>
internal sealed class XlsxSheetReader : IDisposable
{
    private const string Unreadable = "The workbook cannot be read (truncated or corrupt XLSX); save it again or send CSV.";
    private readonly IExcelDataReader reader;
    private readonly WatchedReads workbook;
    private readonly WatchedReads? copy;
    private readonly ReadLimits limits;
    private bool failed;

    private XlsxSheetReader(IExcelDataReader reader, WatchedReads workbook, WatchedReads? copy, ReadLimits limits)
    {
        this.reader = reader;
        this.workbook = workbook;
        this.copy = copy;
        this.limits = limits;
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
                if (!IsEmpty(Cell(c)))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Opens the workbook's first sheet; null with the error when it is unreadable or past a limit.</summary>
    /// <param name="content">The workbook; read from its start, not disposed.</param>
    /// <param name="limits">The reader's limits.</param>
    /// <param name="scratch">Where a forward-only stream is copied to be read (a workbook's directory is at its end); in memory when null.</param>
    /// <param name="error">Why the workbook is not read.</param>
    public static XlsxSheetReader? Open(Stream content, ReadLimits limits, IScratchSpace? scratch, out FileError? error)
    {
        error = null;

        // ExcelDataReader's configuration asks for code page 1252 when constructed, which .NET only serves once the
        // code-pages provider is registered; registering is idempotent and adds encodings, it changes none.
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        // A read of the content or of its scratch copy that fails is the storage's failure, not the workbook's: it is thrown
        // on to the handler, which retries the file, rather than reported as a corrupt workbook and quarantined.
        var source = new WatchedReads(content, leaveOpen: true);
        WatchedReads? copy = null;
        try
        {
            if (!source.CanSeek)
            {
                copy = new WatchedReads(scratch?.CreateFile() ?? new MemoryStream(), leaveOpen: false);
                if (!CopyWithin(source, copy, limits.MaxWorkbookBytes))
                {
                    copy.Dispose();
                    error = new FileError(Rules.FileDecompressedTooLarge, string.Create(CultureInfo.InvariantCulture, $"The workbook is larger than {limits.MaxWorkbookBytes >> 20:N0} MB; send the extract as CSV or in parts."));
                    return null;
                }
            }

            var workbook = copy ?? source;
            workbook.Position = 0;
            error = NotAWorkbook(workbook) ?? WorkbookCheck.Check(workbook, limits);
            if (error is not null)
            {
                copy?.Dispose();
                return null;
            }

            workbook.Position = 0;
            return new XlsxSheetReader(ExcelReaderFactory.CreateOpenXmlReader(workbook, new ExcelReaderConfiguration { LeaveOpen = true }), workbook, copy, limits);
        }
        catch (Exception e)
        {
            copy?.Dispose();
            if ((source.Failure ?? copy?.Failure) is { } storage)
            {
                ExceptionDispatchInfo.Throw(storage);
            }

            if (!IsContentProblem(e))
            {
                throw;
            }

            error = new FileError(Rules.FileUnreadable, Unreadable);
            return null;
        }
    }

    /// <summary>The value of cell <paramref name="index"/> (string, double, DateTime, bool or null).</summary>
    public object? Cell(int index) => index < FieldCount ? reader.GetValue(index) : null;

    /// <summary>Moves to the next row; false at the end, or when the workbook turns out to be unreadable or a row passes a limit (the error is added).</summary>
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
            if (Limit() is { } limit)
            {
                failed = true;
                errors.Add(limit);
                return false;
            }

            return true;
        }
        catch (Exception e) when (workbook.Failure is not null || IsContentProblem(e))
        {
            // The reader may have wrapped the storage's failure (as corrupt zip data, say): the failure itself goes on.
            if (workbook.Failure is { } storage)
            {
                ExceptionDispatchInfo.Throw(storage);
            }

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

    // Columns count to the row's last non-empty cell (a formatted empty cell far to the right is not a column).
    private FileError? Limit()
    {
        long characters = 0;
        var last = 0;
        for (var c = 0; c < FieldCount; c++)
        {
            var value = Cell(c);
            if (IsEmpty(value))
            {
                continue;
            }

            last = c + 1;
            var length = value is string s ? s.Length : 0;
            if (length > limits.MaxCellChars)
            {
                return new FileError(Rules.FileCellTooLarge, string.Create(CultureInfo.InvariantCulture, $"Sheet row {Line} has a cell of more than {limits.MaxCellChars:N0} characters; the rest of the workbook was not read."));
            }

            characters += length;
        }

        if (last > limits.MaxColumns)
        {
            return new FileError(Rules.FileTooManyColumns, string.Create(CultureInfo.InvariantCulture, $"Sheet row {Line} has values in more than {limits.MaxColumns:N0} columns; the rest of the workbook was not read."));
        }

        return characters > limits.MaxRowBytes
            ? new FileError(Rules.FileRecordTooLong, string.Create(CultureInfo.InvariantCulture, $"Sheet row {Line} holds more than {limits.MaxRowBytes / 1024:N0} K characters; the rest of the workbook was not read."))
            : null;
    }

    // What a partner most often sends under a .xlsx name that is no workbook: a password-protected workbook (Excel saves
    // it encrypted inside an OLE compound file, as the old .xls format is), or CSV text. Said plainly instead of "corrupt"
    // (text keeps its rule, file.unreadable; an OLE file is file.format, the rule of an .xls).
    private static FileError? NotAWorkbook(Stream workbook)
    {
        Span<byte> head = stackalloc byte[512];
        var length = workbook.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        workbook.Position = 0;
        head = head[..length];
        if (head.IsEmpty)
        {
            return null;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return new FileError(Rules.FileFormat,
                "The workbook is password-protected (encrypted) or in the old .xls format; remove the password and save it as XLSX, or send CSV.");
        }

        return !head.StartsWith("PK"u8) && !head.Contains((byte)0)
            ? new FileError(Rules.FileUnreadable, "The file is text, not a workbook; send it with a .csv name or save it as XLSX.")
            : null;
    }

    private static bool IsEmpty(object? value) => value is null || (value is string s && string.IsNullOrWhiteSpace(s));

    private static bool CopyWithin(Stream source, Stream target, long limit)
    {
        var buffer = new byte[1 << 16];
        long copied = 0;
        int n;
        while ((n = source.Read(buffer)) > 0)
        {
            copied += n;
            if (copied > limit)
            {
                return false;
            }

            target.Write(buffer, 0, n);
        }

        // The last bytes may still sit in the copy's buffer: written now, where a full scratch disk shows as the storage
        // failure it is, not later from a seek that the workbook reader would take for a corrupt file.
        target.Flush();
        return true;
    }

    // ExcelDataReader reports bad workbooks through many exception types (zip, XML, its own); none is a programming error
    // here. The landed file changing under the reader is not a fault of the workbook: it goes on to the handler.
    private static bool IsContentProblem(Exception e) =>
        e is not (OperationCanceledException or OutOfMemoryException or StackOverflowException or ObjectChangedException)
        && e.InnerException is not ObjectChangedException;
}
