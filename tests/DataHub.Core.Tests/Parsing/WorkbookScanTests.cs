using System.IO.Compression;
using System.Text;
using DataHub.Core.Parsing;
using DataHub.Core.Tests.Feeds;
using DataHub.Testing;
using static DataHub.Core.Tests.Parsing.PoliceWorkbooks;

namespace DataHub.Core.Tests.Parsing;

/// <summary>The workbook pre-scan sees each part as the XML reader ExcelDataReader uses does: encodings, where a cell's
/// value sits, where cells fall, and the text and relationships that would cost it hours.</summary>
public sealed class WorkbookScanTests
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    [Theory]
    [InlineData("IBM037")] // EBCDIC: one opaque run to a byte scan, cells to an XML reader
    [InlineData("utf-16")] // with its byte-order mark
    public void A_second_sheet_in_an_encoding_other_than_UTF8_is_unreadable(string encoding)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var text = Encoding.GetEncoding(encoding);
        var xml = $"<?xml version=\"1.0\" encoding=\"{encoding}\"?><worksheet xmlns=\"{Main}\"><sheetData><row r=\"1\"><c r=\"A1\"><v>43190</v></c></row></sheetData></worksheet>";
        var sheet = text.GetPreamble().Concat(text.GetBytes(xml)).ToArray();
        var bytes = ReplaceEntry(SheetedWorkbook.Combine(Template, [Incidents("INC1"), WorkbookTab.Empty]), "xl/worksheets/sheet2.xml", sheet);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("UTF-8");
    }

    [Fact]
    public async Task A_part_declaring_UTF8_in_any_case_is_read()
    {
        var bytes = Rewrite(Template, "xl/worksheets/sheet1.xml", xml => "<?xml version=\"1.0\" encoding=\"utf-8\"?>" + xml[xml.IndexOf("<worksheet", StringComparison.Ordinal)..]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Should().BeEmpty();
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle();
    }

    [Theory]
    [InlineData("<c r=\"A1\"><c/><v>43190</v></c>", "file.sheets")] // ExcelDataReader skips the inner c and reads the number
    [InlineData("<c r=\"A1\" t=\"s\"><c/><v>99</v></c>", "file.unreadable")] // and reads index 99 of none as the text "99"
    [InlineData("<c r=\"A1\"><x:c xmlns:x=\"urn:x\"><v>1</v></x:c><v>43190</v></c>", "file.sheets")]
    public void A_value_behind_an_element_nested_in_its_cell_on_a_second_sheet_is_seen(string cell, string rule)
    {
        var lone = new WorkbookTab($"<worksheet xmlns=\"{Main}\"><sheetData><row r=\"1\">{cell}</row></sheetData></worksheet>");
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), lone]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal(rule);
    }

    [Fact]
    public void A_value_outside_any_cell_on_a_second_sheet_is_not_data()
    {
        var lone = new WorkbookTab($"<worksheet xmlns=\"{Main}\"><sheetData><row r=\"1\"><x><v>1</v></x></row></sheetData><v>2</v></worksheet>");
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), lone]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Should().BeEmpty();
    }

    [Theory]
    [InlineData(1, "<c r=\"XFD9\"/><c/><c/>", "XFD1048576")] // cells without r follow the last: past XFD
    [InlineData(2, "<c r=\"A9\"/>", "two cells in the same column")] // the second would replace the first
    [InlineData(16_385, "<c/>", "XFD1048576")]
    public void Cells_placed_past_the_grid_or_crowding_one_row_are_unreadable(int times, string cells, string message)
    {
        var row = "<row r=\"9\">" + string.Concat(Enumerable.Repeat(cells, times)) + "</row>";
        var bytes = Rewrite(Template, "xl/worksheets/sheet1.xml", xml => xml.Replace("</sheetData>", row + "</sheetData>", StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain(message);
    }

    [Theory]
    [InlineData(false)] // the rows numbered alike, their cells not
    [InlineData(true)] // every reference the same, as an exporter writing each row as row 2 would
    public void Rows_with_the_same_number_whose_cells_share_a_column_are_unreadable_not_merged(bool cellsToo)
    {
        // ExcelDataReader reads consecutive rows with one number as one row, the last cell in a column winning: INC1's
        // row would vanish without a word.
        var bytes = Rewrite(Workbook("INC1", "INC2"), "xl/worksheets/sheet1.xml", xml =>
        {
            xml = xml.Replace("<row r=\"3\"", "<row r=\"2\"", StringComparison.Ordinal);
            return cellsToo ? System.Text.RegularExpressions.Regex.Replace(xml, "r=\"([A-Z]+)3\"", "r=\"${1}2\"") : xml;
        });
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        var message = reader.FileErrors.Single().Message;
        message.Should().Contain("Row 2").And.Contain("two cells in the same column");
        message.Should().NotContain("INC").And.NotContain("Smith");
    }

    [Fact]
    public void Two_cells_in_one_column_of_one_row_are_unreadable()
    {
        var bytes = Rewrite(Template, "xl/worksheets/sheet1.xml", xml => ReplaceSurname(xml, "<c r=\"E2\"><v>1</v></c><c r=\"E2\"><v>2</v></c>"));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("Row 2");
    }

    [Theory]
    [InlineData("<t>a</t>")]
    [InlineData("<r><t>a</t></r>")]
    public void Shared_text_split_into_thousands_of_runs_is_refused_quickly(string run)
    {
        var strings = $"<sst xmlns=\"{Main}\"><si>" + string.Concat(Enumerable.Repeat(run, 5_000)) + "</si></sst>";
        var bytes = AddEntry(Template, "xl/sharedStrings.xml", strings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("runs");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Inline_text_split_into_thousands_of_runs_is_refused()
    {
        var cell = "<c r=\"E2\" t=\"inlineStr\"><is>" + string.Concat(Enumerable.Repeat("<r><t>a</t></r>", 5_000)) + "</is></c>";
        var bytes = Rewrite(Template, "xl/worksheets/sheet1.xml", xml => ReplaceSurname(xml, cell));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("runs");
    }

    [Theory]
    [InlineData("<si/>", 1_001, false)]
    [InlineData("<si><t>a</t></si>", 1_001, false)]
    [InlineData("<si/>", 1_000, true)]
    [InlineData("<si><t>a</t></si>", 1_000, true)]
    public void More_shared_texts_than_the_limit_are_refused_before_they_are_read(string item, int times, bool read)
    {
        var strings = $"<sst xmlns=\"{Main}\">" + string.Concat(Enumerable.Repeat(item, times)) + "</sst>";
        var bytes = AddEntry(Template, "xl/sharedStrings.xml", strings);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police), null, new ReadLimits { MaxSharedStrings = 1_000 });
        if (read)
        {
            reader.FileErrors.Should().BeEmpty();
            return;
        }

        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("more than 1,000 shared texts");
    }

    [Fact]
    public void Millions_of_empty_shared_texts_are_refused_by_default_as_they_inflate()
    {
        // The bomb as found: empty items a few bytes each, the part far within the inflated-bytes limit.
        var strings = new StringBuilder($"<sst xmlns=\"{Main}\">").Append(new StringBuilder().Insert(0, "<si/>", 4_000_001)).Append("</sst>").ToString();
        var bytes = AddEntry(Template, "xl/sharedStrings.xml", strings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("4,000,000 shared texts");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Shared_text_whose_runs_together_pass_the_cell_limit_is_too_large()
    {
        var strings = $"<sst xmlns=\"{Main}\"><si>" + string.Concat(Enumerable.Repeat("<t>" + new string('a', 50) + "</t>", 100)) + "</si></sst>";
        var bytes = AddEntry(Template, "xl/sharedStrings.xml", strings);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police), null, new ReadLimits { MaxCellChars = 100 });
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.cell_too_large");
    }

    [Fact]
    public void A_workbook_listing_more_relationships_than_any_program_writes_is_unreadable()
    {
        var extra = string.Concat(Enumerable.Range(0, 10_001).Select(i => $"<Relationship Id=\"x{i}\" Type=\"t\" Target=\"none.xml\"/>"));
        var bytes = Rewrite(Template, "xl/_rels/workbook.xml.rels", xml => xml.Replace("</Relationships>", extra + "</Relationships>", StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("relationships");
    }

    [Theory]
    [InlineData("numFmts", "<numFmt numFmtId=\"164\" formatCode=\"0.0\"/>", 1_001, "1,000 number formats")] // each checked against all before it
    [InlineData("cellXfs", "<xf numFmtId=\"0\"/>", 65_537, "65,536 cell formats")] // each an object several times its tag
    [InlineData("cellStyleXfs", "<xf numFmtId=\"0\"/>", 65_537, "65,536 cell formats")]
    public void Styles_listing_more_formats_than_any_program_writes_are_unreadable(string list, string item, int times, string message)
    {
        var styles = $"<{list}>" + string.Concat(Enumerable.Repeat(item, times)) + $"</{list}></styleSheet>";
        var bytes = Rewrite(Template, "xl/styles.xml", xml => xml.Replace("</styleSheet>", styles, StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain(message);
    }

    [Theory]
    [InlineData(256, false)]
    [InlineData(255, true)] // its escaped quotes take 6 bytes each, but are one character each to the reader
    public void A_number_format_longer_than_Excel_allows_is_unreadable(int characters, bool read)
    {
        var code = new string('0', characters - 10) + string.Concat(Enumerable.Repeat("&quot;", 10));
        var styles = $"<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"{code}\"/></numFmts><fonts";
        var bytes = Rewrite(Template, "xl/styles.xml", xml => xml.Replace("<fonts", styles, StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal(read ? [] : ["file.unreadable"]);
        if (!read)
        {
            reader.FileErrors.Single().Message.Should().Contain("255 characters");
        }
    }

    [Theory]
    [InlineData("<sheetData", "<cols>", "<col min=\"1\" max=\"1\" width=\"9\"/>", 16_385, "</cols>", "16,384 columns")]
    [InlineData("</worksheet>", "<mergeCells>", "<mergeCell ref=\"A1:B1\"/>", 100_001, "</mergeCells>", "100,000 ranges")]
    public void A_sheet_listing_more_columns_or_merged_ranges_than_any_program_writes_is_unreadable(string before, string open, string item, int times, string close, string message)
    {
        var list = open + string.Concat(Enumerable.Repeat(item, times)) + close + before;
        var bytes = Rewrite(Template, "xl/worksheets/sheet1.xml", xml => xml.Replace(before, list, StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain(message);
    }

    [Theory]
    [InlineData(3, false)] // 6,000 bytes: within 6 bytes a character of the 1 K row limit
    [InlineData(4, true)] // 8,000 bytes: ExcelDataReader would make 4 copies before the hub sees the row
    public void A_row_referring_to_one_long_shared_text_too_often_is_too_long_before_it_is_read(int references, bool refused)
    {
        var strings = $"<sst xmlns=\"{Main}\"><si><t>short</t></si><si><t>" + new string('a', 2_000) + "</t></si></sst>";
        var cells = string.Concat(Enumerable.Range(0, references).Select(i => $"<c r=\"{(char)('J' + i)}2\" t=\"s\"><v>1</v></c>"));
        var bytes = Rewrite(AddEntry(Template, "xl/sharedStrings.xml", strings), "xl/worksheets/sheet1.xml",
            xml => xml.Replace("</row></sheetData>", cells + "</row></sheetData>", StringComparison.Ordinal));
        var problem = WorkbookCheck.Check(new MemoryStream(bytes), new ReadLimits { MaxRowBytes = 1024 });
        if (refused)
        {
            problem!.Rule.Should().Be("file.record_too_long");
            problem.Message.Should().Contain("Row 2").And.NotContain("aaa");
        }
        else
        {
            problem.Should().BeNull();
        }
    }

    // Replaces the data row's surname cell (column E) with cell.
    private static string ReplaceSurname(string sheet, string cell)
    {
        var start = sheet.IndexOf("<c r=\"E2\"", StringComparison.Ordinal);
        var end = sheet.IndexOf("</c>", start, StringComparison.Ordinal) + 4;
        return sheet[..start] + cell + sheet[end..];
    }

    private static byte[] Rewrite(byte[] workbook, string name, Func<string, string> change) =>
        Rebuild(workbook, (entry, content) => entry == name ? Encoding.UTF8.GetBytes(change(Encoding.UTF8.GetString(content))) : content, null);

    private static byte[] ReplaceEntry(byte[] workbook, string name, byte[] content) => Rebuild(workbook, (entry, old) => entry == name ? content : old, null);

    private static byte[] AddEntry(byte[] workbook, string name, string content) => Rebuild(workbook, (_, old) => old, (name, Encoding.UTF8.GetBytes(content)));

    private static byte[] Rebuild(byte[] workbook, Func<string, byte[], byte[]> change, (string Name, byte[] Content)? extra)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(workbook)))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var from = new MemoryStream();
                using (var stream = entry.Open())
                {
                    stream.CopyTo(from);
                }

                using var to = target.CreateEntry(entry.FullName).Open();
                to.Write(change(entry.FullName, from.ToArray()));
            }

            if (extra is { } added)
            {
                using var to = target.CreateEntry(added.Name).Open();
                to.Write(added.Content);
            }
        }

        return output.ToArray();
    }
}
