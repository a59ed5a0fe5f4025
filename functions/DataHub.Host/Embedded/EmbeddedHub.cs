using System.Security.Cryptography;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Protocols;
using DataHub.Core.Receipts;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Storage.Local;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Embedded;

/// <summary>Composes a <see cref="HubContext"/> over an embedded root: local folders, local audit, receipts and key file.</summary>
public sealed class EmbeddedHub : IDisposable
{
    private readonly LocalAuditLog _audit;

    private EmbeddedHub(string root, HubContext context, LocalAuditLog audit, ILoggerFactory logging)
    {
        Root = root;
        Context = context;
        Logging = logging;
        _audit = audit;
    }

    /// <summary>The root folder ({root}/landing, quarantine, secure, published, audit, keys, logs, receipts).</summary>
    public string Root { get; }

    /// <summary>The handlers' context.</summary>
    public HubContext Context { get; }

    /// <summary>The logger factory (file under {root}/logs, plus the console when asked).</summary>
    public ILoggerFactory Logging { get; }

    /// <summary>The protocol folder the build copies next to the executable.</summary>
    public static string DefaultProtocolsFolder => Path.Combine(AppContext.BaseDirectory, "protocols");

    /// <summary>Opens the hub at <paramref name="root"/>, loading the protocols and wiring logging.</summary>
    /// <param name="root">The embedded root folder (created if missing).</param>
    /// <param name="protocolsFolder">The protocol YAML folder; null for the default.</param>
    /// <param name="time">The clock.</param>
    /// <param name="consoleLogLevel">Log to standard error from this level; null for the file log only.</param>
    /// <param name="settings">Ingest tuning; null for the defaults.</param>
    /// <exception cref="ProtocolFormatException">A protocol file is malformed.</exception>
    public static EmbeddedHub Open(string root, string? protocolsFolder, TimeProvider time, LogLevel? consoleLogLevel = null, IngestSettings? settings = null)
    {
        var full = Path.GetFullPath(root);
        Directory.CreateDirectory(full);
        var protocols = ProtocolFolder.Load(protocolsFolder ?? DefaultProtocolsFolder);
        var file = new FileLoggerProvider(Path.Combine(full, "logs"), time);
        // A command that logs to the file alone gets a plain factory: LoggerFactory.Create builds a DI container and
        // options first, a cost every short command would pay at start-up.
        var logging = consoleLogLevel is { } level
            ? LoggerFactory.Create(builder =>
            {
                builder.SetMinimumLevel(LogLevel.Information);
                builder.AddProvider(file);

                // Standard error only: standard output carries the command's own summary.
                builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                builder.AddSimpleConsole(o => o.SingleLine = true);
                builder.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, level);
            })
            : new LoggerFactory([file], new LoggerFilterOptions { MinLevel = LogLevel.Information });
        var audit = new LocalAuditLog(full, time);
        var store = new LocalObjectStore(full);
        var receipts = new LocalReceiptStore(full);
        var context = new HubContext(
            store,
            audit,
            receipts,
            new LocalKeyProvider(full),
            protocols,
            time,
            logging)
        {
            Ingest = settings ?? new IngestSettings(),
            Scratch = new LocalScratchSpace(),
            Trail = new AuditTrail(audit, new LocalAuditKeyProvider(full), audit.Anchors, store, receipts, time),
        };
        return new EmbeddedHub(full, context, audit, logging);
    }

    /// <summary>
    /// Refuses, before a command changes anything, when a key it needs is missing, open to other users or malformed, or
    /// when the audit log's end is broken (a torn line, events missing): the exception says what to run.
    /// </summary>
    /// <param name="pseudonymises">True for commands that make tokens (they need the pseudonymisation key too).</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <exception cref="Core.Pseudonymisation.KeyUnavailableException">A key cannot be used.</exception>
    /// <exception cref="Core.Audit.AuditChainBrokenException">The audit log cannot take another event.</exception>
    public async Task CheckReadyAsync(bool pseudonymises, CancellationToken cancellationToken)
    {
        if (pseudonymises)
        {
            await Context.Keys.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        }

        await new LocalAuditKeyProvider(Root).GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        await _audit.CheckWritableAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Start-up clean-up of what a killed or crashed process left: temporary files of processes that have gone (a killed
    /// copy into landing, a killed mart write) and mart files of batches never committed. Safe while other processes work
    /// on the same root: a live writer's files and claims are left alone. (A torn audit line is `audit repair`'s to seal.)
    /// </summary>
    public Task<CleanupOutcome> RecoverAsync(CancellationToken cancellationToken) => new InterruptedWork(Context).RunAsync(cancellationToken);

    /// <summary>
    /// Copies <paramref name="file"/> to landing/{partner}/{feed}/{its name} and runs the ingest handler on it, exactly as
    /// IngestExtract would. A path the handler would refuse (e.g. a partner of "..", or a landing folder that is a
    /// link) is refused without copying anything. When the same content already waits at that path (a delivery made
    /// twice at once) it is handled as it is rather than written again.
    /// </summary>
    /// <param name="file">The extract to copy.</param>
    /// <param name="partner">The sending partner.</param>
    /// <param name="feed">The feed.</param>
    /// <param name="progress">Told how far the file's rows have been read, when given.</param>
    /// <param name="cancellationToken">Cancels the copy and the ingest.</param>
    /// <param name="wait">How to wait for another delivery of the same content, when one holds the claim: told when the
    /// wait begins, and ended by its token (the outcome stays <see cref="IngestStatus.InProgress"/> and the copy stays in
    /// landing for the next run).</param>
    /// <exception cref="ObjectRefusedException">The file given is a link or not a regular file: it is not read.</exception>
    /// <exception cref="LandingNameTakenException">Landing holds a different file of the same name, waiting: neither is touched.</exception>
    /// <exception cref="SourceChangedException">The file changed while it was copied (still being written): nothing lands.</exception>
    public async Task<IngestOutcome> DropAndIngestAsync(string file, string partner, string feed, IProgress<IngestProgress>? progress, CancellationToken cancellationToken, SameContentWait? wait = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var source = new FileInfo(file);
        if (source.LinkTarget is not null || !source.Exists)
        {
            throw new ObjectRefusedException(file, "only a regular file is ingested, not a link.");
        }

        var path = $"{LandingPath.Container}/{partner}/{feed}/{source.Name}";
        var ingest = new IngestExtract(Context, progress);
        if (LandingPath.Check(path).Path is null)
        {
            return await ingest.HandleAsync(path, null, cancellationToken).ConfigureAwait(false);
        }

        StoredObject landed;
        try
        {
            landed = await LandAsync(
                path,
                source.Length,
                source.OpenRead,
                async (output, token) =>
                {
                    var (length, written) = (source.Length, source.LastWriteTimeUtc);
                    var input = source.OpenRead();
                    await using (input.ConfigureAwait(false))
                    {
                        // 1 MB at a time: each read and write of an asynchronous copy goes through the thread pool, and with
                        // the default 80 KB a 324 MB extract took 0.7 s to land against 0.2 s.
                        await input.CopyToAsync(output, 1 << 20, token).ConfigureAwait(false);
                    }

                    // A file its sender is still writing (an upload under way) would be copied cut short and stored as the
                    // whole delivery, and the complete file later as a second batch: the copy is abandoned instead.
                    source.Refresh();
                    if (!source.Exists || source.Length != length || source.LastWriteTimeUtc != written || output.Length != length)
                    {
                        throw new SourceChangedException();
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectRefusedException)
        {
            // The landing folder is (or lies under) a link: nothing is written through it; the handler refuses the path.
            return await ingest.HandleAsync(path, null, cancellationToken).ConfigureAwait(false);
        }

        // The same content being handled by another delivery at this moment: once that one ends (or its claim lapses),
        // this copy is handled again, so it is archived as a duplicate (or processed) rather than left in landing.
        var outcome = await ingest.HandleAsync(path, landed.ETag, cancellationToken).ConfigureAwait(false);
        if (outcome.Status != IngestStatus.InProgress || outcome.Sha256 is null)
        {
            return outcome;
        }

        var key = new ReceiptKey(partner, feed, outcome.Sha256);
        var started = Context.Time.GetTimestamp();
        var stopWaiting = wait?.Stop ?? CancellationToken.None;
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopWaiting);
        wait?.Started();
        while (await Context.Receipts.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } receipt
            && ReceiptRules.IsLive(receipt, Context.Time.GetUtcNow(), Context.Ingest.ClaimLease)
            && Context.Time.GetElapsedTime(started) < 2 * Context.Ingest.ClaimLease)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), waiting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopWaiting.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Nothing of this copy has been read yet: it waits in landing, where the next run (or sweep) handles it.
                return outcome;
            }
        }

        return await ingest.HandleAsync(path, landed.ETag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a file into landing at <paramref name="path"/> with <paramref name="write"/>, never over another: a partner's
    /// delivery waiting there has no receipt until it is claimed, so replacing it would lose it without a trace. The same
    /// content already waiting is taken as this file; a name freed between the write and the look (the waiting file handled
    /// meanwhile) is written again, a few times.
    /// </summary>
    /// <param name="path">The landing path.</param>
    /// <param name="length">The file's length in bytes.</param>
    /// <param name="open">Opens the file's content from its first byte, to compare it with a file waiting at the path.</param>
    /// <param name="write">Writes the file's content.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="LandingNameTakenException">Landing holds a different file at the path: neither is touched.</exception>
    internal async Task<StoredObject> LandAsync(string path, long length, Func<Stream> open, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WaitingCopyAsync(path, length, open, cancellationToken).ConfigureAwait(false)
                    ?? await Context.Store.WriteAsync(path, write, WriteOptions.CreateNew, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectExistsException)
            {
                if (await WaitingCopyAsync(path, length, open, cancellationToken).ConfigureAwait(false) is { } same)
                {
                    return same;
                }

                if (attempt >= 3 || await Context.Store.GetAsync(path, cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new LandingNameTakenException(path);
                }
            }
        }
    }

    /// <summary>True when landing holds a different file at <paramref name="path"/> than the one <paramref name="open"/> reads.</summary>
    internal async Task<bool> HoldsAnotherAsync(string path, long length, Func<Stream> open, CancellationToken cancellationToken) =>
        await WaitingCopyAsync(path, length, open, cancellationToken).ConfigureAwait(false) is null
        && await Context.Store.GetAsync(path, cancellationToken).ConfigureAwait(false) is not null;

    // The version at the path when it holds exactly the content `open` reads; null otherwise.
    private async Task<StoredObject?> WaitingCopyAsync(string path, long length, Func<Stream> open, CancellationToken cancellationToken)
    {
        var existing = await Context.Store.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (existing is null || existing.Length != length)
        {
            return null;
        }

        try
        {
            var landed = await Context.Store.OpenReadAsync(path, existing.ETag, cancellationToken).ConfigureAwait(false);
            await using (landed.ConfigureAwait(false))
            {
                var input = open();
                await using (input.ConfigureAwait(false))
                {
                    var waiting = await SHA256.HashDataAsync(landed, cancellationToken).ConfigureAwait(false);
                    var given = await SHA256.HashDataAsync(input, cancellationToken).ConfigureAwait(false);
                    return waiting.AsSpan().SequenceEqual(given) ? existing : null;
                }
            }
        }
        catch (Exception ex) when (ex is ObjectChangedException or ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Logging.Dispose();
}

/// <summary>Raised when landing already holds a different file of the name a file is to be copied in under; neither is touched.</summary>
public sealed class LandingNameTakenException(string path)
    : Exception("Landing already holds a different file of this name.")
{
    /// <summary>The landing path that is taken (it can hold a partner's file name: never shown).</summary>
    public string Path { get; } = path;
}

/// <summary>Raised when the file given to ingest changed while it was copied into landing; the copy is abandoned, nothing lands.</summary>
public sealed class SourceChangedException()
    : Exception("The file changed while it was copied into landing.");
