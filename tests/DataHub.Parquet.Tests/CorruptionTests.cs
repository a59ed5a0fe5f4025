using Xunit.Abstractions;

namespace DataHub.Parquet.Tests;

public sealed class CorruptionTests(ITestOutputHelper output)
{
    private const long AllocationCeiling = 100L * 1024 * 1024;
    // A hang never ends; 30 s without progress also tolerates a test machine that is briefly starved of CPU.
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    public static TheoryData<ParquetCompression, bool> Variants() => new()
    {
        { ParquetCompression.Snappy, true },
        { ParquetCompression.Gzip, false },
        { ParquetCompression.Uncompressed, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Truncation_at_every_byte_offset_raises_the_format_exception(ParquetCompression compression, bool dictionary)
    {
        var (file, _) = await SmallFileAsync(compression, dictionary);

        var outcomes = RunCases(file.Length, length => file.AsSpan(0, length).ToArray(), expectedRows: null);

        outcomes.FormatErrors.Should().Be(file.Length, "every truncated file is reported as malformed");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Random_byte_flips_end_in_the_format_exception_or_in_correct_data(ParquetCompression compression, bool dictionary)
    {
        var (file, rows) = await SmallFileAsync(compression, dictionary);
        var random = new Random(7 + (int)compression);

        var outcomes = RunCases(1000, _ =>
        {
            var damaged = file.ToArray();
            damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
            return damaged;
        }, rows);

        output.WriteLine($"{compression}: {outcomes.FormatErrors} format errors, {outcomes.CorrectData} read correctly, {file.Length} bytes");
        (outcomes.FormatErrors + outcomes.CorrectData).Should().Be(1000);
        outcomes.FormatErrors.Should().BeGreaterThan(500, "most flips must be detected");
    }

    [Fact]
    public void Deeply_nested_footer_structures_are_refused_without_recursing_without_bound()
    {
        var footer = Enumerable.Repeat((byte)0x1C, 200_000).ToArray();

        var outcomes = RunCases(1, _ => WithFooter(footer), expectedRows: null, "nested.parquet");

        outcomes.FormatErrors.Should().Be(1);
    }

    [Fact]
    public void A_footer_list_longer_than_the_footer_is_refused_before_allocating()
    {
        // Field 2 (schema) as a list of structs claiming 4 billion elements.
        byte[] footer = [0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00];

        var outcomes = RunCases(1, _ => WithFooter(footer), expectedRows: null, "list.parquet");

        outcomes.FormatErrors.Should().Be(1);
    }

    [Fact]
    public async Task A_footer_length_beyond_the_file_is_refused()
    {
        var (file, _) = await SmallFileAsync(ParquetCompression.Snappy, true);
        BitConverter.GetBytes(int.MaxValue).CopyTo(file, file.Length - 8);

        var read = () => TestTables.ReadAllAsync(file, "long.parquet");

        await read.Should().ThrowAsync<ParquetFormatException>().WithMessage("long.parquet: *footer length*");
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_named_in_the_error()
    {
        var read = () => TestTables.ReadAllAsync("id,name\n1,x\n"u8.ToArray(), "extract.csv");

        (await read.Should().ThrowAsync<ParquetFormatException>()).Which.FileName.Should().Be("extract.csv");
    }

    private static byte[] WithFooter(byte[] footer) =>
        [.. "PAR1"u8, .. footer, .. BitConverter.GetBytes(footer.Length), .. "PAR1"u8];

    private static async Task<(byte[] File, object?[][] Rows)> SmallFileAsync(ParquetCompression compression, bool dictionary)
    {
        var random = new Random(99);
        var schema = new ParquetSchema([
            new("id", ParquetType.Int64, false), new("name", ParquetType.String), new("flag", ParquetType.Boolean),
            new("score", ParquetType.Double), new("day", ParquetType.Date), new("n", ParquetType.Int32),
        ]);
        var rows = Enumerable.Range(0, 60).Select(i => new object?[]
        {
            (long)i,
            i % 4 == 0 ? null : TestTables.RandomValue(random, ParquetType.String, true),
            i % 5 == 0 ? null : i % 2 == 0,
            i % 6 == 0 ? null : TestTables.RandomValue(random, ParquetType.Double, true),
            TestTables.RandomValue(random, ParquetType.Date, true),
            TestTables.RandomValue(random, ParquetType.Int32, true),
        }).ToArray();
        var options = new ParquetWriterOptions
        {
            Compression = compression,
            UseDictionary = dictionary,
            RowGroupRows = 30,
            Metadata = new Dictionary<string, string> { ["datahub.batch_id"] = "b1" },
        };
        return (await TestTables.WriteToBytesAsync(schema, rows, options), rows);
    }

    /// <summary>Reads each damaged file on a worker thread, timing and measuring allocation per case; fails on a crash, hang or wrong data.</summary>
    private static (int FormatErrors, int CorrectData) RunCases(int count, Func<int, byte[]> damage, object?[][]? expectedRows, string name = "damaged.parquet")
    {
        var formatErrors = 0;
        var correct = 0;
        Exception? failure = null;
        var current = -1;
        var worker = new Thread(() =>
        {
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var bytes = damage(i);
                    Volatile.Write(ref current, i);
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    List<object?[]>? rows = null;
                    try
                    {
                        // A dedicated thread, so the watchdog below sees a hang: blocking on the read is the point here.
                        rows = TestTables.ReadAllAsync(bytes, name).GetAwaiter().GetResult();
                    }
                    catch (ParquetFormatException ex)
                    {
                        ex.Message.Should().StartWith(name + ": ");
                        formatErrors++;
                    }

                    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    if (allocated > AllocationCeiling)
                    {
                        throw new Xunit.Sdk.XunitException($"case {i} allocated {allocated:N0} bytes");
                    }

                    if (rows is not null)
                    {
                        if (expectedRows is null)
                        {
                            throw new Xunit.Sdk.XunitException($"case {i}: damaged file read without error");
                        }

                        TestTables.ShouldEqualRows(rows, expectedRows, $"case {i}");
                        correct++;
                    }
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        { IsBackground = true };
        var started = DateTime.UtcNow;
        worker.Start();
        var lastCase = -1;
        var lastProgress = DateTime.UtcNow;
        while (!worker.Join(TimeSpan.FromMilliseconds(50)))
        {
            var now = Volatile.Read(ref current);
            if (now != lastCase)
            {
                lastCase = now;
                lastProgress = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - lastProgress > CaseTimeout)
            {
                throw new Xunit.Sdk.XunitException($"case {now} did not finish within {CaseTimeout.TotalSeconds} s (hang)");
            }
        }

        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException($"after {DateTime.UtcNow - started}: {failure.GetType().Name}: {failure.Message}", failure);
        }

        return (formatErrors, correct);
    }
}
