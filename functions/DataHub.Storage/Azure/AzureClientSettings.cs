using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.Storage.Azure;

/// <summary>How the hub's Azure SDK clients (Blob, Table, Queue, Key Vault) retry, log and upload.</summary>
public sealed record AzureClientSettings
{
    /// <summary>Retries after the first try of a request that failed transiently (408, 429, 5xx, network errors).</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest delay between two tries.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one try may wait on the network.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Bytes per staged block when writing a blob; a write that fits in one is a single upload.</summary>
    public int BlockSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Items per page when listing blobs or querying a table (null: the service's default).</summary>
    public int? PageSize { get; init; }

    /// <summary>Where one summary line per request goes (method, container or table, status, time), at Debug.</summary>
    public ILoggerFactory? Logging { get; init; }

    /// <summary>Applies these settings to a client's options and returns them.</summary>
    /// <remarks>
    /// The SDK's own request logging and tracing are switched off: its log lines and activities carry the request URL,
    /// whose path holds partner file names, and logging content would carry partner data. Our request log names only the
    /// container or table. The SDK still redacts authorization headers and SAS signatures wherever it records a request.
    /// </remarks>
    public T Configure<T>(T options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = RetryDelay;
        options.Retry.MaxDelay = MaxRetryDelay;
        options.Retry.NetworkTimeout = NetworkTimeout;
        options.Diagnostics.IsLoggingEnabled = false;
        options.Diagnostics.IsLoggingContentEnabled = false;
        options.Diagnostics.IsDistributedTracingEnabled = false;
        options.Diagnostics.IsTelemetryEnabled = false;
        var logger = (Logging ?? NullLoggerFactory.Instance).CreateLogger("DataHub.Storage");
        options.AddPolicy(new RequestLogPolicy(logger), HttpPipelinePosition.PerRetry);
        return options;
    }

    /// <summary>A Key Vault secrets client for <paramref name="vaultUri"/>; content logging stays off, so a secret's value never reaches a log.</summary>
    public SecretClient SecretClient(Uri vaultUri, TokenCredential credential) => new(vaultUri, credential, Configure(new SecretClientOptions()));
}
