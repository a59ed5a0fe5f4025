using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DataHub.Core.Audit;

namespace DataHub.Storage.Azure;

/// <summary>
/// The data storage account's Blob, Table and Queue clients, and the hub's stores over them. In Azure the account is reached
/// with a token credential (the app's managed identity, through DefaultAzureCredential); a connection string is accepted
/// only for the local emulator (Azurite), so no account key is ever configured for a real account.
/// </summary>
public sealed class AzureStorage
{
    /// <summary>The emulator's well-known account, the only one a connection string may name.</summary>
    public const string DevelopmentAccount = "devstoreaccount1";

    private readonly AzureClientSettings _settings;

    private readonly QueueServiceClient? _queues;

    private AzureStorage(BlobServiceClient blobs, TableServiceClient tables, QueueServiceClient? queues, AzureClientSettings settings)
    {
        Blobs = blobs;
        Tables = tables;
        _queues = queues;
        _settings = settings;
    }

    /// <summary>The Blob service client.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>The Table service client.</summary>
    public TableServiceClient Tables { get; }

    /// <summary>
    /// The account reached with <paramref name="credential"/> at its Blob and Table endpoints, and its Queue endpoint when
    /// given (the Function App's; an operator's `datahub audit --azure` needs none).
    /// </summary>
    public static AzureStorage WithCredential(Uri blobServiceUri, Uri tableServiceUri, TokenCredential credential, AzureClientSettings settings, Uri? queueServiceUri = null)
    {
        ArgumentNullException.ThrowIfNull(blobServiceUri);
        ArgumentNullException.ThrowIfNull(tableServiceUri);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(settings);
        return new AzureStorage(
            new BlobServiceClient(blobServiceUri, credential, settings.Configure(new BlobClientOptions())),
            new TableServiceClient(tableServiceUri, credential, settings.Configure(new TableClientOptions())),
            queueServiceUri is null ? null : new QueueServiceClient(queueServiceUri, credential, QueueOptions(settings)),
            settings);
    }

    /// <summary>The emulator from a connection string (<c>UseDevelopmentStorage=true</c>, or explicit endpoints for its account).</summary>
    /// <exception cref="InvalidOperationException">The connection string names a real account; the message never repeats it.</exception>
    public static AzureStorage ForEmulator(string connectionString, AzureClientSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(settings);
        BlobServiceClient blobs;
        TableServiceClient tables;
        QueueServiceClient queues;
        try
        {
            blobs = new BlobServiceClient(connectionString, settings.Configure(new BlobClientOptions()));
            tables = new TableServiceClient(connectionString, settings.Configure(new TableClientOptions()));
            queues = new QueueServiceClient(connectionString, QueueOptions(settings));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException("The storage connection string cannot be read (its text is not repeated here).", ex);
        }

        if (!string.Equals(blobs.AccountName, DevelopmentAccount, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"A storage connection string is accepted only for the local emulator (account {DevelopmentAccount}). " +
                $"In Azure, set {AzureNames.BlobServiceUriSetting} and {AzureNames.TableServiceUriSetting} and grant the app's managed identity access.");
        }

        return new AzureStorage(blobs, tables, queues, settings);
    }

    /// <summary>The queue <paramref name="name"/> of the account, its messages read and written as their text is, undecoded.</summary>
    /// <exception cref="InvalidOperationException">The account was reached with no Queue endpoint; the message names its setting.</exception>
    public QueueClient Queue(string name) =>
        (_queues ?? throw new InvalidOperationException($"No Queue endpoint is configured: set {AzureNames.QueueServiceUriSetting} (in Azure), or {AzureNames.StorageSetting} to the emulator's connection string (locally)."))
            .GetQueueClient(name);

    /// <summary>The hub's containers, and the landing containers of <paramref name="partners"/>, as an object store.</summary>
    /// <exception cref="ArgumentException">A partner's name cannot name its landing container.</exception>
    public BlobObjectStore ObjectStore(IEnumerable<string>? partners = null) => new(Blobs, _settings, partners);

    /// <summary>The audit anchors in <paramref name="container"/> (immutable in Azure: infra/main.bicep gives it a WORM policy).</summary>
    public BlobAuditAnchors Anchors(string container = AzureNames.AnchorsContainer) => new(Blobs.GetBlobContainerClient(container), _settings.PageSize);

    /// <summary>The audit trail in <paramref name="table"/>, sealed under <paramref name="keys"/> and anchored in <paramref name="anchors"/>.</summary>
    public TableAuditLog AuditLog(IAuditKeyProvider keys, IAuditAnchorStore anchors, TimeProvider time, string table = AzureNames.AuditTable) =>
        new(Tables.GetTableClient(table), keys, anchors, time, _settings.PageSize);

    /// <summary>The receipts in <paramref name="table"/>.</summary>
    public TableReceiptStore Receipts(string table = AzureNames.ReceiptsTable) => new(Tables.GetTableClient(table));

    // No decoding by the client: the Functions host writes Base64 by default and plain text when host.json says so, and a
    // message the client could not decode would fail the whole page it came in. The reader decodes each one itself.
    private static QueueClientOptions QueueOptions(AzureClientSettings settings) =>
        settings.Configure(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
}
