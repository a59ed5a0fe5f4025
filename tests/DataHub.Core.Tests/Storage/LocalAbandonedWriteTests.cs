using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Storage;

/// <summary>
/// An abandoned local write of an object that has its folder to itself (a raw archive's copy) removes the folder the store
/// made for it when nothing else is in it, so a batch never stored leaves no folder named after it; a folder that was
/// there before, holds anything, or is shared (a quarter's mart files) stays, and writes starting there meanwhile go on.
/// </summary>
public sealed class LocalAbandonedWriteTests
{
    private const string Feed = "landing/_processed/police/police-da-incidents";

    private const string Batch = $"{Feed}/police-0123456789abcdef";

    private static readonly WriteOptions OwnFolder = WriteOptions.Default with { FolderOfItsOwn = true };

    [Fact]
    public async Task An_abandoned_write_removes_the_folder_made_for_it()
    {
        using var folder = new TempFolder("abandoned-write");
        var store = new LocalObjectStore(folder.Path);
        await store.WriteAsync($"{Feed}/police-aaaaaaaaaaaaaaaa/file-1.csv", WriteByte, OwnFolder, default);

        await AbandonAsync(store, $"{Batch}/file-2.csv", OwnFolder);

        Directory.Exists(Path.Combine(folder.Path, Batch)).Should().BeFalse("the write made the batch's folder and nothing else is in it");
        Directory.Exists(Path.Combine(folder.Path, Feed)).Should().BeTrue("it was there before the write");
    }

    [Fact]
    public async Task An_abandoned_write_leaves_a_folder_that_was_there_before_holds_another_object_or_is_shared()
    {
        using var folder = new TempFolder("abandoned-write");
        var store = new LocalObjectStore(folder.Path);
        Directory.CreateDirectory(Path.Combine(folder.Path, Batch));
        await AbandonAsync(store, $"{Batch}/file-2.csv", OwnFolder);
        Directory.Exists(Path.Combine(folder.Path, Batch)).Should().BeTrue("the folder was there before the write");

        var other = $"{Feed}/police-bbbbbbbbbbbbbbbb";
        var first = await store.BeginWriteAsync($"{other}/file-1.csv", OwnFolder, default);
        await store.WriteAsync($"{other}/file-3.csv", WriteByte, OwnFolder, default);
        await first.DisposeAsync();
        Directory.GetFiles(Path.Combine(folder.Path, other)).Select(Path.GetFileName).Should().Equal(["file-3.csv"], "an object committed there keeps the folder");

        const string Quarter = "secure/police-da-incidents/quarter=2019Q4";
        await AbandonAsync(store, $"{Quarter}/police-0123456789abcdef.a1.parquet", WriteOptions.Default);
        Directory.Exists(Path.Combine(folder.Path, Quarter)).Should().BeTrue("a quarter's folder is shared by every batch's mart files");
    }

    [Fact]
    public async Task Writes_beginning_in_a_folder_that_an_abandoned_write_removes_meanwhile_go_on()
    {
        using var folder = new TempFolder("abandoned-write");
        var store = new LocalObjectStore(folder.Path);
        for (var round = 0; round < 150; round++)
        {
            var batch = $"{Feed}/police-{round:x16}";
            var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                await using var write = await store.BeginWriteAsync($"{batch}/file-{w}.csv", OwnFolder, default);
                await write.Content.WriteAsync(new byte[] { (byte)w });
                if (w % 2 == 0)
                {
                    await write.CommitAsync(default);
                }
            }));

            await Task.WhenAll(writers);
            Directory.GetFiles(Path.Combine(folder.Path, batch)).Select(Path.GetFileName).Should().BeEquivalentTo(["file-0.csv", "file-2.csv", "file-4.csv"]);
        }
    }

    private static async Task AbandonAsync(LocalObjectStore store, string path, WriteOptions options)
    {
        await using var write = await store.BeginWriteAsync(path, options, default);
        await write.Content.WriteAsync(new byte[] { 1, 2, 3 });
    }

    private static Task WriteByte(Stream stream, CancellationToken cancellationToken) => stream.WriteAsync(new byte[] { 9 }, cancellationToken).AsTask();
}
