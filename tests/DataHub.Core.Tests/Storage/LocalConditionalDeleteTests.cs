using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Storage;

/// <summary>
/// A delete conditioned on a version (a stalled worker withdrawing the manifest it wrote, retention deleting the manifest it
/// judged) and a write conditioned on the same version (a retry replacing that manifest) must not both act on it: locally
/// the write checks the version and renames under the object's lock file, so the delete must check and delete under it too.
/// </summary>
public sealed class LocalConditionalDeleteTests
{
    private const string Manifest = "secure/police-da-incidents/_batches/police-0123456789abcdef.json";

    [Fact]
    public async Task A_delete_conditioned_on_a_version_never_deletes_the_version_a_conditional_write_put_in_its_place()
    {
        using var folder = new TempFolder("conditional-delete");
        var store = new LocalObjectStore(folder.Path);
        var first = await store.WriteAsync(Manifest, (s, ct) => s.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask(), WriteOptions.Default, default);

        // A retry's manifest write conditioned on the first version has checked it and holds it until its rename.
        var lockPath = Path.Combine(folder.Path, "locks", Path.Combine(LocalObjectStore.Segments(Manifest)) + ".lock");
        Task<bool> withdrawal;
        using (await FileLock.AcquireAsync(lockPath, default))
        {
            withdrawal = Task.Run(() => store.DeleteAsync(Manifest, first.ETag, default));
            await Task.Delay(300);
            withdrawal.IsCompleted.Should().BeFalse("the version it judged is held by a write about to replace it");

            // The retry's rename: its own manifest, four bytes.
            await store.WriteAsync(Manifest, (s, ct) => s.WriteAsync(new byte[] { 4, 5, 6, 7 }, ct).AsTask(), WriteOptions.Default, default);
        }

        await withdrawal.Awaiting(t => t).Should().ThrowAsync<ObjectChangedException>();
        (await store.GetAsync(Manifest, default))!.Length.Should().Be(4, "the retry's manifest stays");
    }
}
