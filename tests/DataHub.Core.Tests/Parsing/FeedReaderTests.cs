using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Parsing;
using DataHub.Core.Tests.Feeds;
using DataHub.Seeds;

namespace DataHub.Core.Tests.Parsing;

/// <summary>The parsing part of the bad-input matrix (issue 3, acceptance 3) and the reader's CSV/XLSX behaviour.</summary>
public sealed class FeedReaderTests
{
    private const string Police = "police-da-incidents";
    private const string School = "school-attendance";

    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    [Fact]
    public void Empty_file_is_a_file_error()
    {
        using var reader = FeedSamples.Open(Police, Array.Empty<byte>());
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.empty");
    }

    [Fact]
    public void File_of_blank_lines_is_a_file_error()
    {
        using var reader = FeedSamples.Open(Police, "\r\n\n  \n");
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.empty");
    }

    [Theory]
    [InlineData("utf-16LE", "UTF-16")]
    [InlineData("utf-16BE", "UTF-16")]
    [InlineData("utf-32LE", "UTF-32")]
    [InlineData("utf-32BE", "UTF-32")]
    public void A_file_saved_as_unicode_text_is_refused_naming_its_own_encoding(string encoding, string named)
    {
        var text = Encoding.GetEncoding(encoding);
        var bytes = text.GetPreamble().Concat(text.GetBytes(FeedSamples.Csv(Police, FeedSamples.Line(Police)))).ToArray();
        using var reader = FeedSamples.Open(Police, bytes);
        var error = reader.FileErrors.Should().ContainSingle().Subject;
        error.Rule.Should().Be("file.encoding");
        error.Message.Should().StartWith($"The file is {named}");
    }

    [Fact]
    public async Task Header_only_file_is_accepted_with_zero_rows()
    {
        using var reader = FeedSamples.Open(Police, FeedSamples.Header(Police) + "\r\n");
        reader.FileErrors.Should().BeEmpty();
        reader.Headers.Should().HaveCount(9);
        (await FeedSamples.ReadAll(reader)).Should().BeEmpty();
    }

    [Fact]
    public async Task Missing_required_column_is_a_file_error_naming_it_and_no_rows_are_read()
    {
        var header = FeedSamples.Header(Police).Replace(",marac_referral", "", StringComparison.Ordinal);
        var row = FeedSamples.Line(Police)[..FeedSamples.Line(Police).LastIndexOf(',')];
        using var reader = FeedSamples.Open(Police, header + "\n" + row + "\n");
        var error = reader.FileErrors.Should().ContainSingle().Subject;
        error.Rule.Should().Be("header.missing_column");
        error.Column.Should().Be("marac_referral");
        error.Message.Should().Contain("marac_referral");
        (await FeedSamples.ReadAll(reader)).Should().BeEmpty();
    }

    [Fact]
    public async Task Missing_optional_column_reads_as_null()
    {
        var contract = FeedSamples.Contract("csc-cla-periods");
        using var reader = FeedSamples.Open("csc-cla-periods", "person_id,period_key,start_date\nP1,LA1,2018-03-01\n");
        reader.FileErrors.Should().BeEmpty();
        var row = (await FeedSamples.ReadAll(reader)).Single().Row!;
        row.Values[contract.Fields.ToList().FindIndex(f => f.Name == "end_date")].Should().BeNull();
    }

    [Fact]
    public void Semicolon_delimited_file_is_a_file_error()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police)).Replace(',', ';');
        using var reader = FeedSamples.Open(Police, csv);
        reader.FileErrors.Select(e => e.Rule).Should().Contain("file.delimiter");
    }

    [Fact]
    public void Tab_delimited_file_is_a_file_error()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police)).Replace(',', '\t');
        using var reader = FeedSamples.Open(Police, csv);
        reader.FileErrors.Select(e => e.Rule).Should().Contain("file.delimiter");
    }

    [Fact]
    public async Task Windows_1252_names_with_accents_are_decoded()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police, ("forename", "Zoë"), ("surname", "Bézier-Núñez")));
        using var reader = FeedSamples.Open(Police, Windows1252.GetBytes(csv));
        var row = (await FeedSamples.ReadAll(reader)).Single();
        FeedSamples.Value(row, Police, "forename").Should().Be("Zoë");
        FeedSamples.Value(row, Police, "surname").Should().Be("Bézier-Núñez");
        reader.Encoding.Should().Be("windows-1252");
    }

    [Fact]
    public async Task Windows_1252_detected_even_when_the_first_accent_is_far_into_the_file()
    {
        var lines = Enumerable.Range(0, 20_000).Select(i => FeedSamples.Line(Police, ("incident_id", "I" + i))).ToList();
        lines.Add(FeedSamples.Line(Police, ("incident_id", "LAST"), ("surname", "Lefèvre")));
        using var reader = FeedSamples.Open(Police, Windows1252.GetBytes(FeedSamples.Csv(Police, [.. lines])));
        var rows = await FeedSamples.ReadAll(reader);
        rows.Should().HaveCount(20_001).And.OnlyContain(r => r.IsValid);
        FeedSamples.Value(rows[^1], Police, "surname").Should().Be("Lefèvre");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Utf8_with_or_without_bom_is_decoded(bool bom)
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police, ("forename", "Zoë"), ("surname", "Ó Súilleabháin")));
        var bytes = new UTF8Encoding(bom).GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray();
        using var reader = FeedSamples.Open(Police, bytes);
        reader.Headers[0].Should().Be("incident_id");
        var row = (await FeedSamples.ReadAll(reader)).Single();
        FeedSamples.Value(row, Police, "surname").Should().Be("Ó Súilleabháin");
        reader.Encoding.Should().Be(bom ? "utf-8-bom" : "utf-8");
    }

    [Fact]
    public async Task Invalid_utf8_after_valid_utf8_rejects_that_row_only()
    {
        var good = Encoding.UTF8.GetBytes(FeedSamples.Csv(Police, FeedSamples.Line(Police, ("forename", "Zoë"))));
        var bad = Windows1252.GetBytes(FeedSamples.Line(Police, ("incident_id", "I2"), ("forename", "Zoë")) + "\n");
        using var reader = FeedSamples.Open(Police, [.. good, .. bad]);
        var rows = await FeedSamples.ReadAll(reader);
        rows[0].IsValid.Should().BeTrue();
        FeedSamples.Rules(rows[1]).Should().Equal("encoding.invalid");
        rows[1].Line.Should().Be(3);
    }

    [Fact]
    public async Task Quoted_fields_with_embedded_newlines_keep_them_and_lines_stay_physical()
    {
        var csv = FeedSamples.Csv("da-programmes",
            FeedSamples.Line("da-programmes", ("programme", "Freedom\r\nProgramme, \"evening\" group")),
            FeedSamples.Line("da-programmes", ("programme", "Second\nline\nthird"), ("start_date", "2018-04-02")),
            FeedSamples.Line("da-programmes", ("start_date", "2018-04-03")));
        using var reader = FeedSamples.Open("da-programmes", csv);
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => r.Line).Should().Equal(2, 4, 7);
        FeedSamples.Value(rows[0], "da-programmes", "programme").Should().Be("Freedom\r\nProgramme, \"evening\" group");
        FeedSamples.Value(rows[1], "da-programmes", "programme").Should().Be("Second\nline\nthird");
    }

    [Fact]
    public async Task A_file_with_carriage_return_only_line_endings_is_read_with_physical_lines()
    {
        var csv = FeedSamples.Csv("da-programmes",
            FeedSamples.Line("da-programmes"),
            FeedSamples.Line("da-programmes", ("programme", "Second\rline"), ("start_date", "2018-04-02")),
            FeedSamples.Line("da-programmes", ("start_date", "2018-04-03"))).Replace('\n', '\r');
        using var reader = FeedSamples.Open("da-programmes", csv);
        reader.FileErrors.Should().BeEmpty();
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => r.Line).Should().Equal(2, 3, 5);
        rows.Should().OnlyContain(r => r.IsValid);
        FeedSamples.Value(rows[1], "da-programmes", "programme").Should().Be("Second\rline");
    }

    [Theory]
    [InlineData(';')]
    [InlineData(',')]
    public void A_sep_line_before_the_header_is_refused_and_never_changes_the_separator(char separator)
    {
        var csv = "sep=;\n" + FeedSamples.Csv(Police, FeedSamples.Line(Police)).Replace(',', separator);
        using var reader = FeedSamples.Open(Police, csv);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.delimiter");
        reader.Headers.Should().Equal("sep=;");
    }

    [Fact]
    public async Task An_unclosed_quote_on_the_last_line_stops_the_file_on_its_line()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police)) + "INC2,2017-06-02,victim,\"Jane,Smith,1985-02-03,F,Y,N\n";
        using var reader = FeedSamples.Open(Police, csv);
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle().Which.IsValid.Should().BeTrue();
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unclosed_quote");
        reader.FileErrors[0].Message.Should().Be("The record starting on line 3 opens a quote that is never closed; the rest of the file was not read.");
    }

    [Fact]
    public async Task An_unclosed_quote_within_the_row_limit_stops_the_file_rather_than_taking_the_rows_after_it_into_one_cell()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police), "INC2,2017-06-02,victim,\"Jane,Smith,1985-02-03,F,Y,N",
            FeedSamples.Line(Police, ("incident_id", "INC3")), FeedSamples.Line(Police, ("incident_id", "INC4")));
        using var reader = FeedSamples.Open(Police, csv);
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle().Which.IsValid.Should().BeTrue();
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unclosed_quote");
        reader.FileErrors[0].Message.Should().StartWith("The record starting on line 3 opens a quote");
    }

    [Theory]
    [InlineData("INC2,2017-06-02,victim,\"Jane\"x,Smith,1985-02-03,F,Y,N")]
    // CsvHelper reports a record's first quoting fault only: here the stray quote kept as text, before the one that matters.
    [InlineData("INC2,2017-06-02,victim,Jane \"JJ\",\"Smith\"x,1985-02-03,F,Y,N")]
    public async Task Text_after_a_closing_quote_rejects_that_row_on_its_line_and_reading_goes_on(string row)
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police)) + row + "\n" + FeedSamples.Line(Police, ("incident_id", "INC3")) + "\n";
        using var reader = FeedSamples.Open(Police, csv);
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => r.IsValid).Should().Equal(true, false, true);
        FeedSamples.Rules(rows[1]).Should().Equal("row.quote");
        rows[1].Line.Should().Be(3);
    }

    [Fact]
    public async Task A_quote_never_closed_after_a_stray_quote_stops_the_file()
    {
        // Reported by CsvHelper as the stray quote only; the quote in the last column takes the rows after it.
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police)) + "INC2,2017-06-02,victim,Jane \"JJ\",Smith,1985-02-03,F,Y,\"N\n"
            + FeedSamples.Line(Police, ("incident_id", "INC3")) + "\n";
        using var reader = FeedSamples.Open(Police, csv);
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle().Which.IsValid.Should().BeTrue();
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unclosed_quote");
        reader.FileErrors[0].Message.Should().StartWith("The record starting on line 3 opens a quote");
    }

    [Fact]
    public async Task Two_adjacent_rows_with_text_after_a_closing_quote_are_both_rejected()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police))
            + "INC2,2017-06-02,victim,\"Jane\"x,Smith,1985-02-03,F,Y,N\n"
            + "INC3,2017-06-02,victim,\"Jane\"y,Smith,1985-02-03,F,Y,N\n"
            + FeedSamples.Line(Police, ("incident_id", "INC4")) + "\n";
        using var reader = FeedSamples.Open(Police, csv);
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => r.IsValid).Should().Equal(true, false, false, true);
        FeedSamples.Rules(rows[1]).Should().Equal("row.quote");
        FeedSamples.Rules(rows[2]).Should().Equal("row.quote");
    }

    [Fact]
    public async Task A_quoted_cell_with_escaped_quotes_after_a_stray_quote_is_accepted()
    {
        var csv = FeedSamples.Csv("da-programmes", FeedSamples.Line("da-programmes", ("programme", "Freedom \"Plus\" Programme")))
            .Replace("\"Freedom \"\"Plus\"\" Programme\"", "Freedom \"Plus\" Programme", StringComparison.Ordinal)
            .Replace(",completed", ",\"completed\"", StringComparison.Ordinal)
            .Replace(",2018-07-01,", ",\"2018-07-01\",", StringComparison.Ordinal)
            .Replace(",Smith,", ",\"Sm\"\"ith\",", StringComparison.Ordinal);
        using var reader = FeedSamples.Open("da-programmes", csv);
        var row = (await FeedSamples.ReadAll(reader)).Single();
        FeedSamples.Value(row, "da-programmes", "programme").Should().Be("Freedom \"Plus\" Programme");
        FeedSamples.Value(row, "da-programmes", "surname").Should().Be("Sm\"ith");
    }

    [Fact]
    public async Task A_quote_inside_an_unquoted_cell_is_kept_as_text()
    {
        var csv = FeedSamples.Csv("da-programmes", FeedSamples.Line("da-programmes")).Replace("Freedom Programme", "Freedom \"Plus\" Programme", StringComparison.Ordinal);
        using var reader = FeedSamples.Open("da-programmes", csv);
        var row = (await FeedSamples.ReadAll(reader)).Single();
        row.IsValid.Should().BeTrue();
        FeedSamples.Value(row, "da-programmes", "programme").Should().Be("Freedom \"Plus\" Programme");
    }

    [Fact]
    public async Task Empty_lines_and_a_line_of_only_an_empty_quoted_cell_are_skipped_and_counted_as_lines()
    {
        var csv = FeedSamples.Header(Police) + "\r\n\r\n" + FeedSamples.Line(Police) + "\r\n\"\"\r\n\n" + FeedSamples.Line(Police, ("incident_id", "INC2")) + "\r\n";
        using var reader = FeedSamples.Open(Police, csv);
        var rows = await FeedSamples.ReadAll(reader);
        rows.Should().OnlyContain(r => r.IsValid);
        rows.Select(r => r.Line).Should().Equal(3, 6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Csv_from_a_stream_that_cannot_seek_is_read_whole_after_its_first_bytes_are_sniffed(bool bom)
    {
        var lines = Enumerable.Range(1, 3000).Select(i => FeedSamples.Line(Police, ("incident_id", "INC" + i))).ToArray();
        var bytes = new UTF8Encoding(bom).GetPreamble().Concat(Encoding.UTF8.GetBytes(FeedSamples.Csv(Police, lines))).ToArray();
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionMode.Compress, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        packed.Position = 0;
        using var forwardOnly = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionMode.Decompress);
        using var reader = FeedReader.Open(forwardOnly, "x.csv", FeedSamples.Contract(Police));
        reader.FileErrors.Should().BeEmpty();
        reader.Headers[0].Should().Be("incident_id");
        var rows = await FeedSamples.ReadAll(reader);
        rows.Should().HaveCount(3000).And.OnlyContain(r => r.IsValid);
        FeedSamples.Value(rows[^1], Police, "incident_id").Should().Be("INC3000");
        rows[^1].Line.Should().Be(3001);
    }

    [Fact]
    public async Task Row_with_the_wrong_number_of_cells_is_rejected()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police) + ",extra", "INC2,2017-06-02", FeedSamples.Line(Police, ("incident_id", "I3")) + ",,");
        using var reader = FeedSamples.Open(Police, csv);
        var rows = await FeedSamples.ReadAll(reader);
        FeedSamples.Rules(rows[0]).Should().Equal("row.columns");
        FeedSamples.Rules(rows[1]).Should().Equal("row.columns");
        rows[2].IsValid.Should().BeTrue("trailing empty cells are not data");
    }

    [Theory]
    [InlineData("30/02/2018", "date.impossible")]
    [InlineData("2018-13-01", "date.impossible")]
    [InlineData("2018-02-29", "date.impossible")]
    [InlineData("43190", "date.excel_serial")]
    [InlineData("43190.5", "date.excel_serial")]
    [InlineData("31-03-2018", "date.format")]
    [InlineData("03/31/2018", "date.impossible")]
    [InlineData("31/03/18", "date.format")]
    [InlineData("2018-03-31T00:00:00", "date.format")]
    [InlineData("1899-12-31", "date.range")]
    public async Task Impossible_dates_and_excel_serials_in_csv_are_rejected(string date, string rule)
    {
        var result = await FeedSamples.ReadOne(Police, FeedSamples.Line(Police, ("incident_date", date)));
        FeedSamples.Rules(result).Should().Equal(rule);
        result.Errors![0].Column.Should().Be("incident_date");
    }

    [Fact]
    public async Task Nhs_number_with_a_bad_check_digit_is_rejected_without_quoting_it()
    {
        var result = await FeedSamples.ReadOne("mental-health-scores", FeedSamples.Line("mental-health-scores", ("nhs_number", "943 476 5918")));
        FeedSamples.Rules(result).Should().Equal("nhs.check_digit");
        result.Errors![0].Message.Should().NotContain("943").And.NotContain("5918");
    }

    [Fact]
    public async Task Upn_with_a_bad_check_letter_is_rejected_without_quoting_it()
    {
        var result = await FeedSamples.ReadOne(School, FeedSamples.Line(School, ("upn", "C801200005001")));
        FeedSamples.Rules(result).Should().Equal("upn.check_letter");
        result.Errors![0].Message.Should().NotContain("801200005001");
    }

    [Fact]
    public async Task Negative_sessions_are_rejected()
    {
        var result = await FeedSamples.ReadOne(School, FeedSamples.Line(School, ("unauthorised_absence_sessions", "-2")));
        FeedSamples.Rules(result).Should().Equal("integer.range");
        result.Errors![0].Column.Should().Be("unauthorised_absence_sessions");
    }

    [Fact]
    public async Task Authorised_plus_unauthorised_above_possible_is_rejected()
    {
        var result = await FeedSamples.ReadOne(School, FeedSamples.Line(School,
            ("possible_sessions", "10"), ("authorised_absence_sessions", "6"), ("unauthorised_absence_sessions", "5")));
        FeedSamples.Rules(result).Should().Equal("sessions.sum");
    }

    [Fact]
    public async Task Duplicate_rows_keep_the_first_and_reject_later_copies()
    {
        var line = FeedSamples.Line(Police);
        var csv = FeedSamples.Csv(Police, line, FeedSamples.Line(Police, ("incident_id", "INC2")), line, line);
        using var reader = FeedSamples.Open(Police, csv);
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => r.IsValid).Should().Equal(true, true, false, false);
        FeedSamples.Rules(rows[2]).Should().Equal("row.duplicate");
        rows[2].Line.Should().Be(4);
        reader.DuplicateRows.Should().Be(2);
    }

    [Fact]
    public async Task Rows_differing_in_one_cell_are_not_duplicates()
    {
        var lines = Enumerable.Range(0, 5000).Select(i => FeedSamples.Line(Police, ("incident_id", "I" + i))).ToArray();
        using var reader = FeedSamples.Open(Police, FeedSamples.Csv(Police, lines));
        (await FeedSamples.ReadAll(reader)).Should().OnlyContain(r => r.IsValid).And.HaveCount(5000);
    }

    [Fact]
    public async Task Headers_match_loosely_in_any_order_and_unknown_columns_are_reported()
    {
        var csv = "Marac Referral,CRIME,Sex,Date-Of-Birth,SURNAME,forename,ROLE,Incident Date,incident_id,Officer\n"
            + "N,Y,F,03/02/1985,Smith,Jane,victim,01/06/2017,INC1,PC 123\n";
        using var reader = FeedSamples.Open(Police, csv);
        reader.FileErrors.Should().BeEmpty();
        reader.UnknownColumns.Should().Equal("Officer");
        reader.Headers.Should().HaveCount(10);
        var row = (await FeedSamples.ReadAll(reader)).Single();
        FeedSamples.Value(row, Police, "date_of_birth").Should().Be(new DateOnly(1985, 2, 3));
        FeedSamples.Value(row, Police, "incident_id").Should().Be("INC1");
    }

    [Fact]
    public void Two_headers_naming_one_field_are_a_file_error()
    {
        using var reader = FeedSamples.Open(Police, FeedSamples.Header(Police) + ",Incident-ID\n");
        reader.FileErrors.Select(e => e.Rule).Should().Equal("header.duplicate_column");
    }

    [Fact]
    public async Task Raw_rows_give_every_cell_as_text_including_unknown_columns()
    {
        using var reader = FeedSamples.Open(Police, FeedSamples.Header(Police) + ",notes\n" + FeedSamples.Line(Police) + ",\"a, b\"\n");
        var rows = new List<RawRow>();
        await foreach (var row in reader.ReadRawAsync())
        {
            rows.Add(row);
        }

        rows.Single().Cells[^1].Should().Be("a, b");
        rows.Single().Cells[0].Should().Be("INC1");
    }

    [Fact]
    public async Task A_nul_past_the_sniffed_start_in_a_column_outside_the_contract_rejects_its_row()
    {
        var rows = Enumerable.Range(0, 100).Select(i => FeedSamples.Line(Police, ("incident_id", "INC" + i)) + ",fine").ToList();
        rows.Add(FeedSamples.Line(Police, ("incident_id", "INCX")) + ",a\0b");
        using var reader = FeedSamples.Open(Police, FeedSamples.Header(Police) + ",notes\n" + string.Join("\n", rows) + "\n");
        var results = await FeedSamples.ReadAll(reader);
        results.Should().HaveCount(101);
        results[..100].Should().OnlyContain(r => r.IsValid);
        var error = results[100].Errors.Should().ContainSingle().Subject;
        (error.Rule, error.Column, error.Line).Should().Be(("encoding.invalid", "notes", 102L));
    }

    [Fact]
    public async Task A_nul_past_the_sniffed_start_ends_raw_rows_with_a_file_error()
    {
        var rows = Enumerable.Range(0, 100).Select(i => FeedSamples.Line(Police, ("incident_id", "INC" + i)) + ",fine").ToList();
        rows.Add(FeedSamples.Line(Police, ("incident_id", "INCX")) + ",a\0b");
        rows.Add(FeedSamples.Line(Police, ("incident_id", "INCY")) + ",fine");
        using var reader = FeedSamples.Open(Police, FeedSamples.Header(Police) + ",notes\n" + string.Join("\n", rows) + "\n");
        var raw = new List<RawRow>();
        await foreach (var row in reader.ReadRawAsync())
        {
            raw.Add(row);
        }

        raw.Should().HaveCount(100);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors[0].Message.Should().StartWith("The record starting on line 102 holds a NUL");
    }

    [Fact]
    public void Legacy_xls_and_zip_content_in_a_csv_are_file_errors()
    {
        using (var xls = FeedSamples.Open(Police, "x", "extract.xls"))
        {
            xls.FileErrors.Select(e => e.Rule).Should().Equal("file.format");
        }

        using var zip = FeedSamples.Open(Police, [(byte)'P', (byte)'K', 3, 4, 0, 0], "extract.csv");
        zip.FileErrors.Select(e => e.Rule).Should().Equal("file.format");
    }

    [Fact]
    public async Task Xlsx_reads_the_first_sheet_with_date_number_and_boolean_cells()
    {
        var contract = FeedSamples.Contract(School);
        using var reader = FeedReader.Open(new MemoryStream(SchoolWorkbook()), "attendance.xlsx", contract);
        reader.FileErrors.Should().BeEmpty();
        reader.Format.Should().Be(FeedFileFormat.Xlsx);
        var rows = await FeedSamples.ReadAll(reader);
        rows.Should().HaveCount(3);
        FeedSamples.Value(rows[0], School, "date_of_birth").Should().Be(new DateOnly(2010, 5, 4));
        FeedSamples.Value(rows[0], School, "period_end").Should().Be(new DateOnly(2018, 3, 31));
        FeedSamples.Value(rows[0], School, "possible_sessions").Should().Be(120);
        FeedSamples.Value(rows[0], School, "school_urn").Should().Be("123456");
        FeedSamples.Value(rows[0], School, "forename").Should().Be("Zoë");
        rows[0].Line.Should().Be(2);
        FeedSamples.Rules(rows[1]).Should().Equal("sessions.sum");
        rows[1].Line.Should().Be(3);
        FeedSamples.Rules(rows[2]).Should().Equal("date.excel_serial");
    }

    [Fact]
    public async Task Truncated_xlsx_is_a_file_error_not_an_exception()
    {
        var bytes = SchoolWorkbook();
        foreach (var length in new[] { bytes.Length / 2, bytes.Length - 30, 100 })
        {
            using var reader = FeedReader.Open(new MemoryStream(bytes[..length]), "attendance.xlsx", FeedSamples.Contract(School));
            var rows = await FeedSamples.ReadAll(reader);
            reader.FileErrors.Select(e => e.Rule).Should().Equal(["file.unreadable"], "length {0}", length);
            rows.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Xlsx_with_a_corrupt_sheet_stream_reports_unreadable_after_reading()
    {
        var bytes = SchoolWorkbook(rows: 3000);
        // Flip bytes in the middle of the compressed sheet: the zip directory is intact, the sheet's data is not.
        for (var i = bytes.Length / 3; i < (bytes.Length / 3) + 64; i++)
        {
            bytes[i] ^= 0x5A;
        }

        using var reader = FeedReader.Open(new MemoryStream(bytes), "attendance.xlsx", FeedSamples.Contract(School));
        var act = async () => await FeedSamples.ReadAll(reader);
        await act.Should().NotThrowAsync();
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
    }

    [Fact]
    public void Missing_column_in_xlsx_is_a_file_error()
    {
        using var stream = new MemoryStream();
        XlsxWriter.Write(stream, ["upn", "forename"], [["B801200005001", "Amelie"]]);
        using var reader = FeedReader.Open(new MemoryStream(stream.ToArray()), "x.xlsx", FeedSamples.Contract(School));
        reader.FileErrors.Select(e => e.Rule).Should().Contain("header.missing_column");
    }

    private static byte[] SchoolWorkbook(int rows = 0)
    {
        var contract = FeedSamples.Contract(School);
        var good = new object?[] { "B801200005001", "Zoë", "Smith", new DateOnly(2010, 5, 4), 123456, new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31), 120, 4, 2 };
        var overSum = (object?[])good.Clone();
        overSum[8] = 119;
        var serial = (object?[])good.Clone();
        serial[6] = 43190;
        var extra = Enumerable.Range(0, rows).Select(i =>
        {
            var row = (object?[])good.Clone();
            row[7] = 100 + i;
            return (IReadOnlyList<object?>)row;
        });
        using var stream = new MemoryStream();
        XlsxWriter.Write(stream, contract.Fields.Select(f => f.Name).ToArray(), new IReadOnlyList<object?>[] { good, overSum, serial }.Concat(extra));
        return stream.ToArray();
    }
}
