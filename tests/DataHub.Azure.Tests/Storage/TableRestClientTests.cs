using DataHub.Storage.Azure;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class TableRestClientTests(AzuriteFixture fixture)
{
    private readonly string _table = "t" + Guid.NewGuid().ToString("N")[..12];

    private TableRestClient Client(Action<StorageClientOptions>? configure = null)
    {
        var options = new StorageClientOptions();
        configure?.Invoke(options);
        return new TableRestClient(StorageAccount.FromConnectionString(fixture.Azurite.ConnectionString), options);
    }

    private static TableEntity Entity(string partition, string row, params (string Name, object? Value)[] properties) =>
        new(partition, row, properties.ToDictionary(p => p.Name, p => p.Value));

    [Fact]
    public async Task Second_insert_of_the_same_keys_is_a_conflict_not_an_overwrite()
    {
        var client = Client();
        (await client.InsertAsync(_table, Entity("p", "r", ("Attempts", 1)), CancellationToken.None)).Result.Should().Be(TableWrite.Ok);

        var second = await client.InsertAsync(_table, Entity("p", "r", ("Attempts", 99)), CancellationToken.None);

        second.Result.Should().Be(TableWrite.Conflict);
        (await client.GetAsync(_table, "p", "r", CancellationToken.None))!.GetInt64("Attempts").Should().Be(1);
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_refused()
    {
        var client = Client();
        var (_, first) = await client.InsertAsync(_table, Entity("p", "head", ("Seq", 1L)), CancellationToken.None);
        var (ok, _) = await client.UpdateAsync(_table, Entity("p", "head", ("Seq", 2L)), first!, merge: false, CancellationToken.None);

        var (stale, _) = await client.UpdateAsync(_table, Entity("p", "head", ("Seq", 3L)), first!, merge: true, CancellationToken.None);

        ok.Should().Be(TableWrite.Ok);
        stale.Should().Be(TableWrite.ConditionFailed);
        (await client.GetAsync(_table, "p", "head", CancellationToken.None))!.GetInt64("Seq").Should().Be(2);
    }

    [Fact]
    public async Task Partition_query_follows_continuation_across_pages_and_keeps_types()
    {
        var client = Client(o => o.PageSize = 3);
        var when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        for (var i = 0; i < 10; i++)
        {
            await client.InsertAsync(_table, Entity("audit", i.ToString("D4"), ("Seq", (long)i), ("Kind", "ingest"), ("At", when), ("Ok", i % 2 == 0)), CancellationToken.None);
        }

        await client.InsertAsync(_table, Entity("other", "0001", ("Seq", 1L)), CancellationToken.None);

        var rows = await client.QueryPartitionAsync(_table, "audit", CancellationToken.None).ToListAsync();

        rows.Select(r => r.RowKey).Should().Equal(Enumerable.Range(0, 10).Select(i => i.ToString("D4")));
        rows[7].Properties["Seq"].Should().Be(7L);
        rows[7].Properties["At"].Should().Be(when);
        rows[7].Properties["Ok"].Should().Be(false);
        rows.Should().OnlyContain(r => r.ETag != null);
    }

    [Theory]
    [InlineData(SharedKeyScheme.Table)]
    [InlineData(SharedKeyScheme.TableLite)]
    public async Task Both_table_shared_key_schemes_are_accepted(SharedKeyScheme scheme)
    {
        var client = Client(o => o.TableScheme = scheme);

        await client.UpsertAsync(_table, Entity("p", "o'brien", ("Name", "x")), CancellationToken.None);

        (await client.GetAsync(_table, "p", "o'brien", CancellationToken.None))!.GetString("Name").Should().Be("x");
    }
}
