using System.Globalization;
using Azure.Core;
using DataHub.Core.Hub;
using DataHub.Core.Protocols;
using DataHub.Core.Pseudonymisation;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using Microsoft.Extensions.Configuration;

namespace DataHub.Functions;

/// <summary>Reads the app settings (environment variables in Azure, local.settings.json under <c>func start</c>) into the hub's parts.</summary>
/// <remarks>A setting's name uses "__" for nesting, as app settings do; configuration reads it with ':'.</remarks>
internal sealed class HubSettings(IConfiguration configuration)
{
    /// <summary>The data storage account: the emulator's connection string, or identity-based Blob and Table endpoints.</summary>
    /// <exception cref="InvalidOperationException">Neither form is set; the message names the settings.</exception>
    public AzureStorage Storage(AzureClientSettings settings, Func<TokenCredential> credential) =>
        Value(AzureNames.StorageSetting) is { } connection
            ? AzureStorage.ForEmulator(connection, settings)
            : AzureStorage.WithCredential(
                new Uri(Required(AzureNames.BlobServiceUriSetting)),
                new Uri(Required(AzureNames.TableServiceUriSetting)),
                credential(),
                settings);

    /// <summary>The pseudonymisation key: Key Vault in Azure, a local key root for runs against Azurite.</summary>
    /// <exception cref="InvalidOperationException">No key is configured.</exception>
    public IKeyProvider Keys(TimeProvider time, AzureClientSettings settings, Func<TokenCredential> credential) =>
        Value(AzureNames.KeyVaultUriSetting) is { } vault
            ? KeyVaultKeyProvider.Create(new Uri(vault), Value(AzureNames.KeySecretNameSetting) ?? AzureNames.DefaultKeySecretName, credential(), time, settings)
            : Value(AzureNames.KeyRootSetting) is { } keyRoot
                ? new LocalKeyProvider(keyRoot)
                : throw new InvalidOperationException($"No pseudonymisation key is configured: set {AzureNames.KeyVaultUriSetting} (or, for local runs against Azurite, {AzureNames.KeyRootSetting}).");

    /// <summary>The protocols shipped with the app (its protocols/ folder unless the setting says otherwise).</summary>
    public ProtocolSet Protocols()
    {
        var folder = Value(AzureNames.ProtocolsSetting) ?? "protocols";
        return ProtocolFolder.Load(Path.IsPathRooted(folder) ? folder : Path.Combine(AppContext.BaseDirectory, folder));
    }

    /// <summary>Ingest tuning: the failed attempts after which a file is quarantined as poison.</summary>
    /// <exception cref="InvalidOperationException">The setting is not a whole number above zero.</exception>
    public IngestSettings Ingest()
    {
        var defaults = new IngestSettings();
        return Value(AzureNames.MaxAttemptsSetting) is not { } attempts
            ? defaults
            : defaults with
            {
                MaxFailedAttempts = int.TryParse(attempts, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw new InvalidOperationException($"{AzureNames.MaxAttemptsSetting} must be a whole number above zero."),
            };
    }

    private string? Value(string name) =>
        configuration[name.Replace("__", ":", StringComparison.Ordinal)] is { Length: > 0 } value ? value : null;

    private string Required(string name) =>
        Value(name) ?? throw new InvalidOperationException($"The app setting {name} is missing: set {AzureNames.BlobServiceUriSetting} and {AzureNames.TableServiceUriSetting} (in Azure), or {AzureNames.StorageSetting} to the emulator's connection string (locally).");
}
