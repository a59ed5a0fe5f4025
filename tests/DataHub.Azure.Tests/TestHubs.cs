using DataHub.Core.Hub;
using DataHub.Host.Embedded;
using DataHub.Host.Functions;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Azure.Tests;

/// <summary>The two hosts' compositions as the tests use them: embedded (local folders) and Azure (Azurite via app settings).</summary>
internal static class TestHubs
{
    public static string Protocols => Path.Combine(RepoPaths.Root, "functions", "protocols");

    /// <summary>An embedded root with its key files (created when missing), as `datahub key init` makes.</summary>
    public static EmbeddedHub Embedded(string root, TimeProvider time)
    {
        if (!LocalKeyProvider.Exists(root))
        {
            LocalKeyProvider.Create(root);
        }

        if (!LocalAuditKeyProvider.Exists(root))
        {
            LocalAuditKeyProvider.Create(root);
        }

        return EmbeddedHub.Open(root, Protocols, time);
    }

    /// <summary>The Azure composition over Azurite, reading the key from <paramref name="keyRoot"/> (the same key as an embedded root's).</summary>
    public static HubContext Azure(string connectionString, string keyRoot, TimeProvider time, StorageClientOptions? options = null, int? maxAttempts = null)
    {
        if (!LocalKeyProvider.Exists(keyRoot))
        {
            LocalKeyProvider.Create(keyRoot);
        }

        var settings = new Dictionary<string, string>
        {
            [AzureNames.StorageSetting] = connectionString,
            [AzureNames.KeyRootSetting] = keyRoot,
            [AzureNames.ProtocolsSetting] = Protocols,
        };
        if (maxAttempts is { } n)
        {
            settings[AzureNames.MaxAttemptsSetting] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return AzureHub.Open(name => settings.GetValueOrDefault(name), time, storageOptions: options);
    }

    /// <summary>Storage options with short retry delays, so fault tests stay quick.</summary>
    public static StorageClientOptions QuickRetries(TimeProvider time, int maxRetries = 3)
    {
        var options = new StorageClientOptions { Time = time };
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }
}
