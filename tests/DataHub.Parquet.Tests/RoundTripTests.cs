namespace DataHub.Parquet.Tests;

public sealed class RoundTripTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Random_tables_read_back_exactly_as_written(int seed)
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
        };

        var file = await TestTables.WriteToBytesAsync(schema, rows, options);

        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(file), "random.parquet");
        reader.Schema.Should().BeEquivalentTo(schema, o => o.WithStrictOrdering());
        reader.RowCount.Should().Be(rows.Length);
        reader.RowGroups.Sum(g => g.RowCount).Should().Be(rows.Length);
        TestTables.ShouldEqualRows(await reader.ReadRowsAsync().ToListAsync(), rows, $"seed {seed} ({options.Compression}, dictionary {options.UseDictionary})");
    }

    [Fact]
    public async Task Statistics_give_each_row_groups_minimum_maximum_and_null_count()
    {
        var schema = new ParquetSchema([new("s", ParquetType.String), new("d", ParquetType.Double), new("dt", ParquetType.Date), new("n", ParquetType.Int64)]);
        object?[][] rows =
        [
            ["Z", 2.5, new DateOnly(2020, 2, 29), 7L],
            ["😀", -1.0, new DateOnly(1066, 10, 14), null],
            [null, null, null, -3L],
            ["naïve", double.NaN, new DateOnly(2000, 1, 1), 12L],
        ];
        var file = await TestTables.WriteToBytesAsync(schema, rows);

        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(file), "stats.parquet");

        var stats = reader.RowGroups.Single().Columns;
        stats[0].Should().Be(new ColumnStatistics("Z", "😀", 1));
        stats[1]!.NullCount.Should().Be(1);
        stats[1]!.Max.Should().Be(2.5);
        stats[2].Should().Be(new ColumnStatistics(new DateOnly(1066, 10, 14), new DateOnly(2020, 2, 29), 1));
        stats[3].Should().Be(new ColumnStatistics(-3L, 12L, 1));
    }

    [Fact]
    public async Task Rows_and_bytes_limits_cut_row_groups()
    {
        var schema = new ParquetSchema([new("n", ParquetType.Int64, false), new("s", ParquetType.String)]);
        var rows = Enumerable.Range(0, 1000).Select(i => new object?[] { (long)i, new string('x', i % 50) }).ToArray();

        var byRows = await TestTables.WriteToBytesAsync(schema, rows, new ParquetWriterOptions { RowGroupRows = 300 });
        var byBytes = await TestTables.WriteToBytesAsync(schema, rows, new ParquetWriterOptions { RowGroupBytes = 10_000, UseDictionary = false });

        await using var rowsReader = await ParquetReader.OpenAsync(new MemoryStream(byRows), "rows.parquet");
        rowsReader.RowGroups.Select(g => g.RowCount).Should().Equal(300, 300, 300, 100);
        await using var bytesReader = await ParquetReader.OpenAsync(new MemoryStream(byBytes), "bytes.parquet");
        bytesReader.RowGroups.Count.Should().BeGreaterThan(5);
        TestTables.ShouldEqualRows(await bytesReader.ReadRowsAsync().ToListAsync(), rows, "bytes-cut file");
    }

    [Fact]
    public async Task Metadata_is_stored_in_the_footer_and_the_library_names_itself()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int32)]);
        var options = new ParquetWriterOptions { Metadata = new Dictionary<string, string> { ["datahub.batch_id"] = "police-0123", ["note"] = "ünïcode ✓" } };
        var file = await TestTables.WriteToBytesAsync(schema, [[1], [null]], options);

        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(file), "meta.parquet");
        reader.Metadata.Where(m => m.Key != "datahub.content_sha256").Should().BeEquivalentTo(options.Metadata);
        reader.Metadata["datahub.content_sha256"].Should().MatchRegex("^[0-9a-f]{64}$");
        reader.CreatedBy.Should().StartWith("Parquet.Net version 6.1.0");
    }

    [Fact]
    public async Task An_empty_file_has_the_schema_and_no_rows()
    {
        var schema = new ParquetSchema([new("a", ParquetType.String, false), new("b", ParquetType.Date)]);
        var file = await TestTables.WriteToBytesAsync(schema, []);

        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(file), "empty.parquet");
        reader.Schema.Should().BeEquivalentTo(schema, o => o.WithStrictOrdering());
        reader.RowCount.Should().Be(0);
        (await reader.ReadRowsAsync().ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Projection_returns_only_the_named_columns_in_the_order_asked()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int32), new("b", ParquetType.String), new("c", ParquetType.Boolean)]);
        var file = await TestTables.WriteToBytesAsync(schema, [[1, "x", true], [2, null, false]]);

        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(file), "p.parquet");
        var rows = await reader.ReadRowsAsync(["c", "a"]).ToListAsync();
        rows.Should().HaveCount(2);
        rows[0].Should().Equal(true, 1);
        rows[1].Should().Equal(false, 2);
        await reader.Invoking(r => r.ReadRowsAsync(["zzz"]).ToListAsync().AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Required_column_left_unset_stops_the_writer()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int32, false), new("b", ParquetType.Int32)]);
        await using var writer = await ParquetWriter.CreateAsync(new MemoryStream(), schema);
        writer.Set(1, 5);

        await writer.Invoking(w => w.EndRowAsync().AsTask()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*'a'*row 1*");
        await writer.Invoking(w => w.FinishAsync()).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Wrong_type_null_in_required_column_and_double_set_are_rejected_without_harm()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int32, false), new("s", ParquetType.String)]);
        using var output = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(output, schema))
        {
            writer.Invoking(w => w.Set(0, "text")).Should().Throw<ArgumentException>().WithMessage("*'a' is Int32, not String*");
            writer.Invoking(w => w.Set(0, (int?)null)).Should().Throw<ArgumentNullException>();
            writer.Invoking(w => w.Set(1, "bad \ud800 surrogate")).Should().Throw<ArgumentException>().WithMessage("*not valid Unicode*");
            writer.Invoking(w => w.Set(1, new byte[] { 0x66, 0xC3 })).Should().Throw<ArgumentException>().WithMessage("*not valid UTF-8*");
            writer.Invoking(w => w.SetValue(1, 1.5m)).Should().Throw<ArgumentException>().WithMessage("*Decimal cannot be written*");
            writer.Set(0, 1);
            writer.Invoking(w => w.Set(0, 2)).Should().Throw<InvalidOperationException>().WithMessage("*already set*");
            writer.Set(1, "fine 😀");
            await writer.EndRowAsync();
            await writer.FinishAsync();
        }

        (await TestTables.ReadAllAsync(output.ToArray())).Should().ContainSingle().Which.Should().Equal(1, "fine 😀");
    }

    [Fact]
    public async Task A_string_repeated_from_the_row_before_shares_its_characters_and_reads_back()
    {
        var schema = new ParquetSchema([new("batch", ParquetType.String, false), new("n", ParquetType.Int32, false)]);
        var batch = "police-27972b5e5246f95a";
        using var output = new MemoryStream();
        var grew = new List<long>();
        await using (var writer = await ParquetWriter.CreateAsync(output, schema))
        {
            for (var i = 0; i < 4; i++)
            {
                var before = writer.BufferedBytes;

                // The third row's value is equal but another string, so its characters are copied, and so are the fourth's
                // (the row before it held that other string).
                writer.Set(0, i == 2 ? new string(batch.AsSpan()) : batch);
                writer.Set(1, i);
                await writer.EndRowAsync();
                grew.Add(writer.BufferedBytes - before);
            }

            await writer.FinishAsync();
        }

        var copied = grew[0];
        grew.Should().Equal(copied, copied - (batch.Length * sizeof(char)), copied, copied);
        (await TestTables.ReadAllAsync(output.ToArray())).Select(r => ((string)r[0]!, (int)r[1]!)).Should().Equal((batch, 0), (batch, 1), (batch, 2), (batch, 3));
    }

    [Fact]
    public async Task Timestamp_columns_are_refused_for_writing()
    {
        var schema = new ParquetSchema([new("at", ParquetType.TimestampMicros)]);

        var create = () => ParquetWriter.CreateAsync(new MemoryStream(), schema);

        await create.Should().ThrowAsync<NotSupportedException>().WithMessage("*'at'*statistics*");
    }

    [Fact]
    public async Task Writer_needs_no_seekable_stream_and_never_closes_it()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int64)]);
        using var inner = new MemoryStream();
        var forward = new ForwardOnlyStream(inner);

        await TestTables.WriteAsync(forward, schema, Enumerable.Range(0, 5000).Select(i => new object?[] { (long)i }), new ParquetWriterOptions { RowGroupRows = 700 });

        forward.Closed.Should().BeFalse("the stream belongs to the caller (the store commits or abandons it)");
        var rows = await TestTables.ReadAllAsync(inner.ToArray());
        rows.Select(r => (long)r[0]!).Should().Equal(Enumerable.Range(0, 5000).Select(i => (long)i));
    }

    [Fact]
    public async Task Disposing_without_finishing_leaves_no_footer()
    {
        var schema = new ParquetSchema([new("a", ParquetType.Int64)]);
        using var output = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(output, schema, new ParquetWriterOptions { RowGroupRows = 10 }))
        {
            for (var i = 0; i < 25; i++)
            {
                writer.Set(0, (long)i);
                await writer.EndRowAsync();
            }
        }

        var read = () => TestTables.ReadAllAsync(output.ToArray(), "abandoned.parquet");
        await read.Should().ThrowAsync<ParquetFormatException>().WithMessage("abandoned.parquet: *");
    }

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public bool Closed { get; private set; }

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

        protected override void Dispose(bool disposing)
        {
            Closed = true;
            base.Dispose(disposing);
        }
    }
}
