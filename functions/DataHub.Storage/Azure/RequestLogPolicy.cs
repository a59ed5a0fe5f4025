using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace DataHub.Storage.Azure;

/// <summary>Logs one Debug line per try: method, the container or table addressed, status and milliseconds. No name beyond, no query, no body.</summary>
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
        if (segments.Length <= skip)
        {
            return "/";
        }

        // Table paths are "table(PartitionKey='…',RowKey='…')" or "$batch": the keys (partner, feed, hash) stay out too.
        var resource = segments[skip];
        var paren = resource.IndexOf('(', StringComparison.Ordinal);
        return paren > 0 ? resource[..paren] : resource;
    }
}
