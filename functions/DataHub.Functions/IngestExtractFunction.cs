using System.Text.Json;
using Azure.Storage.Blobs;
using DataHub.Core.Ingestion;
using DataHub.Storage.Azure;
using Microsoft.Azure.Functions.Worker;

namespace DataHub.Functions;

/// <summary>IngestExtract: a blob created under landing/{partner}/{feed}/ (an Event Grid event), handed to the Core ingest handler.</summary>
/// <remarks>
/// The trigger binds the blob's client, never its content: the handler streams the blob itself, pinned to the version the
/// event was raised for. An attempt that fails unexpectedly throws, so the host delivers the blob again; the handler's
/// receipt counts the failures and quarantines the file as poison after the configured attempts.
/// </remarks>
public sealed class IngestExtractFunction(IngestExtract ingest)
{
    /// <summary>The landing path pattern the trigger watches.</summary>
    public const string LandingPattern = "landing/{partner}/{feed}/{name}";

    /// <summary>Ingests the blob the event names.</summary>
    /// <exception cref="IngestAttemptFailedException">The attempt failed (or threw) and the file stays in landing for the host's retry.</exception>
    [Function(nameof(IngestExtract))]
    public async Task RunAsync(
        [BlobTrigger(LandingPattern, Source = BlobTriggerSource.EventGrid, Connection = AzureNames.StorageSetting)] BlobClient blob,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var path = $"{blob.BlobContainerName}/{blob.Name}";
        IngestOutcome outcome;
        try
        {
            outcome = await ingest.HandleAsync(path, TriggeringETag(context), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The host logs a thrown exception whole, inner exceptions included, and what escapes the handler (a storage
            // failure before the file is claimed) quotes the landed path: only its type and scrubbed message go on.
            throw new IngestAttemptFailedException(ingest.Unexpected(path, ex));
        }

        if (outcome.Status == IngestStatus.Failed)
        {
            throw new IngestAttemptFailedException(outcome);
        }
    }

    // The blob's properties when the event fired arrive as trigger metadata; its ETag pins the ingest to that version.
    // Without it (an older host) the handler takes the blob as it is now, which receipts make just as safe.
    private static string? TriggeringETag(FunctionContext context)
    {
        if (context?.BindingContext.BindingData.TryGetValue("Properties", out var value) != true || value is not string json)
        {
            return null;
        }

        try
        {
            using var properties = JsonDocument.Parse(json);
            return properties.RootElement.ValueKind == JsonValueKind.Object
                ? properties.RootElement.EnumerateObject()
                    .Where(p => string.Equals(p.Name, "ETag", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String)
                    .Select(p => p.Value.GetString())
                    .FirstOrDefault(tag => !string.IsNullOrEmpty(tag))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>An ingest attempt failed unexpectedly (storage, key): thrown so the Functions host retries the blob.</summary>
public sealed class IngestAttemptFailedException(IngestOutcome outcome)
    : Exception($"Ingesting {outcome?.SafeLandingPath} failed ({outcome?.Rule}); the host will deliver it again. {outcome?.Message}")
{
    /// <summary>The failed attempt's outcome.</summary>
    public IngestOutcome Outcome { get; } = outcome!;
}
