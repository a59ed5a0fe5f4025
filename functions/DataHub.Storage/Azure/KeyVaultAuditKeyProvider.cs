using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Audit;

namespace DataHub.Storage.Azure;

/// <summary>
/// The audit key from its own Key Vault secret (never the pseudonymisation key's): base64 key material, its Key Vault
/// version id recorded in every event it seals. Fetched and cached as <see cref="KeyVaultKeyProvider"/> does.
/// </summary>
public sealed class KeyVaultAuditKeyProvider : IAuditKeyProvider
{
    private readonly KeyVaultSecretKeys<AuditKey> _keys;

    /// <summary>Reads <paramref name="secretName"/> through <paramref name="client"/>, caching the current version for <paramref name="currentTtl"/> (default 5 minutes).</summary>
    public KeyVaultAuditKeyProvider(SecretClient client, string secretName, TimeProvider time, TimeSpan? currentTtl = null) =>
        _keys = new(client, secretName, "audit key", (version, material) => new AuditKey(version, material), time, currentTtl);

    /// <summary>A provider for a vault reached with <paramref name="credential"/>, retrying and logging as <paramref name="settings"/> say.</summary>
    public static KeyVaultAuditKeyProvider Create(Uri vaultUri, string secretName, TokenCredential credential, TimeProvider time, AzureClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new KeyVaultAuditKeyProvider(settings.SecretClient(vaultUri, credential), secretName, time);
    }

    /// <inheritdoc />
    public Task<AuditKey> GetCurrentAsync(CancellationToken cancellationToken) => _keys.GetCurrentAsync(cancellationToken);

    /// <inheritdoc />
    public Task<AuditKey> GetVersionAsync(string version, CancellationToken cancellationToken) => _keys.GetVersionAsync(version, cancellationToken);
}
