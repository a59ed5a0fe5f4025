namespace DataHub.Core.Validation;

/// <summary>The stable rule codes the reader and validator report in <see cref="Feeds.FileError"/> and <see cref="Feeds.RowError"/>.</summary>
public static class Rules
{
    /// <summary>The file has no bytes, or only blank lines.</summary>
    public const string FileEmpty = "file.empty";

    /// <summary>The file is separated by semicolons or tabs, not commas.</summary>
    public const string FileDelimiter = "file.delimiter";

    /// <summary>The file cannot be read as its format (truncated or corrupt XLSX, binary content in a CSV).</summary>
    public const string FileUnreadable = "file.unreadable";

    /// <summary>The file's type is not CSV or XLSX (e.g. legacy .xls).</summary>
    public const string FileFormat = "file.format";

    /// <summary>The file is in an encoding the contract does not accept (UTF-16 or UTF-32).</summary>
    public const string FileEncoding = "file.encoding";

    /// <summary>A single record (a CSV record, a workbook row) is larger than the reader takes, often an unclosed quote.</summary>
    public const string FileRecordTooLong = "file.record_too_long";

    /// <summary>A CSV record opens a quote that is never closed, so the rest of the file would be read as one cell.</summary>
    public const string FileUnclosedQuote = "file.unclosed_quote";

    /// <summary>A row has more columns than the reader takes.</summary>
    public const string FileTooManyColumns = "file.too_many_columns";

    /// <summary>A single cell is larger than the reader takes.</summary>
    public const string FileCellTooLarge = "file.cell_too_large";

    /// <summary>A workbook is larger, or inflates to more, than the reader takes (a zip bomb, or an extract to split).</summary>
    public const string FileDecompressedTooLarge = "file.decompressed_too_large";

    /// <summary>A workbook holds data on a sheet other than the first, which the reader never reads (hidden sheets too).</summary>
    public const string FileSheets = "file.sheets";

    /// <summary>A required column is not in the header.</summary>
    public const string HeaderMissingColumn = "header.missing_column";

    /// <summary>Two header cells name the same field.</summary>
    public const string HeaderDuplicateColumn = "header.duplicate_column";

    /// <summary>A header cell is blank.</summary>
    public const string HeaderEmptyColumn = "header.empty_column";

    /// <summary>A row has more or fewer cells than the header.</summary>
    public const string RowColumns = "row.columns";

    /// <summary>A quoted field has text after its closing quote.</summary>
    public const string RowQuote = "row.quote";

    /// <summary>A row repeats an earlier row of the same file exactly; the first is kept.</summary>
    public const string RowDuplicate = "row.duplicate";

    /// <summary>A row has bytes that are not valid UTF-8 in a file read as UTF-8, or a cell holds half a character (an unpaired surrogate) or a NUL.</summary>
    public const string EncodingInvalid = "encoding.invalid";

    /// <summary>A required value is empty.</summary>
    public const string ValueRequired = "value.required";

    /// <summary>A text value is longer than the contract allows.</summary>
    public const string TextLength = "text.length";

    /// <summary>A stored free-text value (a reference or label) holds an NHS number, a UPN, a date other than the row's own
    /// stored dates, or the row's own name (<see cref="FreeTextScreen"/>).</summary>
    public const string TextIdentifier = "text.identifier";

    /// <summary>A date is not ISO yyyy-mm-dd or UK dd/mm/yyyy.</summary>
    public const string DateFormat = "date.format";

    /// <summary>A date has the right shape but does not exist (30/02/2018, 2018-13-01).</summary>
    public const string DateImpossible = "date.impossible";

    /// <summary>A date field holds an Excel serial number (e.g. 43190) instead of a date.</summary>
    public const string DateExcelSerial = "date.excel_serial";

    /// <summary>A date's year is outside 1900–2099.</summary>
    public const string DateRange = "date.range";

    /// <summary>A boolean is not Y/N, Yes/No, true/false or 1/0.</summary>
    public const string BooleanFormat = "boolean.format";

    /// <summary>An integer is not a whole number.</summary>
    public const string IntegerFormat = "integer.format";

    /// <summary>An integer is outside the field's range (e.g. negative sessions).</summary>
    public const string IntegerRange = "integer.range";

    /// <summary>A code is not in the field's list.</summary>
    public const string CodeUnknown = "code.unknown";

    /// <summary>A health aggregate row's cohort label is not one of the cohorts the hub reports: no KPI would use the row.</summary>
    public const string CohortUnknown = "cohort.unknown";

    /// <summary>An NHS number is not 10 digits (after removing spaces and hyphens) or is a placeholder.</summary>
    public const string NhsFormat = "nhs.format";

    /// <summary>A cohort person's date of birth is a placeholder for an unknown date (01/01/1900 and the others in
    /// <see cref="Pseudonymisation.PlaceholderIdentities.DatesOfBirth"/>): the cohort's ages come from it.</summary>
    public const string DobPlaceholder = "dob.placeholder";

    /// <summary>An NHS number fails the modulus 11 check.</summary>
    public const string NhsCheckDigit = "nhs.check_digit";

    /// <summary>A UPN is not a letter, 11 digits and a digit or letter.</summary>
    public const string UpnFormat = "upn.format";

    /// <summary>A UPN's check letter does not match its digits.</summary>
    public const string UpnCheckLetter = "upn.check_letter";

    /// <summary>An initial is not a single letter.</summary>
    public const string InitialFormat = "initial.format";

    /// <summary>A quarter label is not like 2018Q1.</summary>
    public const string QuarterFormat = "quarter.format";

    /// <summary>An end date is before its start date.</summary>
    public const string DatesOrder = "dates.order";

    /// <summary>Authorised plus unauthorised absence sessions exceed possible sessions.</summary>
    public const string SessionsSum = "sessions.sum";

    /// <summary>A score is outside its instrument's range (PHQ9 0–27, GAD7 0–21).</summary>
    public const string ScoreRange = "score.range";

    /// <summary>Aggregate counts contradict each other (more people with an event than cohort people, fewer events than people).</summary>
    public const string CountsOrder = "counts.order";

    /// <summary>A closure reason is given without a closure date.</summary>
    public const string ClosureReasonWithoutDate = "closure.reason_without_date";
}
