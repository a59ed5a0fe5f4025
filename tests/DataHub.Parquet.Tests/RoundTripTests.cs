namespace DataHub.Parquet.Tests;

public sealed class RoundTripTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 60; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_tables_read_back_exactly_as_written(int seed)
    {
        var random = new Random(seed);
        var schema = TestTables.RandomSchema(random, random.Next(1, 9));
        var rows = TestTables.RandomRows(random, schema, random.Next(0, 3000));
        var options = new ParquetWriterOptions
        {
            Compression = (ParquetCompression)random.Next(3),
            UseDictionary = random.Next(4) != 0,
            RowGroupRows = random.Next(2) == 0 ? random.Next(1, 700) : 1_000_000,
            RowGroupBytes = random.Next(3) == 0 ? random.Next(100, 20_000) : 64L * 1024 * 1024,
            PageBytes = random.Next(2) == 0 ? random.Next(16, 2000) : 1024 * 1024,
            DictionaryBytesLimit = random.Next(2) == 0 ? random.Next(0, 400) : 1024 * 1024,
            DataPageVersion = random.Next(1, 3),
        };

        var file = TestTables.WriteToBytes(schema, rows, options);

        using var reader = ParquetReader.Open(new MemoryStream(file), "random.parquet");
        reader.Schema.Should().BeEquivalentTo(schema, o => o.WithStrictOrdering());
        reader.RowCount.Should().Be(rows.Length);
        reader.RowGroups.Sum(g => g.RowCount).Should().Be(rows.Length);
        TestTables.ShouldEqualRows(reader.ReadRows().ToList(), rows, $"seed {seed} ({options.Compression}, dictionary {options.UseDictionary})");
    }

    [Fact]
    public void Statistics_follow_the_spec_order_for_strings_doubles_and_dates()
    {
        var schema = new ParquetSchema([new("s", ParquetType.String), new("d", ParquetType.Double), new("dt", ParquetType.Date), new("nan", ParquetType.Double)]);
        // By UTF-16 code units U+FFFD sorts after the emoji's surrogates; by UTF-8 bytes (the spec's order) the emoji is larger.
        object?[][] rows =
        [
            ["\uFFFD", double.NegativeInfinity, new DateOnly(1969, 7, 20), double.NaN],
            ["😀", 0.0, new DateOnly(1066, 10, 14), double.NaN],
            ["Z", double.NaN, null, null],
            [null, 3.5, new DateOnly(2020, 2, 29), double.NaN],
        ];

        var file = TestTables.WriteToBytes(schema, rows);

        using var reader = ParquetReader.Open(new MemoryStream(file), "stats.parquet");
        var stats = reader.RowGroups.Single().Columns;
        stats[0].Should().Be(new ColumnStatistics("Z", "😀", 1));
        stats[1]!.Min.Should().Be(double.NegativeInfinity);
        stats[1]!.Max.Should().Be(3.5);
        stats[2].Should().Be(new ColumnStatistics(new DateOnly(1066, 10, 14), new DateOnly(2020, 2, 29), 1));
        stats[3].Should().Be(new ColumnStatistics(null, null, 1), "NaN never enters statistics");
    }

    [Fact]
    public void A_zero_minimum_is_stored_as_negative_zero_and_a_zero_maximum_as_positive_zero()
    {
        var schema = new ParquetSchema([new("z", ParquetType.Double, false)]);

        var file = TestTables.WriteToBytes(schema, [[0.0], [0.0]]);

        using var reader = ParquetReader.Open(new MemoryStream(file), "zero.parquet");
        var stats = reader.RowGroups.Single().Columns[0]!;
        double.IsNegative((double)stats.Min!).Should().BeTrue();
        double.IsNegative((double)stats.Max!).Should().BeFalse();
    }

    [Fact]
    public void Rows_and_bytes_limits_cut_row_groups()
    {
        var schema = new ParquetSchema([new("n", ParquetType.Int64, false), new("s", ParquetType.String)]);
        var rows = Enumerable.Range(0, 1000).Select(i => new object?[] { (long)i, new string('x', 100) }).ToArray();

        var byRows = TestTables.WriteToBytes(schema, rows, new ParquetWriterOptions { RowGroupRows = 300 });
        var byBytes = TestTables.WriteToBytes(schema, rows, new ParquetWriterOptions { RowGroupBytes = 10_000, UseDictionary = false });

        using var rowsReader = ParquetReader.Open(new MemoryStream(byRows), "rows.parquet");
        rowsReader.RowGroups.Select(g => g.RowCount).Should().Equal(300, 300, 300, 100);
        using var bytesReader = ParquetReader.Open(new MemoryStream(byBytes), "bytes.parquet");
        bytesReader.RowGroups.Should().HaveCountGreaterThan(5);
        bytesReader.RowGroups.Should().OnlyContain(g => g.RowCount <= 100);
        TestTables.ReadAll(byBytes).Should().HaveCount(1000);
    }

    [Fact]
    public void Metadata_and_created_by_are_stored_in_the_footer()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int32)]);
        var options = new ParquetWriterOptions
        {
            Metadata = new Dictionary<string, string> { ["datahub.batch_id"] = "b-1", ["datahub.partner"] = "police", ["empty"] = "" },
            CreatedBy = "DataHub test",
        };

        var file = TestTables.WriteToBytes(schema, [[1], [null]], options);

        using var reader = ParquetReader.Open(new MemoryStream(file), "meta.parquet");
        reader.Metadata.Should().BeEquivalentTo(options.Metadata);
        reader.CreatedBy.Should().Be("DataHub test");
    }

    [Fact]
    public void An_empty_file_has_the_schema_and_no_rows()
    {
        var schema = new ParquetSchema([new("a", ParquetType.String, false), new("b", ParquetType.Date)]);

        var file = TestTables.WriteToBytes(schema, []);

        using var reader = ParquetReader.Open(new MemoryStream(file), "empty.parquet");
        reader.Schema.Should().BeEquivalentTo(schema);
        reader.RowCount.Should().Be(0);
        reader.RowGroups.Should().BeEmpty();
        reader.ReadRows().Should().BeEmpty();
    }

    [Fact]
    public void Projection_returns_only_the_named_columns_in_the_order_asked()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int32), new("b", ParquetType.String), new("c", ParquetType.Boolean)]);
        var file = TestTables.WriteToBytes(schema, [[1, "x", true], [2, null, false]]);

        using var reader = ParquetReader.Open(new MemoryStream(file), "p.parquet");

        reader.ReadRows(["c", "a"]).Should().BeEquivalentTo(new[] { new object?[] { true, 1 }, new object?[] { false, 2 } }, o => o.WithStrictOrdering());
        var column = reader.ReadColumn(0, "b");
        column.StringValues.Should().Equal("x", null);
        column.IsNull(1).Should().BeTrue();
        column.NullCount.Should().Be(1);
    }

    [Fact]
    public void A_column_whose_dictionary_overflows_falls_back_to_plain_and_keeps_every_value()
    {
        var schema = new ParquetSchema([new("token", ParquetType.String, false), new("n", ParquetType.Int32, false)]);
        var rows = Enumerable.Range(0, 5000).Select(i => new object?[] { "k1:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), i % 7 }).ToArray();

        var file = TestTables.WriteToBytes(schema, rows, new ParquetWriterOptions { DictionaryBytesLimit = 10_000, RowGroupRows = 2000 });

        TestTables.ShouldEqualRows(TestTables.ReadAll(file), rows, "fallback");
    }

    [Fact]
    public void Required_column_left_unset_stops_the_writer()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int32, false), new("b", ParquetType.Int32)]);
        using var writer = new ParquetWriter(new MemoryStream(), schema);
        writer.Set(1, 5);

        var endRow = writer.EndRow;
        endRow.Should().Throw<InvalidOperationException>().WithMessage("*'a'*");
        var next = () => writer.Set(0, 1);
        next.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Wrong_type_null_in_required_column_and_double_set_are_rejected_without_harm()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int32, false), new("s", ParquetType.String)]);
        using var output = new MemoryStream();
        using (var writer = new ParquetWriter(output, schema))
        {
            var wrongType = () => writer.Set(0, "text");
            wrongType.Should().Throw<ArgumentException>();
            var nullRequired = () => writer.Set(0, (int?)null);
            nullRequired.Should().Throw<ArgumentNullException>();
            var loneSurrogate = () => writer.Set(1, "bad \ud800 text");
            loneSurrogate.Should().Throw<ArgumentException>();
            writer.Set(0, 7);
            var twice = () => writer.Set(0, 8);
            twice.Should().Throw<InvalidOperationException>();
            writer.EndRow();
            writer.Finish();
        }

        TestTables.ReadAll(output.ToArray()).Should().BeEquivalentTo(new[] { new object?[] { 7, null } });
    }

    [Fact]
    public void Writer_needs_no_seekable_stream()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int64)]);
        using var sink = new MemoryStream();
        using (var forwardOnly = new ForwardOnlyStream(sink))
        {
            TestTables.Write(forwardOnly, schema, Enumerable.Range(0, 100).Select(i => new object?[] { (long)i }));
        }

        TestTables.ReadAll(sink.ToArray()).Should().HaveCount(100);
    }

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
