using DataHub.Core.Protocols;
using DataHub.Core.Validation;

namespace DataHub.Core.Governance;

/// <summary>Each rule code the hub reports, in plain English for the rejections table and the board report.</summary>
public static class RuleTexts
{
    private static readonly Dictionary<string, string> Texts = new(StringComparer.Ordinal)
    {
        [Rules.FileEmpty] = "The file was empty.",
        [Rules.FileDelimiter] = "The file was separated by semicolons or tabs instead of commas.",
        [Rules.FileUnreadable] = "The file could not be read as CSV or XLSX (truncated or corrupt).",
        [Rules.FileFormat] = "The file was not CSV or XLSX.",
        [Rules.FileEncoding] = "The file was in an encoding the feed does not accept.",
        [Rules.FileRecordTooLong] = "A record was too long to read, usually a quote that never closes.",
        [Rules.FileTooManyColumns] = "A record had more columns than the hub reads.",
        [Rules.FileCellTooLarge] = "A cell was larger than the hub reads.",
        [Rules.FileDecompressedTooLarge] = "The workbook unpacked to more than the hub reads.",
        [Rules.FileSheets] = "The workbook held data on sheets besides the first, and the hub reads one sheet per file.",
        [Rules.HeaderMissingColumn] = "A required column was missing from the header.",
        [Rules.HeaderDuplicateColumn] = "Two header cells named the same column.",
        [Rules.HeaderEmptyColumn] = "A header cell was blank.",
        [Rules.RowColumns] = "A row had more or fewer cells than the header.",
        [Rules.RowQuote] = "A quoted value was not closed properly.",
        [Rules.RowDuplicate] = "A row repeated an earlier row of the same file exactly.",
        [Rules.EncodingInvalid] = "A row held bytes that are not valid text.",
        [Rules.ValueRequired] = "A required value was empty.",
        [Rules.TextLength] = "A text value was longer than the feed allows.",
        [Rules.TextIdentifier] = "A free-text value held an identifier (NHS number, UPN, a date, the person's own name).",
        [Rules.DateFormat] = "A date was not written yyyy-mm-dd or dd/mm/yyyy.",
        [Rules.DateImpossible] = "A date does not exist (e.g. 30 February).",
        [Rules.DateExcelSerial] = "A date was an Excel serial number instead of a date.",
        [Rules.DateRange] = "A date's year was outside 1900–2099.",
        [Rules.BooleanFormat] = "A yes/no value was not Y/N, Yes/No, true/false or 1/0.",
        [Rules.IntegerFormat] = "A number was not a whole number.",
        [Rules.IntegerRange] = "A number was outside its allowed range.",
        [Rules.DobPlaceholder] = "A cohort person's date of birth was a placeholder for an unknown date (such as 01/01/1900), which would place them in the wrong age group.",
        [Rules.CodeUnknown] = "A code was not in the feed's code list.",
        [Rules.CohortUnknown] = "A health aggregate row's cohort label was not one of the cohorts the hub reports, so no KPI would use it.",
        [Rules.NhsFormat] = "An NHS number was not 10 digits, or was a placeholder.",
        [Rules.NhsCheckDigit] = "An NHS number failed its check digit.",
        [Rules.UpnFormat] = "A UPN was not a letter, 11 digits and a final character.",
        [Rules.UpnCheckLetter] = "A UPN's check letter did not match its digits.",
        [Rules.InitialFormat] = "An initial was not a single letter.",
        [Rules.QuarterFormat] = "A quarter was not written like 2018Q1.",
        [Rules.DatesOrder] = "An end date was before its start date.",
        [Rules.SessionsSum] = "Absence sessions added up to more than the possible sessions.",
        [Rules.ScoreRange] = "A score was outside its instrument's range.",
        [Rules.CountsOrder] = "Aggregate counts contradicted each other.",
        [Rules.ClosureReasonWithoutDate] = "A closure reason was given without a closure date.",
        [ProtocolRules.Allowed] = "The agreement allowed the file.",
        [ProtocolRules.UnknownPartner] = "The sender has no data-sharing agreement.",
        [ProtocolRules.UnknownFeed] = "The feed is not one the hub has a contract for.",
        [ProtocolRules.FeedNotInAgreement] = "The partner's agreement does not cover this feed.",
        [ProtocolRules.NotYetInForce] = "The agreement was not yet in force.",
        [ProtocolRules.Expired] = "The agreement had expired.",
        [ProtocolRules.FieldOutsideAgreement] = "The file carried a column the agreement does not allow.",
        ["rows.above_tolerance"] = "More rows were rejected than the agreement tolerates, so no row was stored.",
        ["file.no_rows"] = "The file had a header but no data rows.",
        ["row.quarter_missing"] = "A row had no date to place it in a quarter.",
        ["ingest.poison"] = "Processing failed repeatedly; the file was set aside.",
        ["receipt.duplicate"] = "The same content had already been received.",
        [Ingestion.IngestExtract.SupersededRule] = "The partner replaced the file in landing before the hub read it; its content was not kept.",
        [Ingestion.IngestExtract.LandingChangedRule] = "The partner replaced or changed the file in landing while the hub read it; nothing of it was stored.",
        [Ingestion.IngestExtract.TakenOverRule] = "Another worker took over the file after this one stalled.",
        [Ingestion.IngestExtract.WithdrawnBeforeQuarantineRule] = "A batch an earlier attempt had committed was withdrawn, because its content was then quarantined.",
        [Retention.InterruptedWork.UncommittedRule] = "Mart files of a commit attempt that no batch manifest lists (the commit never finished, or was withdrawn or replaced).",
        ["rollup.abandoned_version"] = "A KPI version folder a rollup left without a manifest.",
        ["governance.abandoned_version"] = "A governance version folder a publication left without a manifest.",
        [Ingestion.IngestExtract.ArchiveFailedRule] = "The rows were stored, but the landed copy could not be moved to the raw archive.",
        ["path.traversal"] = "The landing path tried to leave the landing area.",
        ["path.depth"] = "The file was not in a partner/feed folder.",
        ["path.not_landing"] = "The path was outside the landing area.",
        ["path.empty"] = "The landing path was empty.",
        ["path.empty_segment"] = "The landing path had an empty folder name.",
        ["path.hidden"] = "The file or folder name was hidden (starts with a dot).",
        ["path.name"] = "The file or folder name used characters the hub does not accept.",
    };

    /// <summary>The rule's plain-English text, or a sentence naming the code when the hub has none for it.</summary>
    public static string Describe(string rule) =>
        Texts.TryGetValue(rule, out var text) ? text : $"Rule {rule}.";
}
