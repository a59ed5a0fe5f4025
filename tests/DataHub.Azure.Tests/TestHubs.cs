using Azure;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Hub;
using DataHub.Core.Pseudonymisation;
using DataHub.Functions;
using DataHub.Host.Embedded;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using DataHub.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;

namespace DataHub.Azure.Tests;

/// <summary>The two hosts' compositions as the tests use them: embedded (local folders) and the Function App's (Azurite via app settings).</summary>
internal static class TestHubs
{
    public static string Protocols => Path.Combine(RepoPaths.Root, "functions", "protocols");

    /// <summary>An embedded root with its key files (created when missing), as `datahub key init` makes.</summary>
    public static EmbeddedHub Embedded(string root, TimeProvider time)
    {
        Keys(root);
        return EmbeddedHub.Open(root, Protocols, time);
    }

    /// <summary>The Function App's key provider over a Key Vault that answers every read with 503 (an outage).</summary>
    public static IKeyProvider UnreachableKeyVault(TimeProvider time)
    {
        var secrets = new Mock<SecretClient>(MockBehavior.Strict);
        secrets.Setup(c => c.GetSecretAsync(It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(503, "Service Unavailable"));
        return new KeyVaultKeyProvider(secrets.Object, AzureNames.DefaultKeySecretName, time);
    }

    /// <summary>Creates the pseudonymisation and audit key files under <paramref name="keyRoot"/> when missing, as `datahub key init` does.</summary>
    public static string Keys(string keyRoot)
    {
        if (!LocalKeyProvider.Exists(keyRoot))
        {
            LocalKeyProvider.Create(keyRoot);
        }

        if (!LocalAuditKeyProvider.Exists(keyRoot))
        {
            LocalAuditKeyProvider.Create(keyRoot);
        }

        return keyRoot;
    }

    /// <summary>
    /// The Function App's services over Azurite, registered by the same <see cref="HubServices.AddDataHub"/> Program.cs calls,
    /// from app settings as local.settings.json gives them; the keys come from <paramref name="keyRoot"/> (an embedded root's).
    /// </summary>
    public static ServiceProvider FunctionApp(
        string connectionString,
        string keyRoot,
        TimeProvider time,
        AzureClientSettings? settings = null,
        int? maxAttempts = null,
        ILoggerFactory? logging = null,
        Action<IServiceCollection>? replace = null)
    {
        Keys(keyRoot);
        var values = new Dictionary<string, string?>
        {
            [AzureNames.StorageSetting] = connectionString,
            [AzureNames.KeyRootSetting] = keyRoot,
            [AzureNames.ProtocolsSetting] = Protocols,
            [AzureNames.MaxAttemptsSetting] = maxAttempts?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var services = new ServiceCollection();
        services.AddSingleton(time);
        if (logging is not null)
        {
            services.AddSingleton(logging);
        }

        if (settings is not null)
        {
            services.AddSingleton(settings);
        }

        replace?.Invoke(services);
        services.AddDataHub(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return services.BuildServiceProvider();
    }

    /// <summary>The hub context the Function App's handlers run on (<see cref="FunctionApp"/>'s, resolved).</summary>
    public static HubContext Azure(string connectionString, string keyRoot, TimeProvider time, AzureClientSettings? settings = null, int? maxAttempts = null, ILoggerFactory? logging = null) =>
        FunctionApp(connectionString, keyRoot, time, settings, maxAttempts, logging).GetRequiredService<HubContext>();

    /// <summary>A function class made as the worker makes it: its constructor's services from the container.</summary>
    public static T Function<T>(IServiceProvider services) => ActivatorUtilities.CreateInstance<T>(services);

    /// <summary>Client settings with short retry delays, so fault tests stay quick.</summary>
    public static AzureClientSettings QuickRetries(int maxRetries = 3) => new()
    {
        MaxRetries = maxRetries,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        NetworkTimeout = TimeSpan.FromSeconds(10),
    };
}
