namespace DataHub.Storage.Azure;

/// <summary>Every app setting, container and table name the Azure host reads; infra/ defines the same names (a test checks).</summary>
public static class AzureNames
{
    /// <summary>The data storage connection (IngestExtract's trigger too): the emulator's connection string, or (identity) the <c>__blobServiceUri</c>/<c>__tableServiceUri</c>/<c>__queueServiceUri</c> settings.</summary>
    public const string StorageSetting = "DATAHUB_STORAGE";

    /// <summary>Identity-based storage: the Blob endpoint (the Functions host's own convention for a connection named <see cref="StorageSetting"/>).</summary>
    public const string BlobServiceUriSetting = StorageSetting + "__blobServiceUri";

    /// <summary>Identity-based storage: the Table endpoint.</summary>
    public const string TableServiceUriSetting = StorageSetting + "__tableServiceUri";

    /// <summary>Identity-based storage: the Queue endpoint (IngestExtract's trigger, and the sweep's tidying of <see cref="LandingEventsPoisonQueue"/>).</summary>
    public const string QueueServiceUriSetting = StorageSetting + "__queueServiceUri";

    /// <summary>The Key Vault's URI, e.g. https://my-vault.vault.azure.net/.</summary>
    public const string KeyVaultUriSetting = "DATAHUB_KEYVAULT_URI";

    /// <summary>The name of the Key Vault secret holding the pseudonymisation key.</summary>
    public const string KeySecretNameSetting = "DATAHUB_KEY_SECRET_NAME";

    /// <summary>The name of the Key Vault secret holding the audit key (a secret of its own, never the pseudonymisation key).</summary>
    public const string AuditKeySecretNameSetting = "DATAHUB_AUDIT_KEY_SECRET_NAME";

    /// <summary>The CRON schedule of RollupQuarter (six fields, as the Functions host reads it).</summary>
    public const string RollupScheduleSetting = "DATAHUB_ROLLUP_SCHEDULE";

    /// <summary>The CRON schedule of EnforceRetention.</summary>
    public const string RetentionScheduleSetting = "DATAHUB_RETENTION_SCHEDULE";

    /// <summary>The CRON schedule of SweepLanding, which hands files left in landing longer than a claim lease to ingest again.</summary>
    public const string SweepScheduleSetting = "DATAHUB_SWEEP_SCHEDULE";

    /// <summary>Failed attempts on one blob before it is quarantined.</summary>
    public const string MaxAttemptsSetting = "DATAHUB_MAX_ATTEMPTS";

    /// <summary>Folder holding the protocol YAML files (relative to the app's folder when not rooted).</summary>
    public const string ProtocolsSetting = "DATAHUB_PROTOCOLS";

    /// <summary>Local runs against Azurite only: an embedded root whose keys/datahub-key.json and keys/audit-key.json are used instead of Key Vault (never set in Azure).</summary>
    public const string KeyRootSetting = "DATAHUB_KEY_ROOT";

    /// <summary>The default name of the pseudonymisation key secret.</summary>
    public const string DefaultKeySecretName = "datahub-pseudonymisation-key";

    /// <summary>The default name of the audit key secret.</summary>
    public const string DefaultAuditKeySecretName = "datahub-audit-key";

    /// <summary>The container holding the audit anchors: kept apart from the hub's containers because infra makes it immutable (WORM).</summary>
    public const string AnchorsContainer = "anchors";

    /// <summary>
    /// The queue Event Grid puts each BlobCreated event of a partner landing container on (infra/main.bicep), which
    /// IngestExtract reads: one subscription covers every partner's container, however many the configuration lists.
    /// </summary>
    public const string LandingEventsQueue = "landing-events";

    /// <summary>
    /// Where the Functions host moves a landing event it gave up on after its retries (the queue's name and "-poison"):
    /// SweepLanding deletes each one whose file has left landing, as the event names the partner's own file.
    /// </summary>
    public const string LandingEventsPoisonQueue = LandingEventsQueue + "-poison";

    /// <summary>
    /// The hub's blob containers (contract C1). "landing" holds the raw archive (landing/_processed/) and no partner's
    /// deliveries: each partner delivers into landing-{partner} (<see cref="LandingContainers"/>), made per partner.
    /// </summary>
    public static IReadOnlyList<string> Containers { get; } = ["landing", "quarantine", "secure", "published", "audit"];

    /// <summary>The audit events table.</summary>
    public const string AuditTable = "audit";

    /// <summary>The receipts table (one entity per landed blob version and per content hash).</summary>
    public const string ReceiptsTable = "receipts";

    /// <summary>The hub's tables.</summary>
    public static IReadOnlyList<string> Tables { get; } = [AuditTable, ReceiptsTable];
}
