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
    // The 403 codes that concern the object or its container (a role, a SAS, a network rule on it); AuthenticationFailed,
    // AccountIsDisabled, KeyBasedAuthenticationNotPermitted, InsufficientAccountPermissions and the like fail every request alike and are no object's.
    private static readonly HashSet<string> ObjectRefusals = new(StringComparer.Ordinal)
    {
        "AuthorizationFailure",
        "AuthorizationPermissionMismatch",
        "AuthorizationResourceTypeMismatch",
        "AuthorizationSourceIPMismatch",
        "AuthorizationProtocolMismatch",
        "AuthorizationServiceMismatch",
    };

    /// <summary>Whether <paramref name="exception"/> is a storage request that failed (a status, or every try unanswered).</summary>
    public static bool IsRequestFailure(Exception exception) =>
        exception is RequestFailedException || (exception is AggregateException aggregate && aggregate.InnerExceptions.All(IsRequestFailure));

    /// <summary>
    /// The exception to throw for a failed <paramref name="operation"/> (e.g. "write") on <paramref name="path"/>. A partner's
    /// file (under landing/ or quarantine/) is named by its container alone, and the SDK's exception, which may quote the
    /// request, is not kept: its name is the partner's, and may be a person's.
    /// </summary>
    public static IOException For(Exception exception, string operation, string path)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Said(path) is { } said
            ? new($"Azure storage failed to {operation} '{said}': {Describe(exception)}.", exception)
            : new($"Azure storage failed to {operation} a file in container '{ContainerOf(path)}' (its name is the partner's, not repeated here): {Describe(exception)}.");
    }

    /// <summary>
    /// Whether the service refused the request for want of authorisation on this object or its container (HTTP 403 with an
    /// authorisation code: the identity holds no data role there, a SAS lacks the permission, the firewall refuses the
    /// caller). Not a refusal of the whole account (AuthenticationFailed: a bad signature or expired token; AccountIsDisabled;
    /// KeyBasedAuthenticationNotPermitted, InsufficientAccountPermissions), which fails every request alike, nor a 403 with no code.
    /// </summary>
    public static bool IsAccessDenied(Exception exception) =>
        exception is RequestFailedException { Status: 403, ErrorCode: { } code } && ObjectRefusals.Contains(code);

    /// <summary>
    /// The store contract's access denial for the hub path <paramref name="path"/> (never the blob's URL, which may carry a
    /// SAS), with the service's answer from <paramref name="refusal"/> and the role to grant on <paramref name="container"/>,
    /// or on the account alone when null (listing its containers).
    /// </summary>
    public static ObjectUnreachableException Denied(Exception refusal, string path, string? container)
    {
        // The identity is the Function App's in the hub, or an operator's own sign-in for the CLI's --azure commands.
        const string Role = "give the identity the hub signed in with (the Function App's managed identity, or yours for `datahub … --azure`) its role on the data storage account: Storage Blob Data Owner for the Function App (infra/main.bicep grants it there), Storage Blob Data Reader for an operator's `datahub audit verify`, Storage Blob Data Contributor for `repair` (infra/README.md)";
        return new(path, UnreachableCause.AccessDenied, container is null ? Role : $"{Role}; or at least on its container '{container}'", Describe(refusal));
    }

    /// <summary>The access denial for the object at the hub path <paramref name="path"/>, with the role to grant on its container.</summary>
    public static ObjectUnreachableException Denied(Exception refusal, string path) => Denied(refusal, path, LandingContainers.Locate(path).Container);

    // The path as it may be quoted: null for a partner's file, whose name the partner chose. Its first segment names the
    // container: landing (a hub path), a partner's landing-{partner} (a guarded listing's container form), or quarantine.
    private static string? Said(string path)
    {
        var container = path.Split('/')[0];
        return LandingContainers.IsLanding(container) || container == "quarantine" ? null : path;
    }

    private static string ContainerOf(string path)
    {
        try
        {
            return LandingContainers.Locate(path).Container;
        }
        catch (ArgumentException)
        {
            return path[..path.IndexOf('/', StringComparison.Ordinal)];
        }
    }

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
                    throw Denied(ex, listed, container);
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
