using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Storage;

/// <summary>
/// A local write's commit returns the version it wrote: a caller later acts on its own version by the one returned (a
/// stalled worker withdrawing its manifest), so it must never be another writer's that replaced the path after the rename.
/// </summary>
public sealed class LocalCommitVersionTests
{
    [Fact]
    public async Task A_commit_describes_the_file_it_wrote_not_one_that_replaced_it_after_the_rename()
    {
        using var folder = new TempFolder("commit-version");
        var destination = Path.Combine(folder.Path, "a.csv");
        var ours = DateTime.MinValue;
        var write = new LocalObjectWrite(
            "landing/police/police-da-incidents/a.csv",
            destination,
            overwrite: false,
            () => { },
            (length, written) =>
            {
                // Another writer's rename lands between this write's rename and the description of what it committed.
                ours = File.GetLastWriteTimeUtc(destination);
                File.WriteAllText(destination + ".other", "another writer's version, longer");
                File.Move(destination + ".other", destination, overwrite: true);
                return new StoredObject("landing/police/police-da-incidents/a.csv", length, "etag", new DateTimeOffset(written, TimeSpan.Zero), new Dictionary<string, string>());
            });
        await using (write)
        {
            await write.Content.WriteAsync("written"u8.ToArray());
            var committed = await write.CommitAsync(default);
            committed.Length.Should().Be(7, "the version committed is the one written");
            committed.LastModified.UtcDateTime.Should().Be(ours, "its time is the written file's, as it was renamed into place");
        }
    }
}
