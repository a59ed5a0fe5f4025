using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace DataHub.Seeds;

/// <summary>Writes a minimal valid .xlsx workbook (one sheet, inline strings, dates as serial numbers with a date style),
/// streaming rows so large sheets never sit in memory. Cells may be string, int, long, double, bool, DateOnly or null.</summary>
public static class XlsxWriter
{
    // Excel's day zero for serial dates (1900 date system, after its 1900 leap-year quirk).
    private static readonly int ExcelEpochDay = new DateOnly(1899, 12, 30).DayNumber;

    // A fixed entry time keeps the bytes identical for the same input (the archive default is the clock).
    private static readonly DateTimeOffset EntryTime = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes a workbook with one sheet named <paramref name="sheetName"/>: the header row, then the rows.</summary>
    public static void Write(Stream output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows, string sheetName = "Sheet1")
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8);
        Part(zip, "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
            + "</Types>");
        Part(zip, "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
            + "</Relationships>");
        Part(zip, "xl/workbook.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
            + "<sheets><sheet name=\"" + Escape(sheetName) + "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
        Part(zip, "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
            + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
            + "</Relationships>");

        // Style 1 uses built-in number format 14 (a short date), which readers recognise as a date.
        Part(zip, "xl/styles.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            + "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
            + "<fills count=\"1\"><fill><patternFill patternType=\"none\"/></fill></fills>"
            + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
            + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
            + "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
            + "<xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
            + "</styleSheet>");

        var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest);
        sheet.LastWriteTime = EntryTime;
        using var stream = sheet.Open();
        using var xml = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), CloseOutput = false });
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        xml.WriteStartDocument(standalone: true);
        xml.WriteStartElement("worksheet", ns);
        xml.WriteStartElement("sheetData", ns);
        var rowNumber = 1;
        WriteRow(xml, rowNumber++, headers.Cast<object?>().ToArray());
        foreach (var row in rows)
        {
            WriteRow(xml, rowNumber++, row);
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    /// <summary>The Excel serial number of a date.</summary>
    public static int Serial(DateOnly date) => date.DayNumber - ExcelEpochDay;

    private static void WriteRow(XmlWriter xml, int rowNumber, IReadOnlyList<object?> cells)
    {
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        xml.WriteStartElement("row", ns);
        xml.WriteAttributeString("r", rowNumber.ToString(CultureInfo.InvariantCulture));
        for (var c = 0; c < cells.Count; c++)
        {
            var value = cells[c];
            if (value is null)
            {
                continue;
            }

            xml.WriteStartElement("c", ns);
            xml.WriteAttributeString("r", ColumnName(c) + rowNumber.ToString(CultureInfo.InvariantCulture));
            switch (value)
            {
                case string s:
                    xml.WriteAttributeString("t", "inlineStr");
                    xml.WriteStartElement("is", ns);
                    xml.WriteStartElement("t", ns);
                    if (s.Length > 0 && (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1])))
                    {
                        xml.WriteAttributeString("xml", "space", null, "preserve");
                    }

                    xml.WriteString(s);
                    xml.WriteEndElement();
                    xml.WriteEndElement();
                    break;
                case bool b:
                    xml.WriteAttributeString("t", "b");
                    xml.WriteElementString("v", ns, b ? "1" : "0");
                    break;
                case DateOnly d:
                    xml.WriteAttributeString("s", "1");
                    xml.WriteElementString("v", ns, Serial(d).ToString(CultureInfo.InvariantCulture));
                    break;
                case IFormattable number:
                    xml.WriteElementString("v", ns, number.ToString(null, CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new ArgumentException($"Cannot write a {value.GetType().Name} cell.", nameof(cells));
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static string ColumnName(int index)
    {
        var name = string.Empty;
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + ((n - 1) % 26)) + name;
        }

        return name;
    }

    private static void Part(ZipArchive zip, string name, string content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        entry.LastWriteTime = EntryTime;
        using var stream = entry.Open();
        var bytes = Encoding.UTF8.GetBytes(content);
        stream.Write(bytes);
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
