using System.Text;
using DataHub.Core.Storage;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Storage;

/// <summary>The object store's write contract, held by both adapters: local folders and Azure blobs (on Azurite).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ObjectStoreContractTests(AzuriteFixture fixture) : IDisposable
{
    private const int BlockSize = 16 * 1024;
    private readonly TempFolder _root = new("contract");
    private readonly string _run = "c" + Guid.NewGuid().ToString("N")[..8];

    public static TheoryData<string> Stores => new() { "local", "blob" };

    public void Dispose() => _root.Dispose();

    private IObjectStore Store(string kind) => kind == "local"
        ? new LocalObjectStore(_root.Path)
        : AzureStorage.ForEmulator(fixture.Azurite.ConnectionString, new AzureClientSettings { BlockSize = BlockSize }).ObjectStore();

    // More than two blocks, so the blob adapter has staged blocks before it commits.
    private static byte[] Content(int seed) => Enumerable.Range(0, (2 * BlockSize) + 100).Select(i => (byte)((i * 7) + seed)).ToArray();

    private static async Task<byte[]> ReadAllAsync(IObjectStore store, string path)
    {
        await using var stream = await store.OpenReadAsync(path, null, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Begun_write_is_invisible_even_after_a_flush_until_it_is_committed(string kind)
    {
        var store = Store(kind);
        var path = $"secure/{_run}/{kind}/mart.parquet";
        var content = Content(1);

        await using var write = await store.BeginWriteAsync(path, WriteOptions.Default, CancellationToken.None);
        await write.Content.WriteAsync(content);
        await write.Content.FlushAsync();
        write.Content.Flush();
        var before = await store.GetAsync(path, CancellationToken.None);
        var listedBefore = await store.ListAsync($"secure/{_run}/", CancellationToken.None).ToListAsync();
        var committed = await write.CommitAsync(CancellationToken.None);

        before.Should().BeNull();
        listedBefore.Should().BeEmpty();
        committed.Length.Should().Be(content.Length);
        (await store.ListAsync($"secure/{_run}/", CancellationToken.None).SingleAsync()).Should().BeEquivalentTo(committed);
        (await ReadAllAsync(store, path)).Should().Equal(content);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Content_closed_by_its_writer_before_the_commit_is_committed_whole(string kind)
    {
        var store = Store(kind);
        var path = $"published/{_run}/{kind}/table.csv";
        var content = Content(4)[..100]; // small: held in the write's buffer until the commit puts it whole

        var write = await store.BeginWriteAsync(path, WriteOptions.Default, CancellationToken.None);
        await using (write)
        {
            await using (var writer = write.Content)
            {
                await writer.WriteAsync(content);
            }

            await write.CommitAsync(CancellationToken.None);
        }

        (await ReadAllAsync(store, path)).Should().Equal(content);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Abandoned_write_leaves_nothing_visible_and_the_previous_object_in_place(string kind)
    {
        var store = Store(kind);
        var path = $"secure/{_run}/{kind}/mart.parquet";
        var previous = await store.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("previous good"), ct).AsTask(), WriteOptions.Default, CancellationToken.None);

        var write = await store.BeginWriteAsync(path, WriteOptions.Default, CancellationToken.None);
        await write.Content.WriteAsync(Content(2));
        await write.DisposeAsync();

        (await store.ListAsync($"secure/{_run}/", CancellationToken.None).ToListAsync()).Should().BeEquivalentTo([previous], o => o.WithStrictOrdering());
        Encoding.ASCII.GetString(await ReadAllAsync(store, path)).Should().Be("previous good");
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Create_only_write_fails_at_commit_when_another_writer_committed_first(string kind)
    {
        var store = Store(kind);
        var path = $"quarantine/{_run}/{kind}/report.json";

        // Small enough to be put whole at commit: two writers staging blocks of one blob is not a race either store promises to referee.
        await using var slow = await store.BeginWriteAsync(path, WriteOptions.CreateNew, CancellationToken.None);
        await slow.Content.WriteAsync(Content(3).AsMemory(0, 100));
        await store.WriteAsync(path, (s, ct) => s.WriteAsync(new byte[] { 42 }, ct).AsTask(), WriteOptions.CreateNew, CancellationToken.None);

        await FluentActions.Awaiting(() => slow.CommitAsync(CancellationToken.None)).Should().ThrowAsync<ObjectExistsException>();
        (await ReadAllAsync(store, path)).Should().Equal([42]);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Create_only_write_refused_at_commit_leaves_the_first_writers_metadata(string kind)
    {
        var store = Store(kind);
        var path = $"secure/{_run}/{kind}/mart.parquet";
        var first = new Dictionary<string, string>(StringComparer.Ordinal) { ["datahub_partner"] = "first" };
        var second = new Dictionary<string, string>(StringComparer.Ordinal) { ["datahub_partner"] = "second" };

        await using var slow = await store.BeginWriteAsync(path, new WriteOptions(Overwrite: false, second), CancellationToken.None);
        await slow.Content.WriteAsync(Content(4).AsMemory(0, 100));
        await store.WriteAsync(path, (s, ct) => s.WriteAsync(new byte[] { 42 }, ct).AsTask(), new WriteOptions(Overwrite: false, first), CancellationToken.None);

        await FluentActions.Awaiting(() => slow.CommitAsync(CancellationToken.None)).Should().ThrowAsync<ObjectExistsException>();
        (await store.GetAsync(path, CancellationToken.None))!.Metadata.Should().Equal(first);
    }

    // What a switch of current.json rests on: of two runs that read one version of the pointer, only the first replaces it.
    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Write_conditioned_on_a_version_replaces_that_version_only(string kind)
    {
        var store = Store(kind);
        var path = $"published/{_run}/{kind}/current.json";
        Task<StoredObject> Write(byte[] content, string? version) =>
            store.WriteAsync(path, (s, ct) => s.WriteAsync(content, ct).AsTask(), WriteOptions.Default with { IfMatch = version }, CancellationToken.None);
        var first = await Write(Content(5)[..100], null);

        // Staged in blocks, then put whole: both ways of committing a blob honour the condition.
        var second = await Write(Content(6), first.ETag);
        await FluentActions.Awaiting(() => Write(Content(7)[..50], first.ETag)).Should().ThrowAsync<ObjectChangedException>();
        await FluentActions.Awaiting(() => Write(Content(8), first.ETag)).Should().ThrowAsync<ObjectChangedException>();
        (await ReadAllAsync(store, path)).Should().Equal(Content(6));

        await store.DeleteAsync(path, null, CancellationToken.None);
        await FluentActions.Awaiting(() => Write(Content(9)[..50], second.ETag)).Should().ThrowAsync<ObjectChangedException>();
        (await store.GetAsync(path, CancellationToken.None)).Should().BeNull("a write conditioned on a version that has gone creates nothing");
    }
}
