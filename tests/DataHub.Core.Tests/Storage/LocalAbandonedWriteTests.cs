using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Storage;

/// <summary>
/// An abandoned local write removes its temporary file, and the folder the store made for it when nothing else is in it,
/// so a batch never stored leaves no empty folder named after it; a folder that was there before, or holds anything, stays.
/// </summary>
public sealed class LocalAbandonedWriteTests
{
    private const string Batch = "landing/_processed/police/police-da-incidents/police-0123456789abcdef";

    [Fact]
    public async Task An_abandoned_write_removes_the_folder_made_for_it()
    {
        using var folder = new TempFolder("abandoned-write");
        var store = new LocalObjectStore(folder.Path);
        await store.WriteAsync("landing/_processed/police/police-da-incidents/police-aaaaaaaaaaaaaaaa/file-1.csv", WriteBytes, WriteOptions.Default, default);

        await using (var write = await store.BeginWriteAsync($"{Batch}/file-2.csv", WriteOptions.Default, default))
        {
            await write.Content.WriteAsync(new byte[] { 1, 2, 3 });
        }

        Directory.Exists(Path.Combine(folder.Path, Batch)).Should().BeFalse("the write made the batch's folder and nothing else is in it");
        Directory.Exists(Path.Combine(folder.Path, "landing/_processed/police/police-da-incidents")).Should().BeTrue("it was there before the write");
    }

    [Fact]
    public async Task An_abandoned_write_leaves_a_folder_that_was_there_before_or_holds_another_file()
    {
        using var folder = new TempFolder("abandoned-write");
        var store = new LocalObjectStore(folder.Path);
        Directory.CreateDirectory(Path.Combine(folder.Path, Batch));

        await using (var write = await store.BeginWriteAsync($"{Batch}/file-2.csv", WriteOptions.Default, default))
        {
            await write.Content.WriteAsync(new byte[] { 1, 2, 3 });
        }

        Directory.Exists(Path.Combine(folder.Path, Batch)).Should().BeTrue("the folder was there before the write");

        var other = "landing/_processed/police/police-da-incidents/police-bbbbbbbbbbbbbbbb";
        await using var first = await store.BeginWriteAsync($"{other}/file-1.csv", WriteOptions.Default, default);
        await store.WriteAsync($"{other}/file-3.csv", WriteBytes, WriteOptions.Default, default);
        await first.DisposeAsync();

        Directory.GetFiles(Path.Combine(folder.Path, other)).Select(Path.GetFileName).Should().Equal(["file-3.csv"], "an object committed there keeps the folder");
    }

    private static Task WriteBytes(Stream stream, CancellationToken cancellationToken) => stream.WriteAsync(new byte[] { 9 }, cancellationToken).AsTask();
}
