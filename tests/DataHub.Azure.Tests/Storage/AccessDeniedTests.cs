using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using DataHub.Core.Marts;
using DataHub.Core.Storage;
using DataHub.Storage.Azure;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Storage;

/// <summary>
/// A request the service refuses with HTTP 403 (the app's identity lacks its data role on a container; here a SAS without the
/// permission, which Azurite enforces) is the store contract's access denial, as a local folder the hub's user may not open
/// is: <see cref="ObjectUnreachableException"/> with <see cref="UnreachableCause.AccessDenied"/> naming the hub path, the role
/// to grant in its message, and never the SAS or a URL.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AccessDeniedTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private const string Role = "Storage Blob Data Owner";
    private static readonly AccountSasPermissions Everything = AccountSasPermissions.All;
    private readonly string _run = "d" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _written = [];

    public Task InitializeAsync() => Task.CompletedTask;

    // The Azurite is shared: what a test wrote (in landing, quarantine, secure) must not be found by another's sweep or retention.
    public async Task DisposeAsync()
    {
        foreach (var path in _written)
        {
            await FullStore().DeleteAsync(path, null, CancellationToken.None);
        }

        // A landing path made the partner container landing-{run}: left, it is one more (empty) partner in every landing listing.
        await new BlobServiceClient(fixture.Azurite.ConnectionString).GetBlobContainerClient(LandingContainers.For(_run)).DeleteIfExistsAsync();
    }

    private BlobObjectStore FullStore() => AzureStorage.ForEmulator(fixture.Azurite.ConnectionString, new AzureClientSettings()).ObjectStore();

    // The store as an identity allowed everything but what is taken away; its SAS, to look for in what it says.
    private (BlobObjectStore Store, string Sas) StoreWithout(AccountSasPermissions withheld)
    {
        var sas = new BlobServiceClient(fixture.Azurite.ConnectionString).GenerateAccountSasUri(Everything & ~withheld, DateTimeOffset.UtcNow.AddHours(1), AccountSasResourceTypes.All);
        return (new BlobObjectStore(new BlobServiceClient(sas), new AzureClientSettings()), sas.Query.TrimStart('?'));
    }

    private static void SaysNoSecret(Exception ex, string sas)
    {
        var said = ex.ToString();
        said.Should().NotContain(sas).And.NotContain("sig=").And.NotContain("?").And.NotContain("http", "a blob's URL may carry a SAS");
    }

    private async Task<string> WrittenAsync(string path)
    {
        await FullStore().WriteAsync(path, (s, ct) => s.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        _written.Add(path);
        return path;
    }

    [Fact]
    public async Task A_read_refused_with_403_is_access_denied_naming_the_hub_path_and_the_role_to_grant()
    {
        var path = await WrittenAsync($"secure/{_run}/quarter=2018Q1/b.1.parquet");
        var (store, sas) = StoreWithout(AccountSasPermissions.Read);

        var properties = await store.Invoking(s => s.GetAsync(path, CancellationToken.None)).Should().ThrowAsync<ObjectUnreachableException>();
        var opened = await store.Invoking(s => s.OpenReadAsync(path, null, CancellationToken.None)).Should().ThrowAsync<ObjectUnreachableException>();

        foreach (var denied in new[] { properties.Which, opened.Which })
        {
            denied.Cause.Should().Be(UnreachableCause.AccessDenied);
            denied.Path.Should().Be(path);
            denied.Message.Should().Contain(Role).And.Contain("'secure'").And.Contain("HTTP 403 Authorization", "the runbook's checks go by the service's code")
                .And.NotContain("chmod").And.NotContain(path, "the message names no path: a landing path may name a person");
            SaysNoSecret(denied, sas);
        }
    }

    [Fact]
    public async Task A_landing_read_refused_with_403_names_the_landing_path_not_the_partner_container_form()
    {
        var path = await WrittenAsync($"landing/{_run}/police-da-incidents/jan.csv");
        var (store, sas) = StoreWithout(AccountSasPermissions.Read);

        var denied = (await store.Invoking(s => s.GetAsync(path, CancellationToken.None)).Should().ThrowAsync<ObjectUnreachableException>()).Which;

        denied.Cause.Should().Be(UnreachableCause.AccessDenied);
        denied.Path.Should().Be(path);
        denied.Message.Should().Contain($"'landing-{_run}'", "the role is granted on the partner's own container").And.NotContain("jan.csv");
        SaysNoSecret(denied, sas);
    }

    [Fact]
    public async Task A_listing_refused_with_403_is_access_denied_naming_the_prefix_never_an_empty_listing()
    {
        await WrittenAsync($"secure/{_run}/_batches/b.json");
        var (store, sas) = StoreWithout(AccountSasPermissions.List);
        var prefix = $"secure/{_run}/_batches";

        var denied = (await store.Invoking(s => s.ListAsync(prefix, CancellationToken.None).ToListAsync().AsTask()).Should().ThrowAsync<ObjectUnreachableException>()).Which;

        denied.Cause.Should().Be(UnreachableCause.AccessDenied);
        denied.Path.Should().Be(prefix);
        denied.Message.Should().Contain(Role).And.Contain("'secure'");
        SaysNoSecret(denied, sas);
    }

    [Fact]
    public async Task A_delete_refused_with_403_is_access_denied_and_the_object_is_left()
    {
        var path = await WrittenAsync($"quarantine/{_run}/x.csv");
        var (store, sas) = StoreWithout(AccountSasPermissions.Delete);

        var denied = (await store.Invoking(s => s.DeleteAsync(path, null, CancellationToken.None)).Should().ThrowAsync<ObjectUnreachableException>()).Which;

        denied.Cause.Should().Be(UnreachableCause.AccessDenied);
        denied.Path.Should().Be(path);
        denied.Message.Should().Contain(Role).And.Contain("'quarantine'");
        SaysNoSecret(denied, sas);
        (await FullStore().GetAsync(path, CancellationToken.None)).Should().NotBeNull("a refused delete is not taken for nothing there");
    }

    [Theory]
    [InlineData(403, "AuthorizationPermissionMismatch", true)]
    [InlineData(403, "AuthorizationFailure", true)]
    [InlineData(403, "AuthorizationResourceTypeMismatch", true)]
    [InlineData(403, "AuthorizationSourceIPMismatch", true)]
    [InlineData(403, "AuthorizationProtocolMismatch", true)]
    [InlineData(403, "AuthorizationServiceMismatch", true)]
    [InlineData(403, "InsufficientAccountPermissions", false)]
    [InlineData(403, null, false)]
    [InlineData(403, "AuthenticationFailed", false)]
    [InlineData(403, "AccountIsDisabled", false)]
    [InlineData(403, "KeyBasedAuthenticationNotPermitted", false)]
    [InlineData(404, "BlobNotFound", false)]
    [InlineData(409, "ContainerBeingDeleted", false)]
    public void Only_a_403_refusing_authorisation_on_the_object_is_access_denied_not_one_of_the_whole_account(int status, string? code, bool denied)
    {
        // On Azure a bad signature or expired token is 403 AuthenticationFailed, and a disabled account or one refusing shared
        // keys fails every request alike: no object's access is at fault, and it stays a storage failure. A 403 with no code
        // says neither. (Azurite answers AuthorizationFailure for a bad signature, so these are pinned here.)
        StorageFailure.IsAccessDenied(new global::Azure.RequestFailedException(status, "refused", code, null)).Should().Be(denied);
    }

    [Theory]
    [InlineData("landing/police/police-da-incidents/Jane Plomquist 1990-04-05.csv")]
    [InlineData("landing/_shared/Jane Plomquist/jan.csv")]
    [InlineData("quarantine/police/police-da-incidents/Jane Plomquist 1990-04-05.csv")]
    [InlineData("landing-police/Jane Plomquist/")]
    public void A_storage_failure_on_a_partners_file_names_its_container_never_the_file(string path)
    {
        // The SDK's own message may quote the request (the blob's name in its URL): it is not carried along either.
        var failure = new global::Azure.RequestFailedException(500, $"Service request failed for '{path}'.", "InternalError", null);

        var said = StorageFailure.For(failure, "delete", path);

        said.Message.Should().Contain("HTTP 500 InternalError").And.Contain(path.Split('/')[0]);
        said.ToString().Should().NotContain("Plomquist").And.NotContain("Jane");
    }

    [Fact]
    public void A_storage_failure_on_a_hub_file_still_names_it()
    {
        var said = StorageFailure.For(new global::Azure.RequestFailedException(500, "refused", "InternalError", null), "write", "secure/police-da-incidents/quarter=2018Q1/b.1.parquet");

        said.Message.Should().Contain("'secure/police-da-incidents/quarter=2018Q1/b.1.parquet'");
    }

    [Fact]
    public async Task The_mart_catalogue_takes_a_manifests_folder_it_may_not_list_for_damage_and_says_which_role_to_grant()
    {
        // As for a local manifests folder the hub's user may not open: the feed is damaged, never empty (or clean-up would
        // take every quarter file for uncommitted and the rollup would publish without the feed), and the advice fits Azure.
        await WrittenAsync($"secure/{_run}/{MartManifest.Folder}/b.json");
        var (store, sas) = StoreWithout(AccountSasPermissions.List);
        var folder = $"secure/{_run}/{MartManifest.Folder}";

        var damaged = (await new MartCatalog(store).Invoking(c => c.CommittedAsync(_run, CancellationToken.None)).Should().ThrowAsync<DamagedManifestException>()).Which;

        damaged.Path.Should().Be(folder);
        damaged.Message.Should().Contain($"'{folder}' is a batch manifests folder the hub's user cannot open").And.Contain(Role).And.Contain("A folder or file the hub cannot open").And.NotContain("chmod");
        SaysNoSecret(damaged, sas);
    }

    [Fact]
    public async Task The_mart_catalogue_takes_a_manifest_it_may_not_read_for_damage_never_for_withdrawn()
    {
        var manifest = await WrittenAsync($"secure/{_run}/{MartManifest.Folder}/b.json");
        var (store, sas) = StoreWithout(AccountSasPermissions.Read);

        var damaged = (await new MartCatalog(store).Invoking(c => c.CommittedAsync(_run, CancellationToken.None)).Should().ThrowAsync<DamagedManifestException>()).Which;

        damaged.Path.Should().Be(manifest);
        damaged.Message.Should().Contain("cannot be opened by the hub's user").And.Contain(Role).And.NotContain("chmod");
        SaysNoSecret(damaged, sas);
    }
}
