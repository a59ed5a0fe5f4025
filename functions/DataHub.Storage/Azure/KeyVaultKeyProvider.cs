using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Storage.Azure;

/// <summary>
/// The pseudonymisation key from an Azure Key Vault secret: its value is the base64 key material (32+ bytes) and its
/// Key Vault version id is the key version stamped on every token. The current version is cached for a while
/// (rotation is picked up within that time); named versions never change, so they are cached for the process's life.
/// </summary>
public sealed class KeyVaultKeyProvider : IKeyProvider
{
    private readonly KeyVaultSecretKeys<PseudonymisationKey> _keys;

    /// <summary>Reads <paramref name="secretName"/> through <paramref name="client"/>, caching the current version for <paramref name="currentTtl"/> (default 5 minutes).</summary>
    public KeyVaultKeyProvider(SecretClient client, string secretName, TimeProvider time, TimeSpan? currentTtl = null) =>
        _keys = new(client, secretName, "pseudonymisation key", (version, material) => new PseudonymisationKey(version, material), time, currentTtl);

    /// <summary>A provider for a vault reached with <paramref name="credential"/> (managed identity in Azure), retrying and logging as <paramref name="settings"/> say.</summary>
    public static KeyVaultKeyProvider Create(Uri vaultUri, string secretName, TokenCredential credential, TimeProvider time, AzureClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new KeyVaultKeyProvider(settings.SecretClient(vaultUri, credential), secretName, time);
    }

    /// <inheritdoc />
    public Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken) => _keys.GetCurrentAsync(cancellationToken);

    /// <inheritdoc />
    public Task<PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken) => _keys.GetVersionAsync(version, cancellationToken);
}
