using System.Text;
using DataHub.Core.Validation;

namespace DataHub.Core.Tests.Validation;

public sealed class DuplicateRowsTests
{
    [Fact]
    public void Second_sighting_of_a_row_hash_is_a_repeat()
    {
        var seen = new DuplicateRows();
        seen.IsRepeat(Hash("a", "b")).Should().BeFalse();
        seen.IsRepeat(Hash("a", "c")).Should().BeFalse();
        seen.IsRepeat(Hash("a", "b")).Should().BeTrue();
        seen.Distinct.Should().Be(2);
    }

    [Fact]
    public void Cell_boundaries_are_part_of_the_hash()
    {
        Hash("ab", "c").Should().NotBe(Hash("a", "bc"));
        Hash("", "abc").Should().NotBe(Hash("abc", ""));
        Hash("abcdefgh", "").Should().NotBe(Hash("abcdefg", "h"));
    }

    [Fact]
    public void Two_hundred_thousand_near_identical_rows_are_all_distinct()
    {
        var seen = new DuplicateRows();
        for (var i = 0; i < 200_000; i++)
        {
            seen.IsRepeat(Hash("INC" + i, "2018-01-01", "victim", "Smith")).Should().BeFalse();
        }

        seen.Distinct.Should().Be(200_000);
        seen.IsRepeat(Hash("INC199999", "2018-01-01", "victim", "Smith")).Should().BeTrue();
    }

    [Fact]
    public void Repeats_are_found_in_the_table_in_spilled_runs_and_across_them_while_the_table_stays_bounded()
    {
        var scratch = new CountingScratch();
        using var seen = new DuplicateRows(scratch, memoryEntries: 1000);
        var random = new Random(20171001);
        var expectedRepeats = 0;
        var firstSeen = new HashSet<ulong>();
        for (var i = 0; i < 30_000; i++)
        {
            // Every tenth row repeats a row from anywhere earlier: many of those now sit in spilled runs.
            var n = i % 10 == 9 ? random.Next(0, i) : i;
            var hash = Hash("INC" + n, "2018-01-01");
            var repeat = !firstSeen.Add(hash);
            expectedRepeats += repeat ? 1 : 0;
            seen.IsRepeat(hash).Should().Be(repeat, $"row {i} (INC{n})");
            seen.InMemory.Should().BeLessThanOrEqualTo(1000);
        }

        seen.Runs.Should().BeGreaterThan(20);
        scratch.Created.Should().Be(seen.Runs);
        seen.Distinct.Should().Be(firstSeen.Count);
        expectedRepeats.Should().BeGreaterThan(2000);
    }

    [Fact]
    public void Distinct_rows_are_never_taken_for_repeats_whatever_the_filters_say()
    {
        // With 200 runs' filters consulted per row, false "maybe" answers are certain; each must be cleared by the run itself.
        using var seen = new DuplicateRows(new CountingScratch(), memoryEntries: 500);
        for (var i = 0; i < 100_000; i++)
        {
            seen.IsRepeat(Hash("row", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Should().BeFalse();
        }

        seen.Runs.Should().Be(199);
        seen.Distinct.Should().Be(100_000);
    }

    [Fact]
    public void Scratch_files_are_deleted_when_the_reader_is_disposed()
    {
        using var folder = new DataHub.Testing.TempFolder("dup-scratch");
        var scratch = new DataHub.Storage.Local.LocalScratchSpace(folder.Path);
        var seen = new DuplicateRows(scratch, memoryEntries: 100);
        for (var i = 0; i < 1000; i++)
        {
            seen.IsRepeat(unchecked((ulong)i * 0x9E3779B97F4A7C15UL)).Should().BeFalse();
        }

        Directory.GetFiles(folder.Path).Should().HaveCount(9);
        seen.IsRepeat(unchecked(5 * 0x9E3779B97F4A7C15UL)).Should().BeTrue();
        seen.Dispose();
        Directory.GetFiles(folder.Path).Should().BeEmpty();
    }

    [Fact]
    public void The_same_row_hashes_differently_under_another_seed()
    {
        var a = new RowHash(1);
        var b = new RowHash(2);
        a.Add("Smith,1990-04-05"u8);
        b.Add("Smith,1990-04-05"u8);
        a.Finish().Should().NotBe(b.Finish());
    }

    /// <summary>Scratch files in memory, counted.</summary>
    private sealed class CountingScratch : DataHub.Core.Storage.IScratchSpace
    {
        public int Created { get; private set; }

        public Stream CreateFile()
        {
            Created++;
            return new MemoryStream();
        }
    }

    private static ulong Hash(params string[] cells)
    {
        var hash = default(RowHash);
        foreach (var cell in cells)
        {
            hash.Add(Encoding.UTF8.GetBytes(cell));
        }

        return hash.Finish();
    }
}
