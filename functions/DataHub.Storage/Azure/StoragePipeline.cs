using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.Storage.Azure;

/// <summary>Options for the Blob and Table clients' pipeline: retries (408/429/500/502/503/504 and network errors, with backoff) and transport.</summary>
public sealed class StorageClientOptions : ClientOptions
{
    /// <summary>The storage REST version sent on every request.</summary>
    public const string ServiceVersion = "2024-11-04";

    /// <summary>Sets retry defaults suited to a Function: 5 tries, exponential backoff from 0.5 s to 10 s.</summary>
    public StorageClientOptions()
    {
        Retry.MaxRetries = 5;
        Retry.Mode = RetryMode.Exponential;
        Retry.Delay = TimeSpan.FromMilliseconds(500);
        Retry.MaxDelay = TimeSpan.FromSeconds(10);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        // Bodies hold partner data: never logged, whatever the diagnostics listener asks for.
        Diagnostics.IsLoggingContentEnabled = false;
        Diagnostics.IsDistributedTracingEnabled = false;
    }

    /// <summary>The Shared Key scheme used for Blob requests when the account authorises with a key.</summary>
    public SharedKeyScheme BlobScheme { get; set; } = SharedKeyScheme.Blob;

    /// <summary>The Shared Key scheme used for Table requests when the account authorises with a key.</summary>
    public SharedKeyScheme TableScheme { get; set; } = SharedKeyScheme.Table;

    /// <summary>The block size for uploads; a write larger than this is staged in blocks and committed with one block list.</summary>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Items per page when listing blobs or querying a table partition.</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Clock for request dates.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Where request summaries (method, service, status, duration) go; never paths' query strings or bodies.</summary>
    public ILoggerFactory? Logging { get; set; }
}

/// <summary>Builds the HTTP pipeline for one storage service with its authorisation, version header and request logging.</summary>
internal static class StoragePipeline
{
    public const string StorageScope = "https://storage.azure.com/.default";

    public static HttpPipeline Create(StorageAccount account, StorageClientOptions options, bool table)
    {
        HttpPipelinePolicy auth = account.SharedKey is { } key
            ? new SharedKeyPolicy(key, table ? options.TableScheme : options.BlobScheme, options.Time)
            : new BearerTokenAuthenticationPolicy(account.Token!, StorageScope);
        var logger = (options.Logging ?? NullLoggerFactory.Instance).CreateLogger(table ? "DataHub.Storage.Table" : "DataHub.Storage.Blob");
        return HttpPipelineBuilder.Build(
            options,
            perCallPolicies: [new VersionPolicy()],
            perRetryPolicies: [auth, new RequestLogPolicy(logger)],
            new ResponseClassifier());
    }

    private sealed class VersionPolicy : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            message.Request.Headers.SetValue("x-ms-version", StorageClientOptions.ServiceVersion);
    }
}

/// <summary>Logs one line per try: method, host-relative container, status and milliseconds. No query string, no body.</summary>
internal sealed class RequestLogPolicy(ILogger logger) : HttpPipelinePolicy
{
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            Log(message, started);
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            Log(message, started);
        }
    }

    private void Log(HttpMessage message, long started)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var status = message.HasResponse ? message.Response.Status : 0;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        logger.LogDebug("Storage {Method} {Resource} -> {Status} in {Elapsed:F0} ms", message.Request.Method.Method, Resource(message.Request), status, elapsed);
    }

    // Only the container or table segment: blob names carry partner file names, which stay out of infrastructure logs.
    private static string Resource(Request request)
    {
        var segments = request.Uri.ToUri().AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var skip = segments.Length > 0 && segments[0].StartsWith("devstoreaccount", StringComparison.Ordinal) ? 1 : 0;
        return segments.Length > skip ? segments[skip] : "/";
    }
}
