using Azure;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Audit;
using DataHub.Core.Pseudonymisation;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Moq;

namespace DataHub.Azure.Tests.KeyVault;

/// <summary>The audit key from its own Key Vault secret: versions from the vault, seals that verify only under it, and refusals that never show the material.</summary>
public sealed class KeyVaultAuditKeyProviderTests
{
    private static readonly byte[] Material = Enumerable.Range(7, 32).Select(i => (byte)i).ToArray();
    private readonly ManualClock _time = ManualClock.On(2026, 11, 22);
    private readonly Mock<SecretClient> _client = new(MockBehavior.Strict);

    private static Response<KeyVaultSecret> Secret(string version, string value)
    {
        var properties = SecretModelFactory.SecretProperties(
            id: new Uri($"https://hub-vault.vault.azure.net/secrets/{AzureNames.DefaultAuditKeySecretName}/{version}"),
            vaultUri: new Uri("https://hub-vault.vault.azure.net/"),
            name: AzureNames.DefaultAuditKeySecretName,
            version: version);
        return Response.FromValue(SecretModelFactory.KeyVaultSecret(properties, value), Mock.Of<Response>());
    }

    private void Returns(string? askedVersion, Response<KeyVaultSecret> answer) =>
        _client.Setup(c => c.GetSecretAsync(AzureNames.DefaultAuditKeySecretName, askedVersion, It.IsAny<CancellationToken>())).ReturnsAsync(answer);

    private KeyVaultAuditKeyProvider Provider() => new(_client.Object, AzureNames.DefaultAuditKeySecretName, _time);

    [Fact]
    public async Task Events_are_sealed_under_the_audit_secret_version_and_verify_only_under_that_material()
    {
        Returns(null, Secret("9f8e7d", Convert.ToBase64String(Material)));
        var provider = Provider();

        var sealedEvent = AuditChain.Seal(new AuditEntry(AuditKinds.Received, Partner: "police"), null, _time.GetUtcNow(), await provider.GetCurrentAsync(CancellationToken.None));

        sealedEvent.KeyVersion.Should().Be("9f8e7d");
        AuditChain.HasValidSeal(sealedEvent, await provider.GetVersionAsync("9f8e7d", CancellationToken.None)).Should().BeTrue();
        AuditChain.HasValidSeal(sealedEvent, new AuditKey("9f8e7d", Enumerable.Repeat((byte)1, 32).ToArray())).Should().BeFalse();

        // The current version is kept by its version id, so checking seals under it asks the vault nothing more.
        _client.Verify(c => c.GetSecretAsync(AzureNames.DefaultAuditKeySecretName, It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Malformed_audit_secret_is_key_unavailable_naming_the_secret_and_never_its_value()
    {
        const string Value = "not-base64-audit-material!";
        Returns(null, Secret("v1", Value));

        var thrown = await FluentActions.Awaiting(() => Provider().GetCurrentAsync(CancellationToken.None)).Should().ThrowAsync<KeyUnavailableException>();

        thrown.Which.Message.Should().Contain(AzureNames.DefaultAuditKeySecretName).And.Contain("not base64").And.NotContain(Value);
    }

    [Fact]
    public async Task Audit_secret_missing_from_the_vault_says_the_audit_key_is_unavailable()
    {
        _client.Setup(c => c.GetSecretAsync(AzureNames.DefaultAuditKeySecretName, null, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(404, "SecretNotFound"));

        await FluentActions.Awaiting(() => Provider().GetCurrentAsync(CancellationToken.None))
            .Should().ThrowAsync<KeyUnavailableException>().WithMessage("The audit key is unavailable: Key Vault has no secret 'datahub-audit-key'*");
    }
}
