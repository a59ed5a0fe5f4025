using Azure;
using Microsoft.Extensions.Logging;

namespace DataHub.Functions;

/// <summary>
/// What a function lets escape to the Functions host, which logs a thrown exception whole, message and inner exceptions
/// included: a storage or library message quotes the path it was about (<c>ObjectNotFoundException</c>'s does), and a
/// landed file's name may name a person.
/// </summary>
internal static class HostFailures
{
    /// <summary>
    /// Runs <paramref name="work"/>; an exception escaping it, other than a cancellation, is thrown on as what
    /// <paramref name="withheld"/> makes of it, with no inner exception, so the run still fails (for the host's retry or
    /// monitoring) and the host logs only what is safe to repeat.
    /// </summary>
    public static async Task<T> WithheldAsync<T>(Func<Task<T>> work, Func<Exception, Task<Exception>> withheld)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw await withheld(ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a timer function's job, failing the run by a <see cref="TimerRunFailedException"/> naming the error by its type
    /// only, after logging at Error level what an operator needs to diagnose it and nothing a message could quote: the
    /// error's type, a storage service's status and error code, and the frames it was thrown through (method names).
    /// </summary>
    public static Task<T> TimerJobAsync<T>(string function, Func<Task<T>> job, ILogger log) =>
        WithheldAsync(job, ex =>
        {
            var failed = RequestFailureOf(ex);
            log.LogError(
                "{Function} failed ({ExceptionType}, status {Status}, error code {ErrorCode}); its message is not logged: it can quote a file's name. The next occurrence tries again. Thrown at:\n{Frames}",
                function,
                ex.GetType().Name,
                failed?.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",
                failed?.ErrorCode ?? "none",
                ex.StackTrace ?? "none");
            return Task.FromResult<Exception>(new TimerRunFailedException(function, ex));
        });

    /// <summary>The storage service's own failure, also when the retries gave up and wrapped each attempt's failure.</summary>
    public static RequestFailedException? RequestFailureOf(Exception ex) => ex switch
    {
        RequestFailedException failed => failed,
        AggregateException retries => retries.InnerExceptions.OfType<RequestFailedException>().LastOrDefault(),
        _ => null,
    };
}

/// <summary>A timer function's run failed: thrown so the run shows as failed in monitoring; the next occurrence tries again.</summary>
public sealed class TimerRunFailedException(string function, Exception failure)
    : Exception($"{function} failed ({failure?.GetType().Name}; its message is not shown: it can quote a file's name). The next occurrence tries again; the hub's log and the audit log say what was done.")
{
    /// <summary>The failure's type name (its message and the failure itself are not kept).</summary>
    public string ErrorType { get; } = failure?.GetType().Name ?? "none";
}
