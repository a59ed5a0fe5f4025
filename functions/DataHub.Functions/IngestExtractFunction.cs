using Azure;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;
using Azure.Storage.Blobs;
using DataHub.Core.Ingestion;
using DataHub.Storage.Azure;
using Microsoft.Azure.Functions.Worker;

namespace DataHub.Functions;

/// <summary>
/// IngestExtract: a blob created in a partner's landing container (an Event Grid BlobCreated event, queued), handed to the
/// Core ingest handler as landing/{partner}/{…}, the partner being the container's.
/// </summary>
/// <remarks>
/// One Event Grid subscription on the data account sends every BlobCreated in a container whose name begins
/// "landing-" to the queue this function reads (infra/main.bicep), so a partner added by configuration (its protocol and
/// an entry in the deployment's partners) is watched with no change here; a blob trigger watches one container only.
/// The handler streams the blob itself, pinned to the version the event was raised for. An attempt that fails
/// unexpectedly throws, so the host delivers the message again; the handler's receipt counts the failures and quarantines
/// the file as poison after the configured attempts.
/// </remarks>
public sealed class IngestExtractFunction(IngestExtract ingest)
{
    /// <summary>Ingests the blob the queued event names.</summary>
    /// <exception cref="IngestAttemptFailedException">The attempt failed (or threw) and the file stays in landing for the host's retry.</exception>
    /// <exception cref="UnreadableLandingEventException">The message is not a BlobCreated event: it goes to the poison queue, and the sweep finds any file it was about.</exception>
    [Function(nameof(IngestExtract))]
    public async Task RunAsync(
        [QueueTrigger(AzureNames.LandingEventsQueue, Connection = AzureNames.StorageSetting)] string message,
        CancellationToken cancellationToken)
    {
        var (path, eTag) = Landed(message);
        // What escapes the handler (a storage failure before the file is claimed) quotes the landed path: only its type and
        // scrubbed message go on to the host.
        var outcome = await HostFailures.WithheldAsync(
            () => ingest.HandleAsync(path, eTag, cancellationToken),
            async ex => new IngestAttemptFailedException(await ingest.UnexpectedAsync(path, ex, CancellationToken.None).ConfigureAwait(false))).ConfigureAwait(false);

        if (outcome.Status == IngestStatus.Failed)
        {
            throw new IngestAttemptFailedException(outcome);
        }
    }

    /// <summary>
    /// The hub path and version of the blob a BlobCreated event names. The partner is the container's
    /// (<see cref="LandingContainers.PathOf"/>): a blob outside every partner's container reads as no partner's path.
    /// </summary>
    /// <exception cref="UnreadableLandingEventException">The message is not a BlobCreated event with the blob's address.</exception>
    internal static (string Path, string? ETag) Landed(string? message)
    {
        var landed = Read(message);
        return (landed.Path, landed.ETag);
    }

    /// <summary>
    /// What a BlobCreated event names: the path IngestExtract takes (<see cref="Landed"/>'s), and the path its subject
    /// names on its own, null when the subject names no blob of the url's container.
    /// </summary>
    /// <exception cref="UnreadableLandingEventException">The message is not a BlobCreated event with the blob's address.</exception>
    internal static LandedEvent Read(string? message)
    {
        StorageBlobCreatedEventData? created;
        string? subject;
        try
        {
            // The SDK reads any JSON root as an event (or events) and throws NullReferenceException for a number, string,
            // null, or an array of such, so only an object, or an array of objects, goes on to it.
            if (!IsEventShaped(message ?? string.Empty))
            {
                throw new UnreadableLandingEventException("not a JSON object");
            }

            var parsed = EventGridEvent.Parse(BinaryData.FromString(message ?? string.Empty));
            subject = parsed.Subject;
            created = parsed.TryGetSystemEventData(out var data) ? data as StorageBlobCreatedEventData : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new UnreadableLandingEventException(ex.GetType().Name);
        }

        if (created is null || !Uri.TryCreate(created.Url, UriKind.Absolute, out var url))
        {
            throw new UnreadableLandingEventException("not a BlobCreated event with a blob address");
        }

        var blob = new BlobUriBuilder(url);
        if (string.IsNullOrEmpty(blob.BlobContainerName) || string.IsNullOrEmpty(blob.BlobName))
        {
            throw new UnreadableLandingEventException("the address names no blob");
        }

        // The service quotes a blob's ETag in headers but not in events; the store's form is the quoted one.
        var eTag = string.IsNullOrEmpty(created.ETag) ? null : BlobObjectStore.TagOf(new ETag(created.ETag));
        var fromSubject = NameInSubject(blob.BlobContainerName, subject);
        return new LandedEvent(
            LandingContainers.PathOf(blob.BlobContainerName, WholeName(blob.BlobName, fromSubject)),
            eTag,
            fromSubject is null ? null : LandingContainers.PathOf(blob.BlobContainerName, fromSubject));
    }

    /// <exception cref="System.Text.Json.JsonException">The message is not JSON.</exception>
    private static bool IsEventShaped(string message)
    {
        using var json = System.Text.Json.JsonDocument.Parse(message);
        var root = json.RootElement;
        return root.ValueKind == System.Text.Json.JsonValueKind.Object
            || (root.ValueKind == System.Text.Json.JsonValueKind.Array && root.GetArrayLength() > 0
                && root.EnumerateArray().All(e => e.ValueKind == System.Text.Json.JsonValueKind.Object));
    }

    // The event's url is the blob's name unescaped, so a '?' or '#' in the name cuts or garbles it (read as a query or a
    // fragment) and the file would be looked for under another name. The subject ("/blobServices/default/containers/
    // {container}/blobs/{name}") holds the name as it is: taken when it has either character, the url's name otherwise.
    private static string WholeName(string fromUrl, string? fromSubject) =>
        fromSubject is not null && fromSubject.AsSpan().IndexOfAny('?', '#') >= 0 ? fromSubject : fromUrl;

    /// <summary>The blob name the subject holds, as it is, when the subject names a blob of <paramref name="container"/>.</summary>
    private static string? NameInSubject(string container, string? subject)
    {
        var prefix = $"/blobServices/default/containers/{container}/blobs/";
        return subject is not null && subject.Length > prefix.Length && subject.StartsWith(prefix, StringComparison.Ordinal)
            ? subject[prefix.Length..]
            : null;
    }
}

/// <summary>What a BlobCreated event names.</summary>
/// <param name="Path">The hub path IngestExtract takes: the url's name, or the subject's when it holds '?' or '#'.</param>
/// <param name="ETag">The blob's version, quoted as the store quotes it.</param>
/// <param name="SubjectPath">The hub path the subject's name alone gives, or null when the subject names no blob of the url's container.</param>
internal sealed record LandedEvent(string Path, string? ETag, string? SubjectPath);

/// <summary>A queued message that is not a BlobCreated event: the host moves it to the poison queue after its retries.</summary>
public sealed class UnreadableLandingEventException(string why)
    : Exception($"The landing event cannot be read ({why}); nothing was ingested from it. Any file it was about stays in landing for the sweep.");

/// <summary>An ingest attempt failed unexpectedly (storage, key): thrown so the Functions host retries the blob.</summary>
public sealed class IngestAttemptFailedException(IngestOutcome outcome)
    : Exception($"Ingesting {outcome?.SafeLandingPath} failed ({outcome?.Rule}); the host will deliver it again. {outcome?.Message}")
{
    /// <summary>The failed attempt's outcome.</summary>
    public IngestOutcome Outcome { get; } = outcome!;
}
