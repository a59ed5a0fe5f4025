using System.IO.Compression;
using System.Text;
using DataHub.Core.Parsing;
using DataHub.Core.Tests.Feeds;
using DataHub.Seeds;

namespace DataHub.Core.Tests.Parsing;

public sealed class XlsxReaderTests
{
    private const string Police = "police-da-incidents";

    [Fact]
    public async Task Sheet_rows_keep_their_row_numbers_across_gaps_and_empty_rows()
    {
        var bytes = Workbook(
            [[.. FeedSamples.Contract(Police).Fields.Select(f => (object?)f.Name)], Row("INC1"), Array.Empty<object?>(), Row("INC2")]);
        bytes = RemoveRowElement(bytes, 3);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => r.Line).Should().Equal(2, 4);
        rows.Should().OnlyContain(r => r.IsValid);
    }

    [Fact]
    public async Task Xlsx_text_cells_with_uk_dates_and_word_booleans_are_parsed_like_csv()
    {
        var bytes = Workbook([[.. FeedSamples.Contract(Police).Fields.Select(f => (object?)f.Name)],
            ["INC1", "01/06/2017", "victim", "Jane", "Smith", "03/02/1985", "F", "Yes", "no"]]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        var row = (await FeedSamples.ReadAll(reader)).Single();
        FeedSamples.Value(row, Police, "incident_date").Should().Be(new DateOnly(2017, 6, 1));
        FeedSamples.Value(row, Police, "crime").Should().Be(true);
    }

    [Fact]
    public async Task Xlsx_boolean_cells_and_whole_number_ids_are_accepted()
    {
        var bytes = Workbook([[.. FeedSamples.Contract(Police).Fields.Select(f => (object?)f.Name)],
            [12345, new DateOnly(2017, 6, 1), "victim", "Jane", "Smith", new DateOnly(1985, 2, 3), "F", true, false]]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        var row = (await FeedSamples.ReadAll(reader)).Single();
        FeedSamples.Value(row, Police, "incident_id").Should().Be("12345");
        FeedSamples.Value(row, Police, "marac_referral").Should().Be(false);
    }

    [Fact]
    public async Task A_cell_escaping_half_a_character_rejects_its_row_not_the_file()
    {
        // Workbooks escape characters as _xHHHH_; one escaping half a surrogate pair decodes to text no mart can hold.
        var bytes = Workbook([[.. FeedSamples.Contract(Police).Fields.Select(f => (object?)f.Name)], Row("INC1_xD800_"), Row("INC2")]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => r.IsValid).Should().Equal(false, true);
        rows[0].Errors!.Should().ContainSingle(e => e.Rule == "encoding.invalid" && e.Column == "incident_id");
    }

    [Fact]
    public async Task A_workbook_cell_escaping_a_nul_rejects_its_row_in_its_column()
    {
        var bytes = Workbook([[.. FeedSamples.Contract(Police).Fields.Select(f => (object?)f.Name)], Row("INC1_x0000_"), Row("INC2")]);
        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => r.IsValid).Should().Equal(false, true);
        rows[0].Errors!.Should().ContainSingle(e => e.Rule == "encoding.invalid" && e.Column == "incident_id" && e.Line == 2);
    }

    [Fact]
    public async Task A_csv_cell_holding_a_nul_past_the_first_read_rejects_its_row_in_its_column()
    {
        // The file's first bytes are sniffed for binary data; a NUL far into an otherwise good export is one row's fault.
        var lines = Enumerable.Range(1, 5000).Select(i => FeedSamples.Line(Police, ("incident_id", "INC" + i))).ToList();
        lines.Add(FeedSamples.Line(Police, ("incident_id", "INC-LAST"), ("surname", "Sm\0ith")));
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(FeedSamples.Csv(Police, [.. lines]))), "x.csv", FeedSamples.Contract(Police));
        var rows = await FeedSamples.ReadAll(reader);
        reader.FileErrors.Should().BeEmpty();
        rows.Should().HaveCount(5001);
        rows[^1].IsValid.Should().BeFalse();
        rows[^1].Errors!.Should().ContainSingle(e => e.Rule == "encoding.invalid" && e.Column == "surname" && e.Line == 5002);
    }

    [Fact]
    public async Task Xlsx_from_a_forward_only_stream_is_read()
    {
        var bytes = Workbook([[.. FeedSamples.Contract(Police).Fields.Select(f => (object?)f.Name)], Row("INC1")]);
        using var reader = FeedReader.Open(new ForwardOnlyStream(bytes), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Should().BeEmpty();
        (await FeedSamples.ReadAll(reader)).Should().ContainSingle(r => r.IsValid);
    }

    [Fact]
    public async Task Csv_from_a_forward_only_stream_in_tiny_reads_is_read()
    {
        var csv = FeedSamples.Csv(Police, FeedSamples.Line(Police), FeedSamples.Line(Police, ("incident_id", "INC\"2\"")), FeedSamples.Line(Police, ("incident_id", "INC3")));
        using var reader = FeedReader.Open(new ForwardOnlyStream(Encoding.UTF8.GetBytes(csv), maxRead: 3), "x.csv", FeedSamples.Contract(Police));
        var rows = await FeedSamples.ReadAll(reader);
        rows.Select(r => FeedSamples.Value(r, Police, "incident_id")).Should().Equal("INC1", "INC\"2\"", "INC3");
    }

    [Fact]
    public async Task A_read_failing_under_a_workbook_is_thrown_for_a_retry_never_reported_as_a_corrupt_workbook()
    {
        // A storage outage mid-read (a blob's ranged read that fails past the client's retries) is the hub's failure, which the
        // handler retries; reported as file.unreadable, a sound workbook would be quarantined as corrupt.
        var bytes = Workbook([[.. FeedSamples.Contract(Police).Fields.Select(f => (object?)f.Name)], .. Enumerable.Range(0, 2000).Select(i => Row($"INC{i}"))]);
        var whole = new ReadsFailingAfter(bytes, int.MaxValue);
        using (var reader = FeedReader.Open(whole, "incidents.xlsx", FeedSamples.Contract(Police)))
        {
            (await FeedSamples.ReadAll(reader)).Should().HaveCount(2000);
        }

        whole.Reads.Should().BeGreaterThan(3, "the workbook is read in many reads, some of them while its rows are read");
        for (var failing = 1; failing <= whole.Reads; failing++)
        {
            var stream = new ReadsFailingAfter(bytes, failing - 1);
            var errors = new List<string>();
            var thrown = await Record.ExceptionAsync(async () =>
            {
                using var reader = FeedReader.Open(stream, "incidents.xlsx", FeedSamples.Contract(Police));
                await FeedSamples.ReadAll(reader);
                errors.AddRange(reader.FileErrors.Select(e => e.Rule));
            });
            errors.Should().BeEmpty($"read {failing} failed in the storage, not in the workbook");
            thrown.Should().BeOfType<IOException>($"read {failing} failed, and the failure goes on to the handler");
        }
    }

    [Fact]
    public void A_read_failing_while_a_forward_only_workbook_is_copied_to_scratch_is_thrown_not_reported_as_corrupt()
    {
        var bytes = Workbook([[.. FeedSamples.Contract(Police).Fields.Select(f => (object?)f.Name)], Row("INC1")]);
        var content = Ingestion.PassThroughStream.FailingAfter(new ForwardOnlyStream(bytes), bytes.Length / 2, "Azure storage failed to read the landed file: HTTP 503.");

        var thrown = Record.Exception(() => FeedReader.Open(content, "incidents.xlsx", FeedSamples.Contract(Police)).Dispose());

        thrown.Should().BeOfType<IOException>();
    }

    [Fact]
    public void Not_a_workbook_under_an_xlsx_name_is_unreadable()
    {
        using var reader = FeedReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(FeedSamples.Csv(Police))), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.unreadable");
        reader.FileErrors.Single().Message.Should().StartWith("The file is text, not a workbook");
    }

    [Fact]
    public void A_password_protected_workbook_is_refused_as_encrypted_not_as_corrupt()
    {
        // Excel saves a workbook with a password as an OLE compound file holding the encrypted package.
        byte[] compoundFile = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[4088]];
        using var reader = FeedReader.Open(new MemoryStream(compoundFile), "incidents.xlsx", FeedSamples.Contract(Police));
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.format");
        reader.FileErrors.Single().Message.Should().Contain("password-protected");
    }

    [Fact]
    public async Task Record_that_never_ends_stops_the_file_with_a_file_error()
    {
        // An opening quote that is never closed would otherwise swallow the rest of the file into one record.
        var csv = new StringBuilder(FeedSamples.Csv(Police, FeedSamples.Line(Police)));
        csv.Append("INC2,\"");
        csv.Append('x', ReadLimits.Default.MaxRowBytes + 10);
        using var reader = FeedSamples.Open(Police, csv.ToString());
        var rows = await FeedSamples.ReadAll(reader);
        rows.Should().ContainSingle(r => r.IsValid);
        reader.FileErrors.Select(e => e.Rule).Should().Equal("file.record_too_long");
    }

    private static object?[] Row(string id) => [id, new DateOnly(2017, 6, 1), "victim", "Jane", "Smith", new DateOnly(1985, 2, 3), "F", "Y", "N"];

    private static byte[] Workbook(IReadOnlyList<object?>[] rows)
    {
        using var stream = new MemoryStream();
        XlsxWriter.Write(stream, rows[0].Select(c => (string)c!).ToArray(), rows.Skip(1));
        return stream.ToArray();
    }

    // Rewrites the sheet without the <row r="n"> element, as workbooks omit rows that were never touched.
    private static byte[] RemoveRowElement(byte[] workbook, int rowNumber)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(workbook)))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                var text = reader.ReadToEnd();
                if (entry.FullName == "xl/worksheets/sheet1.xml")
                {
                    text = text.Replace($"<row r=\"{rowNumber}\" />", string.Empty, StringComparison.Ordinal)
                        .Replace($"<row r=\"{rowNumber}\"></row>", string.Empty, StringComparison.Ordinal);
                    text.Should().NotContain($"<row r=\"{rowNumber}\"");
                }

                using var writer = new StreamWriter(target.CreateEntry(entry.FullName).Open());
                writer.Write(text);
            }
        }

        return output.ToArray();
    }

    // A workbook in memory whose reads fail, as storage that stops answering, once `reads` reads have been answered.
    private sealed class ReadsFailingAfter(byte[] bytes, int reads) : MemoryStream(bytes, writable: false)
    {
        public int Reads { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Fail();
            return base.Read(buffer, offset, count);
        }

        public override int Read(Span<byte> buffer)
        {
            Fail();
            return Answer(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Fail();
            return ValueTask.FromResult(Answer(buffer.Span));
        }

        public override int ReadByte()
        {
            Fail();
            return base.ReadByte();
        }

        // MemoryStream's own read of an array: its span reads would come back through the overrides above.
        private int Answer(Span<byte> buffer)
        {
            var answer = new byte[buffer.Length];
            var n = base.Read(answer, 0, answer.Length);
            answer.AsSpan(0, n).CopyTo(buffer);
            return n;
        }

        private void Fail()
        {
            if (++Reads > reads)
            {
                throw new IOException("Azure storage failed to read the landed file: HTTP 503.");
            }
        }
    }

    private sealed class ForwardOnlyStream(byte[] bytes, int maxRead = int.MaxValue) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, maxRead), bytes.Length - position);
            Array.Copy(bytes, position, buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
