using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Storage;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Storage;

/// <summary>Acceptance: a mart being written on blob storage is invisible to listings, blocks staged and Parquet flushed, until the batch commits.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MartWriteVisibilityTests(AzuriteFixture fixture)
{
    private const int BlockSize = 4 * 1024;
    [Fact]
    public async Task Listing_while_a_mart_write_is_in_flight_shows_nothing_of_it_and_after_commit_the_whole_file()
    {
        var settings = TestHubs.QuickRetries() with { BlockSize = BlockSize };
        var azure = TestHubs.Azure(fixture.Azurite.ConnectionString, fixture.Azurite.KeyRoot, ManualClock.On(2026, 11, 22), settings);
        var blobs = AzureStorage.ForEmulator(fixture.Azurite.ConnectionString, settings).Blobs;
        var observer = new InFlightObserver(azure.Store, blobs);
        var hub = azure with
        {
            Store = observer,
            Ingest = azure.Ingest with { RowGroupBytes = 16 * 1024, MartCompression = DataHub.Parquet.ParquetCompression.Uncompressed },
        };
        const string path = "landing/police/police-da-incidents/in-flight.csv";
        var landed = await hub.Store.WriteAsync(path, (s, ct) => Task.Run(() => LargeExtracts.WritePoliceIncidentsCsv(s, 3_000), ct), WriteOptions.Default, CancellationToken.None);

        var outcome = await new IngestExtract(hub).HandleAsync(path, landed.ETag, CancellationToken.None);

        outcome.Status.Should().BeOneOf([IngestStatus.Stored, IngestStatus.StoredWithRowErrors], outcome.Message);
        observer.MidWrite.Should().NotBeEmpty("at least one mart file passed two blocks before the batch committed");
        foreach (var seen in observer.MidWrite)
        {
            seen.Listed.Should().NotContain(p => p.EndsWith(".parquet", StringComparison.Ordinal) && IsOfBatch(p, outcome.BatchId!), "no file of the batch is visible while the batch is written");
            seen.Properties.Should().BeNull();
        }

        // Files are committed (two at a time) once all are finished: each is invisible until its own commit.
        foreach (var seen in observer.BeforeCommit)
        {
            seen.Listed.Should().NotContain(seen.Path, "a finished, flushed file is not visible until it is committed");
            seen.Properties.Should().BeNull();
        }

        observer.MidWrite.Should().OnlyContain(s => s.UncommittedBlocks >= 2, "the bytes written so far sit in staged, uncommitted blocks");
        observer.BeforeCommit.Select(s => s.Path).Should().BeEquivalentTo(outcome.MartFiles, "every file was finished (and flushed) before any was committed");
        observer.BeforeCommit[^1].Path.Should().Be($"secure/police-da-incidents/_batches/{outcome.BatchId}.json", "the batch manifest is committed last");
        observer.BeforeCommit.Should().OnlyContain(s => !s.BatchCommitted, "no reader sees the batch, even with some files committed, until its manifest exists");
        (await hub.Store.GetAsync(MartManifest.PathFor("police-da-incidents", outcome.BatchId!), CancellationToken.None)).Should().NotBeNull();

        var listed = await hub.Store.ListAsync("secure/police-da-incidents/", CancellationToken.None)
            .Where(o => o.Path.EndsWith(".parquet", StringComparison.Ordinal) && IsOfBatch(o.Path, outcome.BatchId!)).ToListAsync();
        listed.Select(o => o.Path).Should().BeEquivalentTo(outcome.MartFiles!.Where(p => p.EndsWith(".parquet", StringComparison.Ordinal)));
        listed.Should().OnlyContain(o => o.Length == observer.BytesWritten[o.Path]);
        using var copies = new TempFolder("visibility-marts");
        foreach (var file in listed)
        {
            await using var source = await hub.Store.OpenReadAsync(file.Path, file.ETag, CancellationToken.None);
            await using var target = File.Create(copies.File(file.Path.Replace('/', '_')));
            await source.CopyToAsync(target);
        }

        var counted = await DuckDb.QueryAsync($"SELECT count(*)::INTEGER AS n FROM read_parquet({DuckDb.Literal(copies.File("*.parquet"))})");
        long rows = counted.Rows[0][0].GetInt32();
        rows.Should().Be(outcome.RowsAccepted);
    }

    private static bool IsOfBatch(string path, string batchId) => MartSchema.BatchOfFileName(path[(path.LastIndexOf('/') + 1)..]) == batchId;

    /// <summary>What was visible at one moment of a mart write.</summary>
    private sealed record Seen(string Path, IReadOnlyList<string> Listed, StoredObject? Properties, int UncommittedBlocks, bool BatchCommitted);

    /// <summary>Passes everything through; for each mart write, looks at the store mid-write and again just before its commit.</summary>
    private sealed class InFlightObserver(IObjectStore inner, BlobServiceClient blobs) : IObjectStore
    {
        public List<Seen> MidWrite { get; } = [];

        public List<Seen> BeforeCommit { get; } = [];

        public Dictionary<string, long> BytesWritten { get; } = [];

        public Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => inner.OpenReadAsync(path, ifMatchETag, cancellationToken);

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => inner.DeleteAsync(path, ifMatchETag, cancellationToken);

        public Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken) => inner.CopyAsync(sourcePath, destinationPath, cancellationToken);

        public async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
        {
            var write = await inner.BeginWriteAsync(path, options, cancellationToken);
            return path.StartsWith("secure/police-da-incidents/", StringComparison.Ordinal) ? new ObservedWrite(this, write) : write;
        }

        // The mart writer writes synchronously on its own worker: waiting here only holds that worker.
        public Seen Look(string path)
        {
            var listed = inner.ListAsync("secure/", CancellationToken.None).Select(o => o.Path).ToListAsync().AsTask().GetAwaiter().GetResult();
            var properties = inner.GetAsync(path, CancellationToken.None).GetAwaiter().GetResult();
            var blob = blobs.GetBlobContainerClient("secure").GetBlockBlobClient(path["secure/".Length..]);
            var blocks = blob.GetBlockList(BlockListTypes.Uncommitted).Value.UncommittedBlocks.Count();
            var batch = MartSchema.BatchOfFileName(path[(path.LastIndexOf('/') + 1)..]);
            var committed = inner.GetAsync(MartManifest.PathFor("police-da-incidents", batch), CancellationToken.None).GetAwaiter().GetResult() is not null;
            return new Seen(path, listed, properties, blocks, committed);
        }

        private sealed class ObservedWrite(InFlightObserver observer, IObjectWrite inner) : IObjectWrite
        {
            private readonly CountingStream _content = new(observer, inner);

            public string Path => inner.Path;

            public Stream Content => _content;

            public async Task<StoredObject> CommitAsync(CancellationToken cancellationToken)
            {
                lock (observer)
                {
                    observer.BytesWritten[Path] = _content.Written;
                    observer.BeforeCommit.Add(observer.Look(Path));
                }

                return await inner.CommitAsync(cancellationToken);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }

        private sealed class CountingStream(InFlightObserver observer, IObjectWrite write) : Stream
        {
            private bool _looked;

            public long Written { get; private set; }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => Written;

            public override long Position { get => Written; set => throw new NotSupportedException(); }

            public override void Write(byte[] buffer, int offset, int count)
            {
                write.Content.Write(buffer, offset, count);
                Written += count;
                if (!_looked && Written > (2 * BlockSize) + 1)
                {
                    _looked = true;
                    lock (observer)
                    {
                        observer.MidWrite.Add(observer.Look(write.Path));
                    }
                }
            }

            public override void Flush() => write.Content.Flush();

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
