using Azure.Core;
using Azure.Identity;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Protocols;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Receipts;
using DataHub.Core.Retention;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace DataHub.Functions;

/// <summary>
/// The Function App's services, registered once from its app settings (<see cref="AzureNames"/>): Blob and Table
/// storage, the Queue client of the landing events poison queue (made at the sweep's first tidy), the Key Vault keys
/// (pseudonymisation and audit), the audit anchors, the protocols, scratch space, the clock and logging, composed into
/// the <see cref="HubContext"/> the Core handlers run on. Program.cs and the tests call the same <see cref="AddDataHub"/>.
/// </summary>
public static class HubServices
{
    /// <summary>Registers the hub's services; anything already registered (a test's clock, say) is kept.</summary>
    public static IServiceCollection AddDataHub(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new HubSettings(configuration);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);

        // Managed identity in Azure; locally, whatever developer sign-in DefaultAzureCredential finds.
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.TryAddSingleton(sp => new AzureClientSettings { Logging = sp.GetRequiredService<ILoggerFactory>() });
        services.TryAddSingleton(sp => settings.Azure.Storage(sp.GetRequiredService<AzureClientSettings>(), sp.GetRequiredService<TokenCredential>));
        // Each partner with an agreement delivers into a landing container of its own: a name that cannot be one stops the app here.
        services.TryAddSingleton<IObjectStore>(sp => sp.GetRequiredService<AzureStorage>().ObjectStore(sp.GetRequiredService<ProtocolSet>().Partners.Select(p => p.Partner)));
        services.TryAddSingleton(sp => settings.Azure.Keys(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AzureClientSettings>(), sp.GetRequiredService<TokenCredential>));
        services.TryAddSingleton(sp => settings.Azure.AuditKeys(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AzureClientSettings>(), sp.GetRequiredService<TokenCredential>));
        services.TryAddSingleton<IAuditAnchorStore>(sp => sp.GetRequiredService<AzureStorage>().Anchors());
        services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<AzureStorage>().AuditLog(
            sp.GetRequiredService<IAuditKeyProvider>(), sp.GetRequiredService<IAuditAnchorStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IReceiptStore>(sp => sp.GetRequiredService<AzureStorage>().Receipts());

        // The worker's local temp disk, for duplicate-row hashes that outgrow memory.
        services.TryAddSingleton<IScratchSpace>(_ => new LocalScratchSpace());
        services.TryAddSingleton(_ => settings.Protocols());
        services.TryAddSingleton(sp => new HubContext(
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<IAuditLog>(),
            sp.GetRequiredService<IReceiptStore>(),
            sp.GetRequiredService<IKeyProvider>(),
            sp.GetRequiredService<ProtocolSet>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>())
        {
            Scratch = sp.GetRequiredService<IScratchSpace>(),
            Ingest = settings.Ingest(),
            Trail = new AuditTrail(sp.GetRequiredService<IAuditLog>(), sp.GetRequiredService<IAuditKeyProvider>(), sp.GetRequiredService<IAuditAnchorStore>(), sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IReceiptStore>(), sp.GetRequiredService<TimeProvider>()),
        });
        services.TryAddSingleton(sp => new IngestExtract(sp.GetRequiredService<HubContext>()));
        services.TryAddSingleton(sp => RollupQuarter.For(sp.GetRequiredService<HubContext>()));
        services.TryAddSingleton(sp => new EnforceRetention(sp.GetRequiredService<HubContext>()));
        services.TryAddSingleton(sp => new LandingSweep(sp.GetRequiredService<HubContext>()));
        // The queue is made at the first tidy: a missing Queue endpoint then fails the tidy (logged), not SweepLanding's start.
        services.TryAddSingleton(sp => new PoisonedLandingEvents(
            () => sp.GetRequiredService<AzureStorage>().Queue(AzureNames.LandingEventsPoisonQueue),
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<ILogger<PoisonedLandingEvents>>()));
        return services;
    }
}
