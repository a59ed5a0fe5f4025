using System.Text;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Rollup;

public sealed class CurrentVersionTests
{
    // Two rollups at once: one switches current.json while the other (writing its board report) reads it.
    [Fact]
    public async Task A_pointer_switched_by_another_rollup_while_it_is_read_is_read_again_not_failed()
    {
        using var folder = new TempFolder("pointer");
        var local = new LocalObjectStore(folder.Path);
        await local.WriteAsync(
            RollupQuarter.CurrentPointer,
            (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes("""{"version":"published/kpi/v=2","run_id":"2","manifest_sha256":"ab","switched":"2026-11-22T00:00:00Z"}"""), ct).AsTask(),
            WriteOptions.Default,
            CancellationToken.None);

        var version = await CurrentVersion.ReadVersionAsync(new SwitchedOnceWhileRead(local), RollupQuarter.CurrentPointer, CancellationToken.None);

        version.Should().Be("published/kpi/v=2");
    }

    // The store as a reader racing a switch sees it: the first open of an object finds it replaced since.
    private sealed class SwitchedOnceWhileRead(IObjectStore inner) : IObjectStore
    {
        private bool _switched;

        public Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
        {
            if (!_switched)
            {
                _switched = true;
                throw new ObjectChangedException(path);
            }

            return inner.OpenReadAsync(path, ifMatchETag, cancellationToken);
        }

        public Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken) => inner.BeginWriteAsync(path, options, cancellationToken);

        public Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => inner.DeleteAsync(path, ifMatchETag, cancellationToken);

        public Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken) => inner.CopyAsync(sourcePath, destinationPath, cancellationToken);
    }
}
