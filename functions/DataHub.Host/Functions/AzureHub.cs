using System.Globalization;
using Azure.Core;
using Azure.Identity;
using DataHub.Core.Hub;
using DataHub.Core.Pseudonymisation;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Functions;

/// <summary>
/// Composes the <see cref="HubContext"/> the custom handler runs on, from app settings (<see cref="AzureNames"/>):
/// Blob and Table adapters (connection string, or managed identity with service URIs), the Key Vault key
/// (or a local key root for Azurite runs), the protocols shipped with the app, the clock and logging.
/// </summary>
public static class AzureHub
{
    /// <summary>Builds the context. <paramref name="setting"/> reads an app setting (environment variables in Azure).</summary>
    /// <exception cref="InvalidOperationException">A required setting is missing; the message names it.</exception>
    public static HubContext Open(Func<string, string?> setting, TimeProvider time, ILoggerFactory? logging = null, TokenCredential? credential = null, AzureClientSettings? clientSettings = null)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(time);
        var settings = clientSettings ?? new AzureClientSettings { Logging = logging };
        TokenCredential Credential() => credential ??= new DefaultAzureCredential();

        var storage = Value(setting, AzureNames.StorageSetting) is { } connection
            ? AzureStorage.ForEmulator(connection, settings)
            : AzureStorage.WithCredential(
                new Uri(Required(setting, AzureNames.BlobServiceUriSetting)),
                new Uri(Required(setting, AzureNames.TableServiceUriSetting)),
                Credential(),
                settings);

        IKeyProvider keys = Value(setting, AzureNames.KeyVaultUriSetting) is { } vault
            ? KeyVaultKeyProvider.Create(new Uri(vault), Value(setting, AzureNames.KeySecretNameSetting) ?? AzureNames.DefaultKeySecretName, Credential(), time, settings)
            : Value(setting, AzureNames.KeyRootSetting) is { } keyRoot
                ? new LocalKeyProvider(keyRoot)
                : throw new InvalidOperationException($"No pseudonymisation key is configured: set {AzureNames.KeyVaultUriSetting} (or, for local runs, {AzureNames.KeyRootSetting}).");

        var protocolsFolder = Value(setting, AzureNames.ProtocolsSetting) ?? "protocols";
        if (!Path.IsPathRooted(protocolsFolder))
        {
            protocolsFolder = Path.Combine(AppContext.BaseDirectory, protocolsFolder);
        }

        var context = new HubContext(
            storage.ObjectStore(),
            storage.AuditLog(time),
            storage.Receipts(),
            keys,
            ProtocolFolder.Load(protocolsFolder),
            time,
            logging)
        {
            // The function host's local temp disk.
            Scratch = new LocalScratchSpace(),
        };
        if (Value(setting, AzureNames.MaxAttemptsSetting) is { } attempts)
        {
            context = context with
            {
                Ingest = context.Ingest with
                {
                    MaxFailedAttempts = int.TryParse(attempts, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                        ? n
                        : throw new InvalidOperationException($"{AzureNames.MaxAttemptsSetting} must be a whole number above zero."),
                },
            };
        }

        return context;
    }

    private static string? Value(Func<string, string?> setting, string name) =>
        setting(name) is { Length: > 0 } value ? value : null;

    private static string Required(Func<string, string?> setting, string name) =>
        Value(setting, name) ?? throw new InvalidOperationException($"The app setting {name} is missing: set {AzureNames.StorageSetting} (a connection string) or the {AzureNames.StorageSetting}__blobServiceUri / __tableServiceUri pair.");
}
