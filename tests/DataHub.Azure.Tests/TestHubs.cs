using DataHub.Core.Hub;
using DataHub.Host.Embedded;
using DataHub.Host.Functions;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using DataHub.Testing;
using Microsoft.Extensions.Logging;

namespace DataHub.Azure.Tests;

/// <summary>The two hosts' compositions as the tests use them: embedded (local folders) and Azure (Azurite via app settings).</summary>
internal static class TestHubs
{
    public static string Protocols => Path.Combine(RepoPaths.Root, "functions", "protocols");

    /// <summary>An embedded root with a key file (created when missing), as `datahub key init` makes.</summary>
    public static EmbeddedHub Embedded(string root, TimeProvider time)
    {
        if (!LocalKeyProvider.Exists(root))
        {
            LocalKeyProvider.Create(root);
        }

        return EmbeddedHub.Open(root, Protocols, time);
    }

    /// <summary>The Azure composition over Azurite, reading the key from <paramref name="keyRoot"/> (the same key as an embedded root's).</summary>
    public static HubContext Azure(string connectionString, string keyRoot, TimeProvider time, AzureClientSettings? settings = null, int? maxAttempts = null, ILoggerFactory? logging = null)
    {
        if (!LocalKeyProvider.Exists(keyRoot))
        {
            LocalKeyProvider.Create(keyRoot);
        }

        var values = new Dictionary<string, string>
        {
            [AzureNames.StorageSetting] = connectionString,
            [AzureNames.KeyRootSetting] = keyRoot,
            [AzureNames.ProtocolsSetting] = Protocols,
        };
        if (maxAttempts is { } n)
        {
            values[AzureNames.MaxAttemptsSetting] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return AzureHub.Open(name => values.GetValueOrDefault(name), time, logging, clientSettings: settings);
    }

    /// <summary>Client settings with short retry delays, so fault tests stay quick.</summary>
    public static AzureClientSettings QuickRetries(int maxRetries = 3) => new()
    {
        MaxRetries = maxRetries,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        NetworkTimeout = TimeSpan.FromSeconds(10),
    };
}
