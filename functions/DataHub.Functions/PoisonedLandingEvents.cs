using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Functions;

/// <summary>
/// The landing events the Functions host gave up on (<c>landing-events-poison</c>): each one whose file has left landing
/// is deleted, as the event names the partner's own folder and file and the queue would otherwise keep it for its
/// time-to-live (the host sets none, so the service's default of seven days).
/// </summary>
/// <remarks>
/// The file of a poisoned event is still handled, by the sweep, and its outcome audited by its label; once the file has
/// left landing (archived, quarantined or deleted) the event holds nothing the hub needs. An event whose file is still in
/// landing stays until a later sweep has handled the file; a message that is no landing event, or whose url and subject
/// do not name one and the same file, stays for an operator to read. Messages are read a page at a time, hidden from
/// other readers for a short while; one another reader took or deleted meanwhile is left to it. Only counts are logged,
/// never a name.
/// </remarks>
public sealed class PoisonedLandingEvents
{
    /// <summary>Messages per read: the most the Queue service returns at once.</summary>
    public const int PageSize = 32;

    private readonly Lazy<QueueClient> _queue;
    private readonly IObjectStore _store;
    private readonly TimeSpan _hiddenFor;
    private readonly ILogger _log;

    /// <summary>The poison queue <paramref name="queue"/>, whose events name files of <paramref name="store"/>'s landing.</summary>
    /// <param name="queue">
    /// The poison queue, its messages read undecoded (<see cref="QueueMessageEncoding.None"/>). Made at the first tidy,
    /// not before: a queue that cannot be made (no Queue endpoint configured) fails the tidy, not the sweep it runs beside.
    /// </param>
    /// <param name="store">The hub's store, where each event's file is looked for.</param>
    /// <param name="log">Where the counts go.</param>
    /// <param name="hiddenFor">How long a message read is hidden from other readers (30 seconds unless given).</param>
    public PoisonedLandingEvents(Func<QueueClient> queue, IObjectStore store, ILogger<PoisonedLandingEvents> log, TimeSpan? hiddenFor = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(log);
        _queue = new Lazy<QueueClient>(queue, LazyThreadSafetyMode.PublicationOnly);
        _store = store;
        _log = log;
        _hiddenFor = hiddenFor ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>Reads the queue's messages a page at a time (a pass that outlasts the hiding time ends early, and the next
    /// sweep goes on), deletes those whose file has left landing, and logs the counts.</summary>
    /// <exception cref="RequestFailedException">The queue could not be read (other than its not existing yet).</exception>
    /// <exception cref="InvalidOperationException">The queue could not be made (no Queue endpoint is configured).</exception>
    public async Task<PoisonedLandingEventsResult> TidyAsync(CancellationToken cancellationToken)
    {
        var result = new PoisonedLandingEventsResult(0, 0, 0, 0, 0);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<QueueMessage>();
        while (!cancellationToken.IsCancellationRequested)
        {
            QueueMessage[] page;
            try
            {
                page = (await _queue.Value.ReceiveMessagesAsync(PageSize, _hiddenFor, cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The host makes the queue when it first gives up on a message: none yet.
                break;
            }

            // A message kept earlier in this pass shows again once its hidden time is over: the pass ends at a page of those.
            var fresh = page.Where(m => seen.Add(m.MessageId)).ToList();
            if (fresh.Count == 0)
            {
                break;
            }

            foreach (var message in fresh)
            {
                var settled = await SettleAsync(message, cancellationToken).ConfigureAwait(false);
                if (settled is Settled.Waiting or Settled.Unreadable or Settled.Unchecked)
                {
                    kept.Add(message);
                }

                result = settled switch
                {
                    Settled.Removed => result with { Removed = result.Removed + 1 },
                    Settled.Waiting => result with { Waiting = result.Waiting + 1 },
                    Settled.Unreadable => result with { Unreadable = result.Unreadable + 1 },
                    Settled.Unchecked => result with { Unchecked = result.Unchecked + 1 },
                    _ => result with { TakenElsewhere = result.TakenElsewhere + 1 },
                };
            }
        }

        // Hidden only for the pass: a message kept shows again at once (to an operator's peek, and to the next sweep).
        foreach (var message in kept)
        {
            await ShowAsync(message).ConfigureAwait(false);
        }

        _log.LogInformation(
            "Sweep: landing events poison queue: {Removed} removed (their files have left landing), {Waiting} kept waiting for their file, {Unreadable} unreadable or naming their file unsurely (kept), {Unchecked} kept unchecked (the store could not be read), {TakenElsewhere} left to another reader.",
            result.Removed,
            result.Waiting,
            result.Unreadable,
            result.Unchecked,
            result.TakenElsewhere);
        if (result.Unchecked > 0)
        {
            // Another reader taking a message is the queue working; a store that cannot be read is not.
            _log.LogWarning("Sweep: the store could not be read for {Unchecked} poisoned landing events; they stay for the next sweep.", result.Unchecked);
        }

        return result;
    }

    /// <summary>
    /// The landing path a queued message names, decoded as the trigger decodes it: Base64 (the host's default) or plain
    /// text (host.json's messageEncoding "none"), then the Event Grid event IngestExtract reads. Null when it is no event
    /// about a file of landing/ the sweep handles, or when its file cannot be named for sure: the name the url gives (as
    /// the trigger reads it) and the one the subject gives must be one and the same, hold no U+FFFD (a name read in
    /// another character set, which the store would not find though the file is there), and be a landing path the sweep
    /// takes or quarantines. Otherwise the file could be looked for under another name than its own, found absent, and
    /// its event deleted while the file is still in landing.
    /// </summary>
    internal static string? LandingPathOf(BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var text = body.ToString();

        // An event's JSON is never valid Base64 ('{' and '"' are not in its alphabet), so the two forms cannot be confused.
        var bytes = new byte[text.Length];
        var message = Convert.TryFromBase64String(text, bytes, out var length) ? Encoding.UTF8.GetString(bytes, 0, length) : text;
        LandedEvent landed;
        try
        {
            landed = IngestExtractFunction.Read(message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Whatever the parser makes of a message it cannot read (the SDK has thrown NullReferenceException for JSON
            // that is no event object), that message is one to keep and count, never one to stop the pass.
            return null;
        }

        var path = landed.Path;
        if (!string.Equals(path, landed.SubjectPath, StringComparison.Ordinal) || path.Contains(LandingPath.UnreadableNameCharacter, StringComparison.Ordinal))
        {
            return null;
        }

        // The archive is the hub's own; a path refused as unmovable ('..', an empty segment, outside landing) is one the
        // store may read as another place.
        var check = LandingPath.Check(path);
        return !check.IsArchive && (check.Path is not null || check.Movable) ? path : null;
    }

    private async Task<Settled> SettleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        if (LandingPathOf(message.Body) is not { } path)
        {
            return Settled.Unreadable;
        }

        try
        {
            if (await _store.GetAsync(path, cancellationToken).ConfigureAwait(false) is not null)
            {
                return Settled.Waiting;
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or ObjectUnreachableException)
        {
            // The store's error quotes the path (the partner's file name), or the store may not look (its role on the partner's
            // container, HTTP 403): only the count goes on, the message stays, and the pass goes on.
            return Settled.Unchecked;
        }

        try
        {
            await _queue.Value.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            return Settled.Removed;
        }
        catch (RequestFailedException ex) when (IsElsewhere(ex))
        {
            // Another reader took it after its hidden time ran out (or deleted it): it is that reader's now.
            return Settled.TakenElsewhere;
        }
    }

    private async Task ShowAsync(QueueMessage message)
    {
        try
        {
            await _queue.Value.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (IsElsewhere(ex))
        {
            // Its hidden time ran out during the pass and another reader has it, or it is visible already.
        }
    }

    // The message is gone (deleted) or its pop receipt is stale: another reader has it since its hidden time ran out.
    private static bool IsElsewhere(RequestFailedException ex) => ex.Status == 404 || ex.ErrorCode == QueueErrorCode.PopReceiptMismatch.ToString();

    private enum Settled
    {
        Removed,
        Waiting,
        Unreadable,
        Unchecked,
        TakenElsewhere,
    }
}

/// <summary>Counts of one pass over the landing events poison queue.</summary>
/// <param name="Removed">Events deleted because their file has left landing.</param>
/// <param name="Waiting">Events kept because their file is still in landing (a later sweep handles it, then deletes them).</param>
/// <param name="Unreadable">Messages kept because they are no landing event, or name their file unsurely (url and subject differ, U+FFFD, a path the store could read as another).</param>
/// <param name="Unchecked">Events kept because the store failed while their file was looked for.</param>
/// <param name="TakenElsewhere">Messages another reader took or deleted meanwhile, left to it.</param>
public sealed record PoisonedLandingEventsResult(int Removed, int Waiting, int Unreadable, int Unchecked, int TakenElsewhere);
