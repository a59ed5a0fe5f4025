using System.IO.Compression;
using System.Text;
using DataHub.Core.Parsing;
using DataHub.Core.Tests.Feeds;
using DataHub.Seeds;

namespace DataHub.Core.Tests.Parsing;

/// <summary>Issue 9: a hostile or broken file past any reader limit ends in a file error with a named rule, read in bounded memory.</summary>
public sealed class ReadLimitsTests
{
    private const string Police = "police-da-incidents";

    [Fact]
    public async Task A_csv_row_wider_than_the_column_limit_stops_the_file_with_its_rule()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police), FeedSamples.Line(Police) + new string(',', 40));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "x.csv", FeedSamples.Contract(Police), null, new ReadLimits { MaxColumns = 20 });
        var rows = await FeedSamples.ReadAll(reader);
        rows.Should().ContainSingle(r => r.IsValid);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.too_many_columns");
    }

    [Fact]
    public void A_csv_header_past_a_limit_is_reported_on_line_1()
    {
        var header = string.Join(",", Enumerable.Range(0, 3000).Select(i => "c" + i));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(header + "\n")), "x.csv", FeedSamples.Contract(Police));
        reader.FileErrors.Single().Message.Should().StartWith("The record starting on line 1 has more than");
    }

    [Fact]
    public async Task A_record_past_a_limit_is_named_by_the_line_it_starts_on_not_the_record_before_it()
    {
        // The valid record before spans lines 2-3 (a quoted line break), so the wide record starts on line 4.
        var multiLine = FeedSamples.Line(Police, ("crime", "\"Y\nY\""));
        var csv = FeedSamples.Csv(Police, multiLine, FeedSamples.Line(Police) + new string(',', 40));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "x.csv", FeedSamples.Contract(Police), null, new ReadLimits { MaxColumns = 20 });
        await FeedSamples.ReadAll(reader);
        reader.FileErrors.Single().Message.Should().StartWith("The record starting on line 4 has more than 20 columns");
    }

    [Fact]
    public async Task A_cell_past_the_limit_after_a_multi_line_record_is_named_by_the_line_it_starts_on()
    {
        // The valid record before spans lines 2-4 (two quoted line breaks, CR LF and LF), so the large cell's record starts on line 5.
        var multiLine = FeedSamples.Line(Police, ("forename", "Jane\r\nMary\nAnn"));
        var csv = FeedSamples.Csv(Police, multiLine, FeedSamples.Line(Police, ("surname", new string('S', 2000))));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "x.csv", FeedSamples.Contract(Police), null, new ReadLimits { MaxCellChars = 1000 });
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle().Which.Line.Should().Be(2);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.cell_too_large");
        reader.FileErrors[0].Message.Should().StartWith("The record starting on line 5 has a cell of more than 1,000 bytes");
    }

    [Fact]
    public async Task A_csv_cell_larger_than_the_cell_limit_stops_the_file_with_its_rule()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police, ("crime", new string('Y', 5000))));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "x.csv", FeedSamples.Contract(Police), null, new ReadLimits { MaxCellChars = 1000 });
        (await FeedSamples.ReadAll(reader)).Should().BeEmpty();
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.cell_too_large");
        reader.FileErrors[0].Message.Should().NotContain("YYYY");
    }

    [Fact]
    public async Task A_csv_cell_is_held_to_the_cell_limit_by_its_bytes_as_sent_quotes_included()
    {
        // 600 escaped quotes: 1,202 bytes as sent, 600 once unescaped.
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police), FeedSamples.Line(Police, ("forename", new string('"', 600))));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "x.csv", FeedSamples.Contract(Police), null, new ReadLimits { MaxCellChars = 1000 });
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle(r => r.IsValid);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.cell_too_large");
        reader.FileErrors[0].Message.Should().StartWith("The record starting on line 3 has a cell of more than 1,000 bytes");
    }

    [Fact]
    public async Task A_complete_csv_record_longer_than_the_row_limit_stops_the_file_on_its_line()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police), FeedSamples.Line(Police, ("incident_id", new string('I', 300))));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "x.csv", FeedSamples.Contract(Police), null, new ReadLimits { MaxRowBytes = 200 });
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle(r => r.IsValid);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.record_too_long");
        reader.FileErrors[0].Message.Should().StartWith("The record starting on line 3 runs over").And.NotContain("III");
    }

    [Fact]
    public async Task An_unclosed_quote_running_on_past_the_row_limit_stops_the_file_on_the_line_it_opens()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police), FeedSamples.Line(Police, ("incident_id", "INC2")))
            + "INC3,2017-06-02,victim,\"" + new string('x', 600_000) + "\n";
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "x.csv", FeedSamples.Contract(Police), null, new ReadLimits { MaxRowBytes = 1000 });
        (await FeedSamples.ReadAll(reader)).Should().HaveCount(2).And.OnlyContain(r => r.IsValid);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.record_too_long");
        reader.FileErrors[0].Message.Should().StartWith("The record starting on line 4 runs over");
    }

    [Fact]
    public void A_csv_header_wider_than_the_column_limit_is_refused_before_any_row()
    {
        var header = string.Join(",", Enumerable.Range(0, 3000).Select(i => "c" + i));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(header + "\n")), "x.csv", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.too_many_columns");
    }

    [Theory]
    [InlineData(5_000, "file.cell_too_large")] // caught as the workbook inflates, before ExcelDataReader builds the string
    [InlineData(300, "file.cell_too_large")] // within the inflating check's byte bound, caught on the row
    public void A_workbook_cell_larger_than_the_cell_limit_stops_the_file(int length, string rule)
    {
        var bytes = Workbook(("INC1", new string('x', length)));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police), null, new ReadLimits { MaxCellChars = 100 });
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal(rule);
    }

    [Theory]
    [InlineData("<c r=\"A2\"", "<c r=\"AAAA2\"")] // a column past XFD: ExcelDataReader would size every row by it
    [InlineData("<c r=\"A2\"", "<c s=\"a>b\" r=\"ZZZZZ2\"")] // the same, hidden behind a '>' in an attribute value
    [InlineData("<row r=\"2\"", "<row r=\"2000000000\"")] // a row past 1,048,576: ExcelDataReader would yield every row up to it
    public void A_workbook_referring_past_the_largest_sheet_is_unreadable(string original, string hostile)
    {
        var bytes = RewriteSheet(Workbook(("INC1", "victim")), xml => xml.Replace(original, hostile, StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
    }

    [Fact]
    public void A_workbook_nesting_elements_deeper_than_any_spreadsheet_program_writes_is_unreadable()
    {
        // Outside the sheet's data, so ExcelDataReader would read the rows, after holding a record per open element.
        var nested = "<extLst>" + string.Concat(Enumerable.Repeat("<a>", 10_000)) + string.Concat(Enumerable.Repeat("</a>", 10_000)) + "</extLst>";
        var bytes = RewriteSheet(Workbook(("INC1", "victim")), xml => xml.Replace("</sheetData>", "</sheetData>" + nested, StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("nests elements");
    }

    [Theory]
    [InlineData("<v>2</v>")] // the third shared string of two: ExcelDataReader would give the cell the text "2"
    [InlineData("<v>-1</v>")]
    public void A_workbook_cell_referring_to_shared_text_the_workbook_does_not_hold_is_unreadable(string reference)
    {
        var strings = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>victim</t></si><si><t>Jane</t></si></sst>";
        var bytes = AddEntry(RewriteSheet(Workbook(("INC1", "victim")), xml => ShareSurname(xml, reference)), "xl/sharedStrings.xml", strings);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("shared text");
    }

    [Fact]
    public async Task A_workbook_cell_referring_to_shared_text_it_holds_is_read()
    {
        var strings = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>victim</t></si><si><t>Smith</t></si></sst>";
        var bytes = AddEntry(RewriteSheet(Workbook(("INC1", "victim")), xml => ShareSurname(xml, "<v>1</v>")), "xl/sharedStrings.xml", strings);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle().Which.IsValid.Should().BeTrue();
        reader.FileErrors.Should().BeEmpty();
    }

    [Theory]
    [InlineData("<?x </a></a></a></a></a></a></a></a></a></a>?>", "processing instruction")] // ends hidden in an instruction would let as many more opens pass
    [InlineData("<!--\"-->", "comment")] // a quote in a comment would hide every tag up to the next quote
    [InlineData("<![CDATA[</a></a></a></a></a></a></a></a></a></a>]]>", "CDATA")]
    public void A_workbook_sheet_holding_comments_instructions_or_cdata_is_unreadable_and_says_what_it_found(string markup, string found)
    {
        // The markup hides ten closes (or, with a quote, every open after it) from a count of the nesting, so 260 opens
        // would pass as 250; an XML reader sees all 260.
        var nested = "<extLst>" + markup + string.Concat(Enumerable.Repeat("<a>", 260)) + markup + string.Concat(Enumerable.Repeat("</a>", 260)) + "</extLst>";
        var bytes = RewriteSheet(Workbook(("INC1", "victim")), xml => xml.Replace("</sheetData>", "</sheetData>" + nested, StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain(found).And.Contain("no spreadsheet program writes");
    }

    [Fact]
    public void A_workbook_with_an_end_tag_before_its_start_is_unreadable()
    {
        var bytes = RewriteSheet(Workbook(("INC1", "victim")), xml => xml.Replace("<worksheet", "</a><worksheet", StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => (e.Rule, e.Message)).Should().Equal(("file.unreadable", "The workbook has an element that is not well-formed XML (it is corrupt); save it again or send CSV."));
    }

    [Theory]
    [InlineData("<c r=\"E2\"\nt=\"s\"><v>2</v></c>")] // the type on its own line
    [InlineData("<c r=\"E2\" t = \"s\"><v>2</v></c>")] // white space around '='
    [InlineData("<c r=\"E2\" t=\"s\"><v>0<!---->999999</v></c>")] // a comment splitting the index: read as 0999999
    public void A_shared_text_reference_past_the_end_is_caught_however_the_cell_is_written(string cell)
    {
        var bytes = AddEntry(RewriteSheet(Workbook(("INC1", "victim")), xml => ReplaceSurname(xml, cell)), "xl/sharedStrings.xml", TwoStrings);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
    }

    [Fact]
    public void A_cell_type_written_as_escaped_characters_is_unreadable()
    {
        var bytes = AddEntry(RewriteSheet(Workbook(("INC1", "victim")), xml => ReplaceSurname(xml, "<c r=\"E2\" t=\"&#115;\"><v>2</v></c>")), "xl/sharedStrings.xml", TwoStrings);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("escaped characters");
    }

    [Fact]
    public void A_cell_reference_past_the_grid_is_caught_with_white_space_around_its_equals_sign()
    {
        var bytes = RewriteSheet(Workbook(("INC1", "victim")), xml => xml.Replace("<row r=\"2\"", "<row r =\n'2000000000'", StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("XFD1048576");
    }

    [Fact]
    public void Shared_strings_nested_below_the_root_are_not_counted_as_ExcelDataReader_does_not_load_them()
    {
        var nested = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><x><si><t>victim</t></si><si><t>Smith</t></si></x></sst>";
        var bytes = AddEntry(RewriteSheet(Workbook(("INC1", "victim")), xml => ShareSurname(xml, "<v>1</v>")), "xl/sharedStrings.xml", nested);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        Drain(reader);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("refers to shared text 1, but the workbook holds 0");
    }

    [Fact]
    public async Task A_shared_text_cell_with_an_empty_value_is_read_as_an_empty_cell()
    {
        var bytes = AddEntry(RewriteSheet(Workbook(("INC1", "victim")), xml => ShareSurname(xml, "<v></v>")), "xl/sharedStrings.xml", TwoStrings);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle();
        reader.FileErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_shared_text_index_padded_with_white_space_is_read()
    {
        var bytes = AddEntry(RewriteSheet(Workbook(("INC1", "victim")), xml => ShareSurname(xml, "<v>" + new string(' ', 20) + "1\n" + new string(' ', 20) + "</v>")), "xl/sharedStrings.xml", TwoStrings.Replace("Jane", "Smith", StringComparison.Ordinal));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police));
        var rows = await FeedSamples.ReadAll(reader);
        reader.FileErrors.Should().BeEmpty();
        FeedSamples.Value(rows.Should().ContainSingle().Subject, Police, "surname").Should().Be("Smith");
    }

    [Fact]
    public void A_workbook_that_inflates_past_the_limit_is_refused_as_it_inflates()
    {
        var bytes = Workbook([.. Enumerable.Range(1, 400).Select(i => ("INC" + i, "victim"))]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police), null, new ReadLimits { MaxWorkbookBytes = 20_000 });
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.decompressed_too_large");
    }

    [Fact]
    public void A_workbook_whose_shared_strings_inflate_past_their_limit_is_refused()
    {
        var strings = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"<si><t>s{i}</t></si>")) + "</sst>";
        var bytes = AddEntry(Workbook(("INC1", "victim")), "xl/sharedStrings.xml", strings);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police), null, new ReadLimits { MaxSharedStringsBytes = 10_000 });
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.decompressed_too_large");
    }

    [Fact]
    public async Task A_workbook_within_every_limit_is_read_as_before()
    {
        var bytes = Workbook(("INC1", "victim"), ("INC2", "perpetrator"));
        using var reader = FeedReader.Open(new MemoryStream(bytes), "x.xlsx", FeedSamples.Contract(Police), null, new ReadLimits { MaxColumns = 9, MaxCellChars = 20, MaxRowBytes = 200 });
        (await FeedSamples.ReadAll(reader)).Should().HaveCount(2).And.OnlyContain(r => r.IsValid);
        reader.FileErrors.Should().BeEmpty();
    }

    private static void Drain(FeedReader reader)
    {
        if (reader.FileErrors.Count == 0)
        {
            FeedSamples.ReadAll(reader).GetAwaiter().GetResult();
        }
    }

    private static byte[] Workbook(params (string Id, string Role)[] rows)
    {
        using var stream = new MemoryStream();
        var header = FeedSamples.Contract(Police).Fields.Select(f => f.Name).ToArray();
        XlsxWriter.Write(stream, header, rows.Select(r => (IReadOnlyList<object?>)[r.Id, new DateOnly(2017, 6, 1), r.Role, "Jane", "Smith", new DateOnly(1985, 2, 3), "F", "Y", "N"]));
        return stream.ToArray();
    }

    private const string TwoStrings = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>victim</t></si><si><t>Jane</t></si></sst>";

    // Replaces the data row's surname cell (column E) with cell.
    private static string ReplaceSurname(string sheet, string cell)
    {
        var start = sheet.IndexOf("<c r=\"E2\"", StringComparison.Ordinal);
        var end = sheet.IndexOf("</c>", start, StringComparison.Ordinal) + 4;
        return sheet[..start] + cell + sheet[end..];
    }

    // Turns the data row's surname cell (column E) into a reference to the shared strings.
    private static string ShareSurname(string sheet, string reference)
    {
        var start = sheet.IndexOf("<c r=\"E2\"", StringComparison.Ordinal);
        var end = sheet.IndexOf("</c>", start, StringComparison.Ordinal) + 4;
        return sheet[..start] + "<c r=\"E2\" t=\"s\">" + reference + "</c>" + sheet[end..];
    }

    private static byte[] RewriteSheet(byte[] workbook, Func<string, string> change) => Rebuild(workbook, (name, text) => name == "xl/worksheets/sheet1.xml" ? change(text) : text, null);

    private static byte[] AddEntry(byte[] workbook, string name, string content) => Rebuild(workbook, (_, text) => text, (name, content));

    private static byte[] Rebuild(byte[] workbook, Func<string, string, string> change, (string Name, string Content)? extra)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(workbook)))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                using var writer = new StreamWriter(target.CreateEntry(entry.FullName).Open());
                writer.Write(change(entry.FullName, reader.ReadToEnd()));
            }

            if (extra is { } added)
            {
                using var writer = new StreamWriter(target.CreateEntry(added.Name).Open());
                writer.Write(added.Content);
            }
        }

        return output.ToArray();
    }
}
