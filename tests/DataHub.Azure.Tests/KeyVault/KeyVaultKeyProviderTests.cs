using Azure;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Pseudonymisation;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Moq;

namespace DataHub.Azure.Tests.KeyVault;

public sealed class KeyVaultKeyProviderTests
{
    private const string SecretName = "datahub-pseudonymisation-key";
    private static readonly byte[] MaterialV1 = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] MaterialV2 = Enumerable.Range(101, 48).Select(i => (byte)i).ToArray();
    private readonly ManualClock _time = new(new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly Mock<SecretClient> _client = new(MockBehavior.Strict);

    private static Response<KeyVaultSecret> Secret(string version, byte[] material, bool enabled = true)
    {
        var properties = SecretModelFactory.SecretProperties(
            id: new Uri($"https://hub-vault.vault.azure.net/secrets/{SecretName}/{version}"),
            vaultUri: new Uri("https://hub-vault.vault.azure.net/"),
            name: SecretName,
            version: version);
        properties.Enabled = enabled;
        return Response.FromValue(SecretModelFactory.KeyVaultSecret(properties, Convert.ToBase64String(material)), Mock.Of<Response>());
    }

    private void Returns(string? askedVersion, Response<KeyVaultSecret> answer) =>
        _client.Setup(c => c.GetSecretAsync(SecretName, askedVersion, It.IsAny<CancellationToken>())).ReturnsAsync(answer);

    private KeyVaultKeyProvider Provider() => new(_client.Object, SecretName, _time, TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Current_key_carries_the_secret_version_and_its_material()
    {
        Returns(null, Secret("a1b2c3", MaterialV1));

        var key = await Provider().GetCurrentAsync(CancellationToken.None);

        key.Version.Should().Be("a1b2c3");
        key.Material.ToArray().Should().Equal(MaterialV1);
        key.ToString().Should().NotContain(Convert.ToBase64String(MaterialV1));
    }

    [Fact]
    public async Task Current_key_is_cached_until_its_time_to_live_passes_then_rotation_is_seen()
    {
        Returns(null, Secret("v1", MaterialV1));
        var provider = Provider();
        (await provider.GetCurrentAsync(CancellationToken.None)).Version.Should().Be("v1");
        Returns(null, Secret("v2", MaterialV2));

        _time.Advance(TimeSpan.FromMinutes(4));
        var stillCached = await provider.GetCurrentAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(2));
        var rotated = await provider.GetCurrentAsync(CancellationToken.None);

        stillCached.Version.Should().Be("v1");
        rotated.Version.Should().Be("v2");
        rotated.Material.ToArray().Should().Equal(MaterialV2);
        _client.Verify(c => c.GetSecretAsync(SecretName, null, It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task Named_versions_are_read_once_and_kept()
    {
        Returns("v1", Secret("v1", MaterialV1));
        var provider = Provider();

        var first = await provider.GetVersionAsync("v1", CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(30));
        var again = await provider.GetVersionAsync("v1", CancellationToken.None);

        first.Material.ToArray().Should().Equal(MaterialV1);
        again.Should().BeSameAs(first);
        _client.Verify(c => c.GetSecretAsync(SecretName, "v1", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Unreachable_vault_is_a_clear_key_unavailable_error()
    {
        _client.Setup(c => c.GetSecretAsync(SecretName, null, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(503, "Service Unavailable"));

        var act = () => Provider().GetCurrentAsync(CancellationToken.None);

        (await act.Should().ThrowAsync<KeyUnavailableException>())
            .WithMessage("*Key Vault could not be reached*" + SecretName + "*");
    }

    [Fact]
    public async Task Network_failure_is_a_key_unavailable_error()
    {
        _client.Setup(c => c.GetSecretAsync(SecretName, null, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpRequestException("Connection refused"));

        await FluentActions.Awaiting(() => Provider().GetCurrentAsync(CancellationToken.None))
            .Should().ThrowAsync<KeyUnavailableException>().WithMessage("*could not be reached*");
    }

    [Fact]
    public async Task Missing_version_names_the_version_not_the_material()
    {
        _client.Setup(c => c.GetSecretAsync(SecretName, "gone", It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(404, "SecretNotFound"));

        await FluentActions.Awaiting(() => Provider().GetVersionAsync("gone", CancellationToken.None))
            .Should().ThrowAsync<KeyUnavailableException>().WithMessage("*version 'gone'*");
    }

    [Fact]
    public async Task Short_or_disabled_secrets_are_refused()
    {
        Returns("short", Secret("short", new byte[16]));
        Returns("off", Secret("off", MaterialV1, enabled: false));
        var provider = Provider();

        await FluentActions.Awaiting(() => provider.GetVersionAsync("short", CancellationToken.None))
            .Should().ThrowAsync<KeyUnavailableException>().WithMessage("*fewer than 32 bytes*");
        await FluentActions.Awaiting(() => provider.GetVersionAsync("off", CancellationToken.None))
            .Should().ThrowAsync<KeyUnavailableException>().WithMessage("*disabled*");
    }

    [Fact]
    public async Task Denied_access_names_the_role_the_identity_needs()
    {
        _client.Setup(c => c.GetSecretAsync(SecretName, null, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(403, "Forbidden"));

        await FluentActions.Awaiting(() => Provider().GetCurrentAsync(CancellationToken.None))
            .Should().ThrowAsync<KeyUnavailableException>().WithMessage("*Key Vault Secrets User*");
    }
}
