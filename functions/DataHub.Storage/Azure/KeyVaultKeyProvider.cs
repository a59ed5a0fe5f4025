using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Identity;
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
    private readonly SecretClient _client;
    private readonly string _secretName;
    private readonly TimeProvider _time;
    private readonly TimeSpan _currentTtl;
    private readonly ConcurrentDictionary<string, PseudonymisationKey> _versions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (PseudonymisationKey Key, DateTimeOffset Until)? _current;

    /// <summary>Reads <paramref name="secretName"/> through <paramref name="client"/>, caching the current version for <paramref name="currentTtl"/> (default 5 minutes).</summary>
    public KeyVaultKeyProvider(SecretClient client, string secretName, TimeProvider time, TimeSpan? currentTtl = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _secretName = secretName;
        _time = time;
        _currentTtl = currentTtl ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>A provider for a vault reached with <paramref name="credential"/> (managed identity in Azure), retrying and logging as <paramref name="settings"/> say.</summary>
    public static KeyVaultKeyProvider Create(Uri vaultUri, string secretName, TokenCredential credential, TimeProvider time, AzureClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // Content logging stays off (Configure): a secret's value must never reach a log.
        return new KeyVaultKeyProvider(new SecretClient(vaultUri, credential, settings.Configure(new SecretClientOptions())), secretName, time);
    }

    /// <inheritdoc />
    public async Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken)
    {
        if (_current is { } cached && _time.GetUtcNow() < cached.Until)
        {
            return cached.Key;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } again && _time.GetUtcNow() < again.Until)
            {
                return again.Key;
            }

            var key = await FetchAsync(null, cancellationToken).ConfigureAwait(false);
            _versions.TryAdd(key.Version, key);
            _current = (key, _time.GetUtcNow() + _currentTtl);
            return key;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <inheritdoc />
    public async Task<PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (_versions.TryGetValue(version, out var cached))
        {
            return cached;
        }

        var key = await FetchAsync(version, cancellationToken).ConfigureAwait(false);
        return _versions.GetOrAdd(key.Version, key);
    }

    private async Task<PseudonymisationKey> FetchAsync(string? version, CancellationToken cancellationToken)
    {
        var which = version is null ? $"secret '{_secretName}' (current version)" : $"secret '{_secretName}' version '{version}'";
        KeyVaultSecret secret;
        try
        {
            secret = (await _client.GetSecretAsync(_secretName, version, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new KeyUnavailableException($"The pseudonymisation key is unavailable: Key Vault has no {which}.", ex);
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403)
        {
            throw new KeyUnavailableException($"The pseudonymisation key is unavailable: Key Vault refused to read {which} (HTTP {ex.Status}); the app's identity needs the Key Vault Secrets User role.", ex);
        }
        catch (RequestFailedException ex)
        {
            throw new KeyUnavailableException($"The pseudonymisation key is unavailable: Key Vault could not be reached for {which} (HTTP {ex.Status}). Nothing was pseudonymised or written; the file will be retried.", ex);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new KeyUnavailableException($"The pseudonymisation key is unavailable: no credential could sign in to Key Vault to read {which}.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new KeyUnavailableException($"The pseudonymisation key is unavailable: Key Vault could not be reached for {which}. Nothing was pseudonymised or written; the file will be retried.", ex);
        }

        if (secret.Properties.Enabled == false)
        {
            throw new KeyUnavailableException($"The pseudonymisation key is unavailable: {which} is disabled in Key Vault.");
        }

        var label = secret.Properties.Version;
        if (string.IsNullOrEmpty(label))
        {
            throw new KeyUnavailableException($"The pseudonymisation key is unavailable: Key Vault returned {which} without a version.");
        }

        byte[] material;
        try
        {
            material = Convert.FromBase64String(secret.Value ?? string.Empty);
        }
        catch (FormatException)
        {
            throw new KeyUnavailableException($"The pseudonymisation key is unusable: {which} is not base64 key material.");
        }

        try
        {
            if (material.Length < 32)
            {
                throw new KeyUnavailableException($"The pseudonymisation key is unusable: {which} holds fewer than 32 bytes of key material.");
            }

            return new PseudonymisationKey(label, material);
        }
        finally
        {
            Array.Clear(material);
        }
    }
}
