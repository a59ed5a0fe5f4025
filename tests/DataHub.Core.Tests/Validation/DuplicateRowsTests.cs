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

    [Theory]
    [InlineData(3000)]
    [InlineData(4096)]
    [InlineData(5000)]
    public void Repeats_are_found_in_runs_of_many_buckets(int memoryEntries)
    {
        // Runs of a few thousand hashes are laid out in several buckets by their keyed values' top bits: every hash must be
        // found in its bucket, and none of the never-seen ones.
        using var seen = new DuplicateRows(new CountingScratch(), memoryEntries);
        var hashes = Enumerable.Range(0, memoryEntries * 5).Select(i => Hash("INC" + i, "2018-01-01")).ToArray();
        foreach (var hash in hashes)
        {
            seen.IsRepeat(hash).Should().BeFalse();
        }

        seen.Runs.Should().Be(4);
        hashes.Should().OnlyContain(h => seen.IsRepeat(h), "every hash is found again, in the table or in its run's bucket");
        Enumerable.Range(0, 5000).Select(i => Hash("other" + i)).Should().NotContain(h => seen.IsRepeat(h));
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
    public void Scratch_files_leave_nothing_on_disk_even_while_their_runs_are_in_use()
    {
        using var folder = new DataHub.Testing.TempFolder("dup-scratch");
        using var seen = new DuplicateRows(new DataHub.Storage.Local.LocalScratchSpace(folder.Path), memoryEntries: 100);
        for (var i = 0; i < 1000; i++)
        {
            seen.IsRepeat(Hash("row", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Should().BeFalse();
        }

        seen.Runs.Should().Be(9);
        seen.IsRepeat(Hash("row", "5")).Should().BeTrue("row 5 sits in the first spilled run");

        // Unlinked as soon as opened: a killed process leaves nothing behind.
        Directory.GetFiles(folder.Path).Should().BeEmpty();
    }

    [Fact]
    public void Every_scratch_file_is_closed_on_dispose_and_when_a_spill_fails()
    {
        var scratch = new CountingScratch { FailOnFile = 4 };
        var seen = new DuplicateRows(scratch, memoryEntries: 100);
        var act = () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                seen.IsRepeat((ulong)i + 1);
            }
        };

        act.Should().Throw<IOException>();
        scratch.Files.Should().HaveCount(4);
        scratch.Files[3].Disposed.Should().BeTrue("the run whose write failed closes its own file");
        seen.Dispose();
        scratch.Files.Should().OnlyContain(f => f.Disposed);
    }

    [Fact]
    public void Spilled_runs_hold_keyed_values_never_the_row_hashes_themselves()
    {
        var scratch = new CountingScratch();
        var hashes = Enumerable.Range(0, 500).Select(i => Hash("INC" + i, "Smith", "1990-04-05")).ToArray();
        using (var seen = new DuplicateRows(scratch, memoryEntries: 100))
        {
            foreach (var hash in hashes)
            {
                seen.IsRepeat(hash).Should().BeFalse();
            }

            scratch.Files.Should().NotBeEmpty();
            var spilled = scratch.Files.SelectMany(f => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(f.ToArray()).ToArray()).ToHashSet();
            spilled.Should().HaveCount(scratch.Files.Count * 100);
            spilled.Should().NotIntersectWith(hashes);
        }
    }

    [Fact]
    public void Each_instance_keys_what_it_spills_with_a_key_of_its_own()
    {
        var hashes = Enumerable.Range(0, 300).Select(i => Hash("INC" + i, "Jones", "2001-02-03")).ToArray();
        var spilled = new List<HashSet<ulong>>();
        for (var instance = 0; instance < 2; instance++)
        {
            var scratch = new CountingScratch();
            using var seen = new DuplicateRows(scratch, memoryEntries: 100);
            foreach (var hash in hashes)
            {
                seen.IsRepeat(hash).Should().BeFalse();
            }

            hashes.Should().OnlyContain(h => seen.IsRepeat(h), "every hash is still found, in the table or a spilled run");
            spilled.Add(scratch.Files.SelectMany(f => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(f.ToArray()).ToArray()).ToHashSet());
        }

        spilled[0].Should().HaveCount(200);
        spilled[0].Should().NotIntersectWith(spilled[1]);
    }

    [Fact]
    public async Task A_feed_file_whose_hashes_spill_still_keeps_first_copies_and_rejects_repeats()
    {
        var contract = DataHub.Core.Feeds.FeedCatalog.Find("police-da-incidents")!;
        var lines = new List<string> { "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral" };
        var expectedRepeats = new List<long>();
        var written = new HashSet<int>();
        for (var i = 0; i < 3000; i++)
        {
            // Every seventh row copies a row from well before it (mostly spilled by then).
            var n = i % 7 == 6 ? i / 3 : i;
            if (!written.Add(n))
            {
                expectedRepeats.Add(lines.Count + 1);
            }

            lines.Add($"DA{n:D6},2018-03-01,victim,Ann{n},Lee,1990-04-05,F,Y,N");
        }

        var bytes = Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
        using var reader = DataHub.Core.Parsing.FeedReader.Open(new MemoryStream(bytes), "big.csv", contract, new CountingScratch(), duplicateMemoryEntries: 200);
        var accepted = 0;
        var repeats = new List<long>();
        await foreach (var result in reader.ReadRowsAsync())
        {
            if (result.Row is not null)
            {
                accepted++;
            }
            else
            {
                result.Errors!.Should().ContainSingle().Which.Rule.Should().Be("row.duplicate");
                repeats.Add(result.Line);
            }
        }

        repeats.Should().Equal(expectedRepeats);
        accepted.Should().Be(3000 - expectedRepeats.Count);
    }

    /// <summary>Scratch files in memory, kept for inspection; optionally one of them fails its write.</summary>
    private sealed class CountingScratch : DataHub.Core.Storage.IScratchSpace
    {
        public List<TrackedStream> Files { get; } = [];

        public int? FailOnFile { get; init; }

        public int Created => Files.Count;

        public Stream CreateFile()
        {
            var file = new TrackedStream(Files.Count + 1 == FailOnFile);
            Files.Add(file);
            return file;
        }
    }

    private sealed class TrackedStream(bool failWrites) : MemoryStream
    {
        public bool Disposed { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (failWrites)
            {
                throw new IOException("No space left on device.");
            }

            base.Write(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private static ulong Hash(params string[] cells)
    {
        var hash = new RowHash();
        foreach (var cell in cells)
        {
            hash.Add(Encoding.UTF8.GetBytes(cell));
        }

        return hash.Finish();
    }
}
