using System.Text;
using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Storage;

/// <summary>
/// A landed file's second reader (the raw archive's copy, read beside the rows) reads the same open handle: the version
/// pinned, from its first byte, whatever the first reader's position, the path replaced or not; never a changed version.
/// </summary>
public sealed class LocalSecondReaderTests
{
    private const string Landed = "landing/police/police-da-incidents/jan.csv";

    [Fact]
    public async Task A_second_reader_reads_the_pinned_version_whole_while_the_first_reads_on_and_after_the_path_is_replaced()
    {
        using var folder = new TempFolder("second-reader");
        var store = new LocalObjectStore(folder.Path);
        var first = await WriteAsync(store, "incident,first version\n");
        await using var pinned = await store.OpenReadAsync(Landed, first.ETag, default);
        var head = new byte[9];
        await pinned.ReadExactlyAsync(head);

        await WriteAsync(store, "incident,second version, longer\n");
        await using var second = ((IPinnedRead)pinned).AnotherReader();

        (await ReadAllAsync(second)).Should().Be("incident,first version\n");
        (await ReadAllAsync(pinned)).Should().Be("first version\n", "the first reader's position is its own");
    }

    [Fact]
    public async Task A_second_reader_fails_when_the_pinned_file_is_appended_to_in_place()
    {
        using var folder = new TempFolder("second-reader");
        var store = new LocalObjectStore(folder.Path);
        var first = await WriteAsync(store, "incident,first version\n");
        await using var pinned = await store.OpenReadAsync(Landed, first.ETag, default);
        await using var second = ((IPinnedRead)pinned).AnotherReader();

        await File.AppendAllTextAsync(store.FullPath(Landed), "INC9,appended\n");

        await second.Awaiting(ReadAllAsync).Should().ThrowAsync<ObjectChangedException>();
    }

    private static Task<StoredObject> WriteAsync(LocalObjectStore store, string content) =>
        store.WriteAsync(Landed, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(content), ct).AsTask(), WriteOptions.Default, default);

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        return await reader.ReadToEndAsync();
    }
}
