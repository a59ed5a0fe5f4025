using System.Security.Cryptography;
using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Storage;

/// <summary>
/// A large local write asks the kernel to start writing its pages to disk as it grows (so the commit's fsync has little
/// left to wait for), and still commits exactly the bytes written.
/// </summary>
public sealed class LocalEarlyWritebackTests
{
    private const string Archive = "landing/_processed/police/police-da-incidents/police-0123456789abcdef/file-0a1b2c3d.csv";

    [Fact]
    public async Task A_large_write_asks_for_writeback_as_it_grows_and_commits_every_byte()
    {
        using var folder = new TempFolder("early-writeback");
        var store = new LocalObjectStore(folder.Path);
        var content = new byte[(2 * EarlyWriteback.Interval) + (EarlyWriteback.Interval / 2) + 7];
        new Random(20171001).NextBytes(content);

        await using var write = await store.BeginWriteAsync(Archive, WriteOptions.Default, default);
        for (var at = 0; at < content.Length; at += 1 << 20)
        {
            await write.Content.WriteAsync(content.AsMemory(at, Math.Min(1 << 20, content.Length - at)));
        }

        RequestsOf(write).Should().Be(EarlyWriteback.IsSupported ? 2 : 0, "one request for each 8 MB written");
        await write.CommitAsync(default);

        var stored = await File.ReadAllBytesAsync(Path.Combine(folder.Path, Archive));
        SHA256.HashData(stored).Should().Equal(SHA256.HashData(content));
    }

    [Fact]
    public async Task A_small_write_asks_for_no_writeback()
    {
        using var folder = new TempFolder("early-writeback");
        var store = new LocalObjectStore(folder.Path);

        await using var write = await store.BeginWriteAsync(Archive, WriteOptions.Default, default);
        await write.Content.WriteAsync(new byte[EarlyWriteback.Interval - 1]);

        RequestsOf(write).Should().Be(0);
    }

    // Elsewhere than Linux the file stream is used as it is, and no request is made.
    private static int RequestsOf(IObjectWrite write) =>
        EarlyWriteback.IsSupported ? write.Content.Should().BeOfType<EarlyWriteback>().Which.Requests : 0;
}
