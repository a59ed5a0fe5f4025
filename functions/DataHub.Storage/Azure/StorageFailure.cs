using Azure;

namespace DataHub.Storage.Azure;

/// <summary>
/// Turns what the SDK throws once its retries are spent into one short <see cref="IOException"/>: the operation, the path
/// and the service's status and error code. The SDK's exception stays inside it for diagnostics; the message the audit
/// and receipts record stays one line.
/// </summary>
internal static class StorageFailure
{
    /// <summary>Whether <paramref name="exception"/> is a storage request that failed (a status, or every try unanswered).</summary>
    public static bool IsRequestFailure(Exception exception) =>
        exception is RequestFailedException || (exception is AggregateException aggregate && aggregate.InnerExceptions.All(IsRequestFailure));

    /// <summary>The exception to throw for a failed <paramref name="operation"/> (e.g. "write") on <paramref name="path"/>.</summary>
    public static IOException For(Exception exception, string operation, string path) =>
        new($"Azure storage failed to {operation} '{path}': {Describe(exception)}.", exception);

    private static string Describe(Exception exception) => exception switch
    {
        RequestFailedException { Status: > 0 } failed => $"HTTP {failed.Status}{(failed.ErrorCode is { Length: > 0 } code ? " " + code : string.Empty)}",
        RequestFailedException => "the service could not be reached",
        AggregateException { InnerExceptions.Count: > 0 } all => $"{all.InnerExceptions.Count} tries failed, the last with {Describe(all.InnerExceptions[^1])}",
        _ => exception.GetType().Name,
    };
}
