using System.Text;
using DataHub.Core.Ingestion;
using DataHub.Host.Commands;
using DataHub.Host.Embedded;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>
/// Issue 3, acceptance 3: every bad input ends in stored rows plus reported row errors, or in a quarantined file plus its
/// report; nothing lost (the landed file is archived or quarantined), nothing half-written (no temporary files, no mart
/// file from a quarantined batch).
/// </summary>
public sealed class BadInputMatrixTests : IDisposable
{
    private const string PoliceHeader = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral";
    private const string SchoolHeader = "upn,forename,surname,date_of_birth,school_urn,period_start,period_end,possible_sessions,authorised_absence_sessions,unauthorised_absence_sessions";
    private const string MentalHealthHeader = "nhs_number,forename,surname,date_of_birth,sex,instrument,stage,score_date,score";
    private readonly HubRoot _root = new();

    public BadInputMatrixTests() => _root.RunAsync("key", "init").GetAwaiter().GetResult();

    public void Dispose() => _root.Dispose();

    private static string PoliceRow(int n, string date = "2018-03-31", string dob = "1990-04-05") => $"INC{n},{date},victim,Alexa{n},Brown,{dob},F,Y,N";

    /// <summary>Forty good rows so a couple of bad ones stay within the 5% tolerance.</summary>
    private static List<string> GoodPoliceRows() => [.. Enumerable.Range(1, 40).Select(i => PoliceRow(i))];

    private static string Csv(string header, IEnumerable<string> rows) => header + "\r\n" + string.Join("\r\n", rows) + "\r\n";

    private static string Upn(int n)
    {
        // A valid UPN: check letter over the twelve following characters (DfE algorithm, via the feeds helper's normaliser).
        var body = $"{n:D3}2019{n:D5}"[..12];
        return DataHub.Core.Validation.Upn.CheckLetter(body) + body;
    }

    private static string NhsNumber(int n)
    {
        for (var candidate = 400_000_000 + n; ; candidate += 7)
        {
            var nine = candidate.ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
            var check = DataHub.Core.Validation.NhsNumber.CheckDigit(nine);
            if (check is >= 0 and <= 9)
            {
                return nine + check;
            }
        }
    }

    private void AssertQuarantined(string partner, string feed, string file, string rule)
    {
        // Kept under its content hash and its name's label: the name itself (it may name a person) is never repeated.
        var folder = $"quarantine/{partner}/{feed}/";
        var kept = _root.Files("quarantine").Single(f => f.StartsWith(folder, StringComparison.Ordinal) && f.EndsWith("-" + _root.Label(file), StringComparison.Ordinal));
        _root.Files("quarantine").Should().Contain([kept + ".report.json", kept + ".report.csv"]);
        _root.Text(kept + ".report.json").Should().Contain($"\"{rule}\"");
        _root.Files("landing").Should().BeEmpty("the file moved to quarantine: nothing lost, nothing left behind");
        _root.Files("secure").Where(f => f.Contains(feed, StringComparison.Ordinal)).Should().BeEmpty("a quarantined batch writes no mart file");
        AssertNothingHalfWritten();
    }

    private void AssertStoredWithRowErrors(string feed, string rule, int expectedRejected)
    {
        _root.Files("secure").Should().Contain(f => f.StartsWith($"secure/{feed}/quarter=", StringComparison.Ordinal) && f.EndsWith(".parquet", StringComparison.Ordinal));
        var reports = _root.Files("quarantine").Where(f => f.Contains("/row-errors/", StringComparison.Ordinal) && f.EndsWith(".report.csv", StringComparison.Ordinal)).ToList();
        reports.Should().ContainSingle();
        var lines = _root.Text(reports[0]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        lines.Select(l => l.Split(',')[0]).Distinct().Should().HaveCount(expectedRejected, "one line number per rejected row");
        lines.Should().Contain(l => l.Split(',')[2] == rule);
        _root.Files("landing/_processed").Should().ContainSingle("the landed file is archived, not deleted");
        AssertNothingHalfWritten();
    }

    private string QuarantinedReport(string file) =>
        _root.Files("quarantine").Single(f => f.EndsWith(_root.Label(file) + ".report.json", StringComparison.Ordinal));

    private void AssertNothingHalfWritten() =>
        Directory.EnumerateFiles(_root.Path, "*", SearchOption.AllDirectories).Select(System.IO.Path.GetFileName).Should().NotContain(n => n!.StartsWith(".tmp-", StringComparison.Ordinal) || n.EndsWith(".tmp", StringComparison.Ordinal));

    [Fact]
    public async Task Quarantines_an_empty_file()
    {
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "empty.csv", []);
        code.Should().Be(ExitCodes.Rejected);
        AssertQuarantined("police", "police-da-incidents", "empty.csv", "file.empty");
    }

    [Fact]
    public async Task Quarantines_a_file_with_a_header_only()
    {
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "header.csv", PoliceHeader + "\r\n");
        code.Should().Be(ExitCodes.Rejected);
        AssertQuarantined("police", "police-da-incidents", "header.csv", "file.no_rows");
    }

    [Fact]
    public async Task Quarantines_a_file_missing_a_required_column()
    {
        var header = PoliceHeader.Replace(",incident_date", string.Empty, StringComparison.Ordinal);
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "missing.csv", Csv(header, ["INC1,victim,Al,Brown,1990-04-05,F,Y,N"]));
        code.Should().Be(ExitCodes.Rejected);
        AssertQuarantined("police", "police-da-incidents", "missing.csv", "header.missing_column");
        _root.Text(QuarantinedReport("missing.csv")).Should().Contain("incident_date");
    }

    [Fact]
    public async Task Quarantines_a_file_with_a_column_outside_the_agreement()
    {
        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "extra.csv", Csv(PoliceHeader + ",ethnicity", GoodPoliceRows().Select(r => r + ",WBRI")));
        code.Should().Be(ExitCodes.Rejected);
        output.Should().Contain("protocol.field_outside_agreement");
        AssertQuarantined("police", "police-da-incidents", "extra.csv", "protocol.field_outside_agreement");
        var report = _root.Files("quarantine").Single(f => f.EndsWith(_root.Label("extra.csv") + ".report.csv", StringComparison.Ordinal));
        _root.Text(report).Should().Contain("column 10").And.Contain("DSA-FS-2024-POL-01").And.NotContain("ethnicity", "a header outside the contract is told by its position: its text could be anything");
    }

    [Fact]
    public async Task Quarantines_a_semicolon_delimited_file()
    {
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "semi.csv", Csv(PoliceHeader.Replace(',', ';'), GoodPoliceRows().Select(r => r.Replace(',', ';'))));
        code.Should().Be(ExitCodes.Rejected);
        AssertQuarantined("police", "police-da-incidents", "semi.csv", "file.delimiter");
    }

    [Fact]
    public async Task Stores_windows_1252_names_with_accents_under_the_same_tokens_as_utf8()
    {
        var rows = new[] { "INC1,2018-03-31,victim,Zoë,Brontë,1990-04-05,F,Y,N", "INC2,2018-03-31,victim,José,Núñez,1985-01-02,M,N,N" };
        // For these letters Windows-1252 and ISO-8859-1 agree byte for byte.
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "cp1252.csv", Csv(PoliceHeader, rows), Encoding.Latin1);
        code.Should().Be(ExitCodes.Ok);
        var (utf8Code, _) = await _root.IngestAsync("police", "police-da-incidents", "utf8.csv", Csv(PoliceHeader, rows.Select(r => r.Replace("INC", "UTF", StringComparison.Ordinal))));
        utf8Code.Should().Be(ExitCodes.Ok);

        var tokens = (await MartRowsAsync("police-da-incidents")).ToLookup(r => r["incident_id"].Text()![3..], r => r["name_dob_token"].Text());
        tokens["1"].Should().HaveCount(2).And.OnlyContain(t => t == tokens["1"].First(), "Zoë Brontë decoded from Windows-1252 is the same person as in UTF-8");
        tokens["2"].Distinct().Should().ContainSingle();
        AssertNothingHalfWritten();
    }

    [Fact]
    public async Task Stores_quoted_fields_with_embedded_newlines_and_keeps_physical_line_numbers()
    {
        const string header = "forename,surname,date_of_birth,sex,programme,role,start_date,end_date,outcome";
        var csv = Csv(header, ["Ann,Lee,1980-01-01,F,\"Freedom\nProgramme, evening\",victim,2018-02-01,,ongoing", "Bo,Lee,1979-05-05,M,Caring Dads,perpetrator,2018-02-03,2018-06-01,completed"]);
        var (code, _) = await _root.IngestAsync("da-programmes", "da-programmes", "quoted.csv", csv);
        code.Should().Be(ExitCodes.Ok);
        var rows = (await MartRowsAsync("da-programmes")).OrderBy(r => long.Parse(r["source_line"].Text()!)).ToList();
        rows.Select(r => r["programme"].Text()).Should().Equal("Freedom\nProgramme, evening", "Caring Dads");
        rows.Select(r => long.Parse(r["source_line"].Text()!)).Should().Equal(2L, 4L);
    }

    [Fact]
    public async Task Rejects_rows_with_impossible_dates_and_excel_serials_and_keeps_the_rest()
    {
        var rows = GoodPoliceRows();
        rows.AddRange(Enumerable.Range(41, 40).Select(i => PoliceRow(i)));
        rows[5] = PoliceRow(6, date: "30/02/2018");
        rows[15] = PoliceRow(16, date: "2018-13-01");
        rows[25] = PoliceRow(26, date: "43190");
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "dates.csv", Csv(PoliceHeader, rows));
        code.Should().Be(ExitCodes.Ok);
        AssertStoredWithRowErrors("police-da-incidents", "date.excel_serial", 3);
        _root.Text(_root.Files("quarantine").Single(f => f.EndsWith(".report.csv", StringComparison.Ordinal))).Should().Contain("date.impossible");
        (await MartRowsAsync("police-da-incidents")).Should().HaveCount(77);
    }

    [Fact]
    public async Task Rejects_a_row_whose_nhs_number_fails_the_check_digit()
    {
        var rows = Enumerable.Range(1, 40).Select(i => $"{NhsNumber(i)},Ann{i},Lee,1980-01-01,F,PHQ9,initial,2018-03-01,12").ToList();
        var good = NhsNumber(99);
        rows[3] = $"{good[..9]}{(good[9] - '0' + 1) % 10},Ann4,Lee,1980-01-01,F,PHQ9,initial,2018-03-01,12";
        var (code, _) = await _root.IngestAsync("mental-health", "mental-health-scores", "nhs.csv", Csv(MentalHealthHeader, rows));
        code.Should().Be(ExitCodes.Ok);
        AssertStoredWithRowErrors("mental-health-scores", "nhs.check_digit", 1);
        _root.Text(_root.Files("quarantine").Single(f => f.EndsWith(".report.json", StringComparison.Ordinal))).Should().NotContain(rows[3][..10]);
    }

    [Fact]
    public async Task Rejects_rows_with_a_bad_upn_check_letter_negative_sessions_or_absences_above_possible()
    {
        var rows = Enumerable.Range(1, 60).Select(i => $"{Upn(i)},Kai{i},Ng,2010-01-01,100001,2018-01-08,2018-03-29,100,4,2").ToList();
        var upn = Upn(4);
        rows[3] = $"{(upn[0] == 'A' ? 'B' : 'A')}{upn[1..]},Kai4,Ng,2010-01-01,100001,2018-01-08,2018-03-29,100,4,2";
        rows[10] = $"{Upn(11)},Kai11,Ng,2010-01-01,100001,2018-01-08,2018-03-29,100,-4,2";
        rows[20] = $"{Upn(21)},Kai21,Ng,2010-01-01,100001,2018-01-08,2018-03-29,100,60,50";
        var (code, _) = await _root.IngestAsync("schools", "school-attendance", "attendance.csv", Csv(SchoolHeader, rows));
        code.Should().Be(ExitCodes.Ok);
        AssertStoredWithRowErrors("school-attendance", "upn.check_letter", 3);
        var report = _root.Text(_root.Files("quarantine").Single(f => f.EndsWith(".report.csv", StringComparison.Ordinal)));
        report.Should().Contain("sessions.sum").And.Contain("authorised_absence_sessions").And.NotContain(upn[1..]);
    }

    [Fact]
    public async Task Rejects_the_later_copy_of_a_duplicate_row()
    {
        var rows = GoodPoliceRows();
        rows.Add(rows[0]);
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "dupes.csv", Csv(PoliceHeader, rows));
        code.Should().Be(ExitCodes.Ok);
        AssertStoredWithRowErrors("police-da-incidents", "row.duplicate", 1);
        _root.Text(_root.Files("quarantine").Single(f => f.EndsWith(".report.csv", StringComparison.Ordinal))).Should().Contain("\n42,");
    }

    [Fact]
    public async Task Quarantines_a_truncated_xlsx()
    {
        using var workbook = new MemoryStream();
        XlsxWriter.Write(workbook, PoliceHeader.Split(','), Enumerable.Range(1, 200).Select(i => (IReadOnlyList<object?>)PoliceRow(i).Split(',')));
        var bytes = workbook.ToArray()[..(int)(workbook.Length * 2 / 3)];
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "cut.xlsx", bytes);
        code.Should().Be(ExitCodes.Rejected);
        var report = _root.Files("quarantine").Single(f => f.EndsWith(_root.Label("cut.xlsx") + ".report.json", StringComparison.Ordinal));
        _root.Text(report).Should().Contain("\"quarantined\"");
        AssertNothingHalfWritten();
        _root.Files("landing").Should().BeEmpty();
    }

    [Fact]
    public async Task Quarantines_a_workbook_with_rows_on_a_second_sheet_and_stores_none_of_them()
    {
        // A partner splitting an extract by month: the first sheet alone would be stored, the second lost without a word.
        byte[] Sheet(int from)
        {
            using var workbook = new MemoryStream();
            XlsxWriter.Write(workbook, PoliceHeader.Split(','), Enumerable.Range(from, 40).Select(i => (IReadOnlyList<object?>)PoliceRow(i).Split(',')));
            return workbook.ToArray();
        }

        var bytes = SheetedWorkbook.Combine(Sheet(1), [WorkbookTab.From(Sheet(1)), WorkbookTab.From(Sheet(41))]);
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "by-month.xlsx", bytes);
        code.Should().Be(ExitCodes.Rejected);
        AssertQuarantined("police", "police-da-incidents", "by-month.xlsx", "file.sheets");
    }

    [Fact]
    public async Task Quarantines_a_file_from_a_partner_with_no_agreement()
    {
        var (code, _) = await _root.IngestAsync("acme-security", "police-da-incidents", "jan.csv", Csv(PoliceHeader, GoodPoliceRows()));
        code.Should().Be(ExitCodes.Rejected);

        // A partner folder no agreement names is the sender's free text: kept with the files in the wrong place, never repeated.
        var kept = _root.Files("quarantine").Single(f => f.StartsWith("quarantine/_unrouted/", StringComparison.Ordinal) && !f.Contains(".report.", StringComparison.Ordinal));
        _root.Files("quarantine").Should().Contain([kept + ".report.json", kept + ".report.csv"]);
        _root.Text(kept + ".report.json").Should().Contain("\"protocol.unknown_partner\"");
        _root.Files("landing").Should().BeEmpty("the file moved to quarantine: nothing lost, nothing left behind");
        _root.Files("secure").Should().BeEmpty();
        _root.Files("quarantine").Concat(_root.Files("audit")).Should().OnlyContain(f => !f.Contains("acme", StringComparison.Ordinal) && !_root.Text(f).Contains("acme", StringComparison.Ordinal));
        AssertNothingHalfWritten();
    }

    [Fact]
    public async Task Quarantines_a_file_sent_after_the_agreement_expired()
    {
        using var late = new HubRoot(ManualClock.On(2031, 1, 2));
        await late.RunAsync("key", "init");
        var (code, _) = await late.IngestAsync("police", "police-da-incidents", "jan.csv", Csv(PoliceHeader, GoodPoliceRows()));
        code.Should().Be(ExitCodes.Rejected);
        late.Text(late.Files("quarantine").Single(f => f.EndsWith(late.Label("jan.csv") + ".report.json", StringComparison.Ordinal))).Should().Contain("protocol.expired").And.Contain("DSA-FS-2024-POL-01");
        late.Files("secure").Should().BeEmpty();
    }

    [Fact]
    public async Task Refuses_a_path_with_dot_dot_without_copying_or_reading_anything()
    {
        var (code, output) = await _root.IngestAsync("..", "secure", "x.csv", Csv(PoliceHeader, GoodPoliceRows()));
        code.Should().Be(ExitCodes.Rejected);
        output.Should().Contain("path.traversal");
        _root.Files("landing").Should().BeEmpty();
        _root.Files("secure").Should().BeEmpty();
        _root.Files("quarantine").Should().ContainSingle(f => f.StartsWith("quarantine/_refused/", StringComparison.Ordinal) && f.EndsWith(".report.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Quarantines_a_file_dropped_at_the_wrong_depth_with_a_report()
    {
        File.WriteAllText(System.IO.Path.Combine(Directory.CreateDirectory(System.IO.Path.Combine(_root.Path, "landing", "police")).FullName, "jan.csv"), Csv(PoliceHeader, GoodPoliceRows()));
        using var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock);
        var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.Zero, TimeSpan.Zero, _ => { });
        (await runner.PollOnceAsync(default)).Should().BeEmpty("a file is only taken once its size and time have settled");
        var outcome = (await runner.PollOnceAsync(default)).Single();
        outcome.Status.Should().Be(IngestStatus.Quarantined);
        outcome.Rule.Should().Be("path.depth");
        var kept = _root.Files("quarantine").Where(f => f.StartsWith("quarantine/_unrouted/", StringComparison.Ordinal)).ToList();
        kept.Should().HaveCount(3).And.Contain(outcome.QuarantinePath!).And.Contain(outcome.ReportPath!);
        File.ReadAllText(System.IO.Path.Combine(_root.Path, outcome.QuarantinePath!)).Should().StartWith(PoliceHeader, "the file itself is kept, under a name that carries nothing of its own");
        _root.Files("landing").Should().BeEmpty();
    }

    /// <summary>Every mart row of a feed, read back through DuckDB.</summary>
    private Task<List<Dictionary<string, System.Text.Json.JsonElement>>> MartRowsAsync(string feed) =>
        MartFiles.RowsAsync(System.IO.Path.Combine(_root.Path, "secure", feed, "*", "*.parquet"));
}
