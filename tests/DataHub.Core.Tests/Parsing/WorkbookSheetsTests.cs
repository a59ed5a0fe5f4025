using DataHub.Core.Parsing;
using DataHub.Core.Tests.Feeds;
using DataHub.Testing;
using static DataHub.Core.Tests.Parsing.PoliceWorkbooks;

namespace DataHub.Core.Tests.Parsing;

/// <summary>The hub reads a workbook's first sheet only, so rows on any other would be lost without a word: such a
/// workbook is refused whole, while the empty Sheet2 and Sheet3 real exports carry are not.</summary>
public sealed class WorkbookSheetsTests
{

    [Fact]
    public async Task A_workbook_with_data_on_a_second_sheet_is_refused_whole_before_any_row_is_read()
    {
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), Incidents("INC2")]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => (e.Rule, e.Message)).Should().Equal(("file.sheets",
            "The workbook holds data on a sheet besides the first (sheet 2 of 2); the hub reads one sheet per file: send each sheet as its own file, or as CSV."));
        (await FeedSamples.ReadAll(reader)).Should().BeEmpty();
    }

    [Fact]
    public void A_workbook_with_data_on_several_other_sheets_names_each_by_position_never_by_name()
    {
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), Incidents("INC2"), WorkbookTab.Empty, Incidents("INC3")]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        var error = reader.FileErrors.Should().ContainSingle().Subject;
        error.Rule.Should().Be("file.sheets");
        error.Message.Should().StartWith("The workbook holds data on 2 sheets besides the first (sheets 2 and 4 of 4);").And.NotContain("Tab");
    }

    [Theory]
    [InlineData("<c r=\"C7\" t=\"inlineStr\"><is><r><t>victim</t></r></is></c>")] // an inline string, in a rich-text run
    [InlineData("<c r=\"C7\"><v>43190</v></c>")] // a number
    [InlineData("<c r=\"C7\" t=\"str\"><f>A1</f><v>x</v></c>")] // a formula's result
    public void One_value_anywhere_on_another_sheet_refuses_the_workbook(string cell)
    {
        var lone = new WorkbookTab("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"7\">" + cell + "</row></sheetData></worksheet>");
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), lone]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.sheets");
    }

    [Fact]
    public async Task Empty_and_formatted_only_extra_sheets_are_accepted_and_the_first_sheet_read()
    {
        var noRows = new WorkbookTab("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData/></worksheet>");
        var emptyFormula = new WorkbookTab("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"str\"><f>\"\"</f><v></v></c></row></sheetData></worksheet>");
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1", "INC2"), WorkbookTab.Empty, noRows, emptyFormula]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Should().BeEmpty();
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => FeedSamples.Value(r, Police, "incident_id")).Should().Equal("INC1", "INC2");
    }

    [Fact]
    public void Data_on_a_hidden_sheet_refuses_the_workbook_and_the_message_says_it_is_hidden()
    {
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), WorkbookTab.Empty, Incidents("INC2") with { Hidden = true }]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => (e.Rule, e.Message)).Should().Equal(("file.sheets",
            "The workbook holds data on a sheet besides the first (sheet 3 of 3; sheet 3 is hidden); the hub reads one sheet per file: send each sheet as its own file, or as CSV."));
    }

    [Fact]
    public void A_hidden_first_sheet_is_the_one_read_so_data_on_the_visible_second_refuses_the_workbook()
    {
        var bytes = SheetedWorkbook.Combine(Template, [WorkbookTab.Empty with { Hidden = true }, Incidents("INC1")]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.sheets");
        reader.FileErrors.Single().Message.Should().Contain("(sheet 2 of 2; the first sheet is hidden)");
    }

    [Fact]
    public async Task The_first_sheet_is_the_first_tab_whatever_its_part_is_called()
    {
        // The first tab is stored as sheet2.xml and written last: the part named sheet1 is the second tab.
        var firstTabHasData = SheetedWorkbook.Combine(Template, [Incidents("INC1"), WorkbookTab.Empty], partsReversed: true);
        using (var reader = FeedReader.Open(new MemoryStream(firstTabHasData), "incidents.xlsx", FeedSamples.Contract(Police)))
        {
            reader.FileErrors.Should().BeEmpty();
            (await FeedSamples.ReadAll(reader)).Select(r => FeedSamples.Value(r, Police, "incident_id")).Should().Equal("INC1");
        }

        var secondTabHasData = SheetedWorkbook.Combine(Template, [WorkbookTab.Empty, Incidents("INC1")], partsReversed: true);
        using (var reader = FeedReader.Open(new MemoryStream(secondTabHasData), "incidents.xlsx", FeedSamples.Contract(Police)))
        {
            reader.FileErrors.Select(e => e.Rule).Should().Equal("file.sheets");
            reader.FileErrors.Single().Message.Should().Contain("(sheet 2 of 2)");
        }
    }

    [Fact]
    public void Data_on_a_second_sheet_behind_quoted_comments_refuses_the_workbook()
    {
        // A quote in a comment once hid every tag up to the next comment's quote, cells and all.
        var sheet = Incidents("INC2").SheetXml;
        var hidden = sheet.Replace("<sheetData>", "<sheetData><!--'-->", StringComparison.Ordinal).Replace("</sheetData>", "<!--'--></sheetData>", StringComparison.Ordinal);
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), new WorkbookTab(hidden)]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().Contain("comment");
    }

    [Theory]
    [InlineData("worksheets/sharedStrings.xml")] // named as shared strings, but not the part ExcelDataReader loads as them
    [InlineData("worksheets/sheet2.bin")] // not named .xml: ExcelDataReader reads it all the same
    public void Data_on_a_second_sheet_is_found_whatever_its_part_is_called(string part)
    {
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), Incidents("INC2") with { Part = part }]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.sheets");
    }

    [Fact]
    public void A_workbook_listing_more_sheets_than_any_extract_holds_is_unreadable()
    {
        var bytes = SheetedWorkbook.Combine(Template, [Incidents("INC1"), .. Enumerable.Repeat(WorkbookTab.Empty, 1_000)]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => (e.Rule, e.Message)).Should().Equal(("file.unreadable",
            "The workbook lists more than 1,000 sheets, far more than any real extract holds; it is not read."));
    }
}
