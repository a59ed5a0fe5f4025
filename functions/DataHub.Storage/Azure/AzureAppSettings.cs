using Azure.Core;
using DataHub.Core.Audit;
using DataHub.Core.Pseudonymisation;
using DataHub.Storage.Local;

namespace DataHub.Storage.Azure;

/// <summary>
/// The Azure hub's storage and keys from its app settings (<see cref="AzureNames"/>), read one way by the Function App
/// (its configuration) and by `datahub audit … --azure` (the operator's environment).
/// </summary>
/// <param name="value">The value of a setting by its app-setting name ("__" for nesting), or null when it is not set.</param>
public sealed class AzureAppSettings(Func<string, string?> value)
{
    /// <summary>The data storage account: the emulator's connection string, or identity-based Blob and Table endpoints (and Queue, when set).</summary>
    /// <exception cref="InvalidOperationException">Neither form is set; the message names the settings.</exception>
    public AzureStorage Storage(AzureClientSettings settings, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return Value(AzureNames.StorageSetting) is { } connection
            ? AzureStorage.ForEmulator(connection, settings)
            : AzureStorage.WithCredential(
                new Uri(Required(AzureNames.BlobServiceUriSetting)),
                new Uri(Required(AzureNames.TableServiceUriSetting)),
                credential(),
                settings,
                Value(AzureNames.QueueServiceUriSetting) is { } queues ? new Uri(queues) : null);
    }

    /// <summary>The pseudonymisation key: Key Vault in Azure, a local key root for runs against Azurite.</summary>
    /// <exception cref="InvalidOperationException">No key is configured.</exception>
    public IKeyProvider Keys(TimeProvider time, AzureClientSettings settings, Func<TokenCredential> credential) =>
        Key<IKeyProvider>(
            "pseudonymisation key",
            credential,
            (vault, signIn) => KeyVaultKeyProvider.Create(vault, Value(AzureNames.KeySecretNameSetting) ?? AzureNames.DefaultKeySecretName, signIn, time, settings),
            keyRoot => new LocalKeyProvider(keyRoot));

    /// <summary>The audit key, from its own secret in the same Key Vault, or the local key root's audit key for runs against Azurite.</summary>
    /// <exception cref="InvalidOperationException">No key is configured.</exception>
    public IAuditKeyProvider AuditKeys(TimeProvider time, AzureClientSettings settings, Func<TokenCredential> credential) =>
        Key<IAuditKeyProvider>(
            "audit key",
            credential,
            (vault, signIn) => KeyVaultAuditKeyProvider.Create(vault, Value(AzureNames.AuditKeySecretNameSetting) ?? AzureNames.DefaultAuditKeySecretName, signIn, time, settings),
            keyRoot => new LocalAuditKeyProvider(keyRoot));

    /// <summary>A setting's value, or null when it is unset or empty.</summary>
    public string? Value(string name) => value(name) is { Length: > 0 } text ? text : null;

    /// <summary>One rule for both keys: Key Vault when its URI is set, else the local key root, else a message naming both settings.</summary>
    private T Key<T>(string which, Func<TokenCredential> credential, Func<Uri, TokenCredential, T> fromVault, Func<string, T> fromKeyRoot)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return Value(AzureNames.KeyVaultUriSetting) is { } vault
            ? fromVault(new Uri(vault), credential())
            : Value(AzureNames.KeyRootSetting) is { } keyRoot
                ? fromKeyRoot(keyRoot)
                : throw new InvalidOperationException($"No {which} is configured: set {AzureNames.KeyVaultUriSetting} (or, for local runs against Azurite, {AzureNames.KeyRootSetting}).");
    }

    private string Required(string name) =>
        Value(name) ?? throw new InvalidOperationException($"The app setting {name} is missing: set {AzureNames.BlobServiceUriSetting} and {AzureNames.TableServiceUriSetting} (in Azure), or {AzureNames.StorageSetting} to the emulator's connection string (locally).");
}
