using System.Text;
using DataHub.Core.Storage;
using DataHub.Storage.Azure;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class BlobObjectStoreTests(AzuriteFixture fixture)
{
    private readonly string _run = "t" + Guid.NewGuid().ToString("N")[..8];

    private BlobObjectStore Store(AzureClientSettings? settings = null) =>
        AzureStorage.ForEmulator(fixture.Azurite.ConnectionString, settings ?? new AzureClientSettings()).ObjectStore();

    private static Func<Stream, CancellationToken, Task> Bytes(byte[] content) => (s, ct) => s.WriteAsync(content, ct).AsTask();

    private static async Task<byte[]> ReadAllAsync(IObjectStore store, string path, string? etag = null)
    {
        await using var stream = await store.OpenReadAsync(path, etag, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Lists_every_blob_under_a_prefix_across_pages_in_path_order()
    {
        var store = Store(new AzureClientSettings { PageSize = 2 });
        var names = new[] { "e.csv", "a.csv", "c.csv", "b.csv", "d.csv" };
        foreach (var name in names)
        {
            await store.WriteAsync($"landing/{_run}/feed/{name}", Bytes([1, 2, 3]), WriteOptions.Default, CancellationToken.None);
        }

        await store.WriteAsync($"landing/{_run}-other/feed/x.csv", Bytes([1]), WriteOptions.Default, CancellationToken.None);

        var listed = await store.ListAsync($"landing/{_run}/", CancellationToken.None).ToListAsync();

        listed.Select(o => o.Path).Should().Equal(names.Order(StringComparer.Ordinal).Select(n => $"landing/{_run}/feed/{n}"));
        listed.Should().OnlyContain(o => o.Length == 3 && o.ETag.Length > 0);
    }

    [Fact]
    public async Task Landing_paths_are_listed_from_every_partner_container_and_the_shared_one_in_path_order()
    {
        var store = Store();
        var blobs = new global::Azure.Storage.Blobs.BlobServiceClient(fixture.Azurite.ConnectionString);
        foreach (var (container, name) in new[] { ($"landing-{_run}", "feed/a.csv"), ($"landing-{_run}-b", "feed/b.csv"), ("landing", $"{_run}/feed/c.csv"), ("landing", $"_processed/{_run}/feed/d.csv") })
        {
            var client = blobs.GetBlobContainerClient(container);
            await client.CreateIfNotExistsAsync();
            await client.GetBlobClient(name).UploadAsync(new BinaryData([1]), overwrite: true);
        }

        var listed = await store.ListAsync("landing/", CancellationToken.None).Select(o => o.Path).Where(p => p.Contains(_run, StringComparison.Ordinal)).ToListAsync();

        listed.Should().Equal(
            [$"landing/_processed/{_run}/feed/d.csv", $"landing/_shared/{_run}/feed/c.csv", $"landing/{_run}-b/feed/b.csv", $"landing/{_run}/feed/a.csv"],
            "each partner's blobs read as landing/{partner}/…, the partner being the container's, in ordinal path order");
        (await store.ListAsync($"landing/{_run}/", CancellationToken.None).Select(o => o.Path).ToListAsync()).Should().Equal($"landing/{_run}/feed/a.csv");
        (await store.GetAsync($"landing/{_run}/feed/a.csv", CancellationToken.None)).Should().NotBeNull();
        (await store.ListAsync("landing/No_Such--Partner/", CancellationToken.None).ToListAsync()).Should().BeEmpty("a folder that can name no container holds nothing");
    }

    [Fact]
    public async Task A_partner_whose_name_starts_with_a_digit_is_listed_before_the_archive_as_its_paths_sort()
    {
        // "landing/9…/" sorts before "landing/_processed/" ('9' < '_'): a partner name may start with a digit.
        var store = Store();
        var blobs = new global::Azure.Storage.Blobs.BlobServiceClient(fixture.Azurite.ConnectionString);
        var digit = "9" + _run;
        foreach (var (container, name) in new[] { ($"landing-{_run}", "feed/a.csv"), ($"landing-{digit}", "feed/b.csv"), ("landing", $"_processed/{_run}/feed/d.csv") })
        {
            var client = blobs.GetBlobContainerClient(container);
            await client.CreateIfNotExistsAsync();
            await client.GetBlobClient(name).UploadAsync(new BinaryData([1]), overwrite: true);
        }

        var listed = await store.ListAsync("landing/", CancellationToken.None).Select(o => o.Path).Where(p => p.Contains(_run, StringComparison.Ordinal)).ToListAsync();

        listed.Should().Equal(
            [$"landing/{digit}/feed/b.csv", $"landing/_processed/{_run}/feed/d.csv", $"landing/{_run}/feed/a.csv"],
            "a listing is in ordinal path order (IObjectStore.ListAsync), whichever container each path lives in");
    }

    [Theory]
    [InlineData("a--b")]
    [InlineData("a-")]
    [InlineData("Police")]
    [InlineData("police_east")]
    [InlineData("a234567890123456789012345678901234567890123456789012345x")]
    public void A_partner_name_that_cannot_name_its_landing_container_is_refused_at_start_up_saying_why(string partner) =>
        FluentActions.Invoking(() => AzureStorage.ForEmulator(fixture.Azurite.ConnectionString, new AzureClientSettings()).ObjectStore(["police", partner]))
            .Should().Throw<ArgumentException>().WithMessage($"*'{partner}'*landing-{partner}*single hyphens*");

    [Fact]
    public void Every_partner_with_a_protocol_can_name_its_landing_container() =>
        DataHub.Storage.Local.ProtocolFolder.Load(Path.Combine(RepoPaths.Root, "functions", "protocols")).Partners
            .Select(p => p.Partner).Should().OnlyContain(p => LandingContainers.IsPartnerName(p));

    [Fact]
    public async Task A_landed_blob_carrying_metadata_the_hub_never_wrote_is_read_and_listed_not_refused()
    {
        // A sender uploading through the Blob API may set any metadata; a name such as "_uzzzz" is not one the hub encodes.
        var store = Store();
        var path = $"landing/{_run}/feed/extract.csv";
        var blob = new global::Azure.Storage.Blobs.BlobServiceClient(fixture.Azurite.ConnectionString).GetBlobContainerClient($"landing-{_run}").GetBlobClient(path[$"landing/{_run}/".Length..]);
        await new global::Azure.Storage.Blobs.BlobContainerClient(fixture.Azurite.ConnectionString, blob.BlobContainerName).CreateIfNotExistsAsync();
        await blob.UploadAsync(new BinaryData("a,b\n1,2\n"u8.ToArray()), new global::Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["_uzzzz"] = "1", ["sender_u12"] = "%zz" } });

        var found = await store.GetAsync(path, CancellationToken.None);
        var listed = await store.ListAsync($"landing/{_run}/", CancellationToken.None).ToListAsync();

        found.Should().NotBeNull();
        found!.Metadata.Should().ContainKey("_uzzzz");
        listed.Should().ContainSingle().Which.Path.Should().Be(path);
    }

    [Fact]
    public async Task Metadata_is_committed_with_the_blob_and_read_back_by_get_list_and_copy()
    {
        var store = Store(new AzureClientSettings());
        var path = $"secure/{_run}/quarter=2018Q1/police-0123456789abcdef.parquet";
        var metadata = new Dictionary<string, string> { ["datahub.batch_id"] = "police-0123456789abcdef", ["datahub.source_sha256"] = new string('a', 64), ["datahub.partner"] = "police" };

        var written = await store.WriteAsync(path, Bytes([1, 2]), new WriteOptions(Overwrite: true, metadata), CancellationToken.None);
        var copied = await store.CopyAsync(path, $"secure/{_run}/copy.parquet", CancellationToken.None);

        written.Metadata.Should().BeEquivalentTo(metadata);
        (await store.GetAsync(path, CancellationToken.None))!.Metadata.Should().BeEquivalentTo(metadata, "clean-up reads whose claim an uncommitted file belongs to from here");
        (await store.ListAsync($"secure/{_run}/quarter=", CancellationToken.None).ToListAsync()).Should().ContainSingle().Which.Metadata.Should().BeEquivalentTo(metadata);
        (await store.GetAsync(copied.Path, CancellationToken.None))!.Metadata.Should().BeEquivalentTo(metadata);
    }

    [Fact]
    public async Task Large_write_is_staged_in_blocks_and_invisible_until_committed()
    {
        var store = Store(new AzureClientSettings { BlockSize = 64 * 1024 });
        var path = $"secure/{_run}/big.parquet";
        var content = new byte[300 * 1024 + 17];
        new Random(7).NextBytes(content);
        StoredObject? seenMidWrite = new(path, -1, "x", default, new Dictionary<string, string>());

        var written = await store.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(content.AsMemory(0, 200 * 1024), ct);
            seenMidWrite = await store.GetAsync(path, ct);
            await stream.WriteAsync(content.AsMemory(200 * 1024), ct);
        }, WriteOptions.Default, CancellationToken.None);

        seenMidWrite.Should().BeNull("staged blocks are not visible until the block list is committed");
        written.Length.Should().Be(content.Length);
        (await ReadAllAsync(store, path)).Should().Equal(content);
    }

    [Fact]
    public async Task Failed_write_keeps_the_previous_object()
    {
        var store = Store(new AzureClientSettings { BlockSize = 16 * 1024 });
        var path = $"secure/{_run}/mart.parquet";
        await store.WriteAsync(path, Bytes(Encoding.ASCII.GetBytes("previous good")), WriteOptions.Default, CancellationToken.None);

        var act = () => store.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[40 * 1024], ct);
            throw new InvalidOperationException("writer failed half way");
        }, WriteOptions.Default, CancellationToken.None);

        await act.Should().ThrowAsync<InvalidOperationException>();
        Encoding.ASCII.GetString(await ReadAllAsync(store, path)).Should().Be("previous good");
    }

    [Fact]
    public async Task Read_stream_seeks_with_ranged_reads_pinned_to_the_version_first_read()
    {
        var store = Store();
        var path = $"landing/{_run}/schools/attendance.xlsx";
        var content = Enumerable.Range(0, 50_000).Select(i => (byte)(i % 251)).ToArray();
        await store.WriteAsync(path, Bytes(content), WriteOptions.Default, CancellationToken.None);

        await using var stream = await store.OpenReadAsync(path, null, CancellationToken.None);
        stream.CanSeek.Should().BeTrue();
        stream.Seek(-100, SeekOrigin.End);
        var tail = new byte[100];
        await stream.ReadExactlyAsync(tail);
        stream.Position = 10;
        var head = new byte[10];
        await stream.ReadExactlyAsync(head);

        tail.Should().Equal(content[^100..]);
        head.Should().Equal(content[10..20]);

        await store.WriteAsync(path, Bytes([1, 2, 3]), WriteOptions.Default, CancellationToken.None);
        stream.Position = 0;
        await FluentActions.Awaiting(() => stream.ReadAsync(new byte[10]).AsTask()).Should().ThrowAsync<ObjectChangedException>();
    }

    [Fact]
    public async Task Create_only_write_fails_when_the_object_exists()
    {
        var store = Store();
        var path = $"quarantine/{_run}/report.json";
        await store.WriteAsync(path, Bytes([1]), WriteOptions.CreateNew, CancellationToken.None);

        var act = () => store.WriteAsync(path, Bytes([2]), WriteOptions.CreateNew, CancellationToken.None);

        await act.Should().ThrowAsync<ObjectExistsException>();
        (await ReadAllAsync(store, path)).Should().Equal([1]);
    }

    [Fact]
    public async Task Reading_or_deleting_with_a_stale_etag_fails_as_changed()
    {
        var store = Store();
        var path = $"landing/{_run}/police/jan.csv";
        var first = await store.WriteAsync(path, Bytes([1]), WriteOptions.Default, CancellationToken.None);
        var second = await store.WriteAsync(path, Bytes([2]), WriteOptions.Default, CancellationToken.None);

        await FluentActions.Awaiting(() => store.OpenReadAsync(path, first.ETag, CancellationToken.None)).Should().ThrowAsync<ObjectChangedException>();
        await FluentActions.Awaiting(() => store.DeleteAsync(path, first.ETag, CancellationToken.None)).Should().ThrowAsync<ObjectChangedException>();
        (await ReadAllAsync(store, path, second.ETag)).Should().Equal([2]);
        (await store.DeleteAsync(path, second.ETag, CancellationToken.None)).Should().BeTrue();
        (await store.DeleteAsync(path, null, CancellationToken.None)).Should().BeFalse();
        await FluentActions.Awaiting(() => store.OpenReadAsync(path, null, CancellationToken.None)).Should().ThrowAsync<ObjectNotFoundException>();
    }

    [Fact]
    public async Task Copy_gives_the_destination_the_source_content_whole()
    {
        var store = Store(new AzureClientSettings { BlockSize = 16 * 1024 });
        var content = Enumerable.Range(0, 70_000).Select(i => (byte)(i % 253)).ToArray();
        var source = $"landing/{_run}/police/feb.csv";
        await store.WriteAsync(source, Bytes(content), WriteOptions.Default, CancellationToken.None);

        var copy = await store.CopyAsync(source, $"quarantine/{_run}/police/feb.csv", CancellationToken.None);

        copy.Length.Should().Be(content.Length);
        (await ReadAllAsync(store, copy.Path, copy.ETag)).Should().Equal(content);
        (await store.ListAsync($"quarantine/{_run}/", CancellationToken.None).SingleAsync()).ETag.Should().Be(copy.ETag);
        await FluentActions.Awaiting(() => store.CopyAsync($"landing/{_run}/police/none.csv", $"quarantine/{_run}/none.csv", CancellationToken.None))
            .Should().ThrowAsync<ObjectNotFoundException>();
    }

    [Fact]
    public async Task Names_needing_escapes_are_signed_and_round_trip()
    {
        var store = Store();
        var path = $"published/{_run}/kpi/v=1/a b+c'(1).csv";

        await store.WriteAsync(path, Bytes([5]), WriteOptions.Default, CancellationToken.None);

        (await store.ListAsync($"published/{_run}/kpi/", CancellationToken.None).SingleAsync()).Path.Should().Be(path);
        (await ReadAllAsync(store, path)).Should().Equal([5]);
    }

    [Fact]
    public async Task Transient_503s_are_retried_by_the_sdk_until_the_service_answers()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Azurite.BlobPort);
        var store = AzureStorage.ForEmulator(Azurite.ConnectionStringFor(proxy.Port, fixture.Azurite.TablePort, fixture.Azurite.QueuePort), TestHubs.QuickRetries()).ObjectStore();
        await store.GetAsync($"audit/{_run}/warm.txt", CancellationToken.None); // the containers exist before the faults start
        var failures = 3;
        proxy.Fault = _ => Interlocked.Decrement(ref failures) >= 0 ? 503 : null;

        var written = await store.WriteAsync($"audit/{_run}/retry.txt", Bytes([4, 2]), WriteOptions.Default, CancellationToken.None);

        proxy.Faults.Should().Be(3);
        written.Length.Should().Be(2);
        (await ReadAllAsync(store, written.Path, written.ETag)).Should().Equal([4, 2]);
    }

    [Fact]
    public async Task Storage_failing_past_the_retries_fails_as_one_line_naming_the_status()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Azurite.BlobPort);
        var store = AzureStorage.ForEmulator(Azurite.ConnectionStringFor(proxy.Port, fixture.Azurite.TablePort, fixture.Azurite.QueuePort), TestHubs.QuickRetries(maxRetries: 1)).ObjectStore();
        await store.GetAsync($"audit/{_run}/warm.txt", CancellationToken.None);
        proxy.Fault = _ => 500;

        var act = () => store.WriteAsync($"audit/{_run}/down.txt", Bytes([1]), WriteOptions.Default, CancellationToken.None);

        (await act.Should().ThrowAsync<IOException>()).Which.Message.Should().Contain("HTTP 500").And.NotContain("\n");
        proxy.Faults.Should().Be(2, "one try and one retry");
    }

    [Fact]
    public void Development_storage_connection_string_points_at_the_local_emulator()
    {
        var storage = AzureStorage.ForEmulator("UseDevelopmentStorage=true", new AzureClientSettings());

        storage.Blobs.AccountName.Should().Be(AzureStorage.DevelopmentAccount);
        storage.Blobs.Uri.Should().Be(new Uri("http://127.0.0.1:10000/devstoreaccount1"));
        storage.Tables.Uri.Host.Should().Be("127.0.0.1");
    }

    [Fact]
    public void Connection_string_for_a_real_account_is_refused_without_echoing_it()
    {
        var key = Convert.ToBase64String(Enumerable.Repeat((byte)7, 64).ToArray());

        var act = () => AzureStorage.ForEmulator($"DefaultEndpointsProtocol=https;AccountName=hubdata;AccountKey={key};EndpointSuffix=core.windows.net", new AzureClientSettings());

        act.Should().Throw<InvalidOperationException>()
            .Which.Message.Should().Contain(AzureNames.BlobServiceUriSetting).And.NotContain(key).And.NotContain("hubdata");
    }
}
