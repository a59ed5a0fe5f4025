using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Storage.Azure;

/// <summary>
/// A key kept as a Key Vault secret, shared by the pseudonymisation and audit keys: its value is base64 key material
/// (<see cref="KeyMaterial.Decode"/>) and its Key Vault version id is the key's version. The current version is cached
/// for a while (rotation is picked up within that time); named versions never change, so they are kept for the process's life.
/// </summary>
/// <typeparam name="TKey">The key type made from a version and its material.</typeparam>
internal sealed class KeyVaultSecretKeys<TKey>
    where TKey : class
{
    private readonly SecretClient _client;
    private readonly string _secretName;
    private readonly string _label;
    private readonly Func<string, byte[], TKey> _make;
    private readonly TimeProvider _time;
    private readonly TimeSpan _currentTtl;
    private readonly ConcurrentDictionary<string, TKey> _versions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (TKey Key, string Version, DateTimeOffset Until)? _current;

    /// <summary>Reads <paramref name="secretName"/>; <paramref name="label"/> names the key in messages ("pseudonymisation key").</summary>
    public KeyVaultSecretKeys(SecretClient client, string secretName, string label, Func<string, byte[], TKey> make, TimeProvider time, TimeSpan? currentTtl)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _secretName = secretName;
        _label = label;
        _make = make;
        _time = time;
        _currentTtl = currentTtl ?? TimeSpan.FromMinutes(5);
    }

    public async Task<TKey> GetCurrentAsync(CancellationToken cancellationToken)
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

            var (version, key) = await FetchAsync(null, cancellationToken).ConfigureAwait(false);
            _versions.TryAdd(version, key);
            _current = (key, version, _time.GetUtcNow() + _currentTtl);
            return key;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public async Task<TKey> GetVersionAsync(string version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (_versions.TryGetValue(version, out var cached))
        {
            return cached;
        }

        var (label, key) = await FetchAsync(version, cancellationToken).ConfigureAwait(false);
        return _versions.GetOrAdd(label, key);
    }

    private async Task<(string Version, TKey Key)> FetchAsync(string? version, CancellationToken cancellationToken)
    {
        var which = version is null ? $"secret '{_secretName}' (current version)" : $"secret '{_secretName}' version '{version}'";
        var unavailable = $"The {_label} is unavailable:";
        KeyVaultSecret secret;
        try
        {
            secret = (await _client.GetSecretAsync(_secretName, version, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new KeyUnavailableException($"{unavailable} Key Vault has no {which}.", ex);
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403)
        {
            throw new KeyUnavailableException($"{unavailable} Key Vault refused to read {which} (HTTP {ex.Status}); the identity needs the Key Vault Secrets User role.", ex);
        }
        catch (RequestFailedException ex)
        {
            throw new KeyUnavailableException($"{unavailable} Key Vault could not be reached for {which} (HTTP {ex.Status}). Nothing was written (an ingest is retried).", ex);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new KeyUnavailableException($"{unavailable} no credential could sign in to Key Vault to read {which}.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new KeyUnavailableException($"{unavailable} Key Vault could not be reached for {which}. Nothing was written (an ingest is retried).", ex);
        }

        if (secret.Properties.Enabled == false)
        {
            throw new KeyUnavailableException($"{unavailable} {which} is disabled in Key Vault.");
        }

        var label = secret.Properties.Version;
        if (string.IsNullOrEmpty(label))
        {
            throw new KeyUnavailableException($"{unavailable} Key Vault returned {which} without a version.");
        }

        var material = KeyMaterial.Decode(secret.Value, $"Key Vault {which}");
        try
        {
            return (label, _make(label, material));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
