using System.IO.Compression;
using System.Text;

namespace DataHub.Testing;

/// <summary>One sheet for <see cref="SheetedWorkbook.Combine"/>: its worksheet XML, whether it is hidden, and the part
/// holding it under xl/ (worksheets/sheetN.xml when null).</summary>
public sealed record WorkbookTab(string SheetXml, bool Hidden = false, string? Part = null)
{
    /// <summary>A sheet with no cell holding a value: formatted empty cells, an empty row, as real exports leave on Sheet2 and Sheet3.</summary>
    public static WorkbookTab Empty { get; } = new(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
        + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"A1\"/>"
        + "<sheetData><row r=\"1\"><c r=\"A1\" s=\"1\"/><c r=\"B1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">  </t></is></c></row><row r=\"5\"/></sheetData></worksheet>");

    /// <summary>The (only) sheet of a workbook XlsxWriter wrote.</summary>
    public static WorkbookTab From(byte[] workbook, bool hidden = false)
    {
        using var zip = new ZipArchive(new MemoryStream(workbook));
        using var reader = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
        return new WorkbookTab(reader.ReadToEnd(), hidden);
    }
}

/// <summary>Builds a workbook of several sheets from a single-sheet one (XlsxWriter's), as a partner's export that splits
/// an extract across sheets.</summary>
public static class SheetedWorkbook
{
    /// <summary>The workbook <paramref name="template"/> (its styles and package parts) with <paramref name="tabs"/> as its sheets, first to last.</summary>
    /// <param name="template">A workbook XlsxWriter wrote.</param>
    /// <param name="tabs">The sheets in tab order.</param>
    /// <param name="partsReversed">Store the first tab in the highest-numbered part and write parts in part order, as a
    /// workbook whose tabs were moved: part names and zip order then say nothing of tab order.</param>
    public static byte[] Combine(byte[] template, IReadOnlyList<WorkbookTab> tabs, bool partsReversed = false)
    {
        ArgumentNullException.ThrowIfNull(tabs);
        var parts = tabs.Select((tab, i) => (Tab: tab, Part: tab.Part ?? $"worksheets/sheet{(partsReversed ? tabs.Count - i : i + 1)}.xml", Id: "rIdSheet" + (i + 1))).ToList();
        var sheets = string.Concat(parts.Select((p, i) =>
            $"<sheet name=\"Tab {i + 1}\" sheetId=\"{i + 1}\"{(p.Tab.Hidden ? " state=\"hidden\"" : string.Empty)} r:id=\"{p.Id}\"/>"));
        var relationships = string.Concat(parts.Select(p =>
            $"<Relationship Id=\"{p.Id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"{p.Part}\"/>"));
        var overrides = string.Concat(parts.Select(p =>
            $"<Override PartName=\"/xl/{p.Part}\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"));

        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(template)))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries.Where(e => !e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal)))
            {
                using var reader = new StreamReader(entry.Open());
                var text = reader.ReadToEnd();
                text = entry.FullName switch
                {
                    "xl/workbook.xml" => Replace(text, "<sheets>", "</sheets>", sheets),
                    "xl/_rels/workbook.xml.rels" => ReplaceLine(text,
                        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
                        relationships),
                    "[Content_Types].xml" => ReplaceLine(text,
                        "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
                        overrides),
                    _ => text,
                };
                Write(target, entry.FullName, text);
            }

            foreach (var (tab, part, _) in parts.OrderBy(p => p.Part, StringComparer.Ordinal))
            {
                Write(target, "xl/" + part, tab.SheetXml);
            }
        }

        return output.ToArray();
    }

    private static string Replace(string text, string start, string end, string inner)
    {
        var at = text.IndexOf(start, StringComparison.Ordinal);
        var to = at < 0 ? -1 : text.IndexOf(end, at + start.Length, StringComparison.Ordinal);
        if (to < 0)
        {
            throw new InvalidOperationException($"The template has no {start}...{end} to replace: XlsxWriter's output changed.");
        }

        return text[..(at + start.Length)] + inner + text[to..];
    }

    // Swaps the template's one line for the sheet, failing loudly if the template no longer holds it word for word.
    private static string ReplaceLine(string text, string line, string replacement) =>
        text.Contains(line, StringComparison.Ordinal)
            ? text.Replace(line, replacement, StringComparison.Ordinal)
            : throw new InvalidOperationException($"The template has no line {line}: XlsxWriter's output changed.");

    private static void Write(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(new UTF8Encoding(false).GetBytes(text));
    }
}
