using Azure;
using DataHub.Core.Storage;

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

    /// <summary>
    /// Whether the service refused the request for want of authorisation (HTTP 403): the app's identity holds no data role
    /// on the container (AuthorizationPermissionMismatch, AuthorizationFailure), or a SAS lacks the permission. Not a
    /// credential the service rejects outright (AuthenticationFailed: a bad signature or expired token fails every request
    /// alike, and is no more this object's than any other's).
    /// </summary>
    public static bool IsAccessDenied(Exception exception) =>
        exception is RequestFailedException { Status: 403 } failed && !string.Equals(failed.ErrorCode, "AuthenticationFailed", StringComparison.Ordinal);

    /// <summary>
    /// The store contract's access denial for the hub path <paramref name="path"/> (never the blob's URL, which may carry a
    /// SAS), with the role to grant on <paramref name="container"/>, or on the account alone when null (listing its containers).
    /// </summary>
    public static ObjectUnreachableException Denied(string path, string? container)
    {
        const string Role = "give the Function App's managed identity its Storage Blob Data Owner role on the data storage account (infra/main.bicep grants it there)";
        return new(path, UnreachableCause.AccessDenied, container is null ? Role : $"{Role}, or at least on its container '{container}'");
    }

    /// <summary>The access denial for the object at the hub path <paramref name="path"/>, with the role to grant on its container.</summary>
    public static ObjectUnreachableException Denied(string path) => Denied(path, LandingContainers.Locate(path).Container);

    /// <summary>
    /// Items (or pages) from a listing, with a missing container read as empty and other failures as <see cref="For"/>'s
    /// error; for an object store listing (<paramref name="listed"/>, the hub prefix asked for), a refusal
    /// (<see cref="IsAccessDenied"/>) as <see cref="Denied"/>'s for it and <paramref name="container"/>.
    /// </summary>
    public static async IAsyncEnumerable<T> Guard<T>(IAsyncEnumerable<T> source, string operation, string path, string? listed = null, string? container = null)
    {
        var pages = source.GetAsyncEnumerator();
        await using (pages.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await pages.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    yield break;
                }
                catch (RequestFailedException ex) when (listed is not null && IsAccessDenied(ex))
                {
                    // Not an empty listing: what is under the prefix cannot be seen, as under a local folder the hub may not open.
                    throw Denied(listed, container);
                }
                catch (Exception ex) when (IsRequestFailure(ex))
                {
                    throw For(ex, operation, path);
                }

                yield return pages.Current;
            }
        }
    }

    private static string Describe(Exception exception) => exception switch
    {
        RequestFailedException { Status: > 0 } failed => $"HTTP {failed.Status}{(failed.ErrorCode is { Length: > 0 } code ? " " + code : string.Empty)}",
        RequestFailedException => "the service could not be reached",
        AggregateException { InnerExceptions.Count: > 0 } all => $"{all.InnerExceptions.Count} tries failed, the last with {Describe(all.InnerExceptions[^1])}",
        _ => exception.GetType().Name,
    };
}
