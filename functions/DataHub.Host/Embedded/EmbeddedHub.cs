using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;
using DataHub.Core.Protocols;
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
        var logging = LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Information);
            builder.AddProvider(new FileLoggerProvider(Path.Combine(full, "logs"), time));
            if (consoleLogLevel is { } level)
            {
                // Standard error only: standard output carries the command's own summary.
                builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                builder.AddSimpleConsole(o => o.SingleLine = true);
                builder.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, level);
            }
        });
        var audit = new LocalAuditLog(full, time);
        var context = new HubContext(
            new LocalObjectStore(full),
            audit,
            new LocalReceiptStore(full),
            new LocalKeyProvider(full),
            protocols,
            time,
            logging)
        {
            Ingest = settings ?? new IngestSettings(),
            Scratch = new LocalScratchSpace(),
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
    /// Copies <paramref name="file"/> to landing/{partner}/{feed}/{its name} and runs the ingest handler on it, exactly as
    /// the blob trigger would. A path the handler would refuse (e.g. a partner of "..") is refused without copying anything.
    /// </summary>
    public async Task<IngestOutcome> DropAndIngestAsync(string file, string partner, string feed, CancellationToken cancellationToken)
    {
        var path = $"{LandingPath.Container}/{partner}/{feed}/{Path.GetFileName(file)}";
        if (LandingPath.Check(path).Path is null)
        {
            return await new IngestExtract(Context).HandleAsync(path, null, cancellationToken).ConfigureAwait(false);
        }

        var landed = await Context.Store.WriteAsync(
            path,
            async (output, token) =>
            {
                var input = File.OpenRead(file);
                await using (input.ConfigureAwait(false))
                {
                    await input.CopyToAsync(output, token).ConfigureAwait(false);
                }
            },
            WriteOptions.Default,
            cancellationToken).ConfigureAwait(false);
        return await new IngestExtract(Context).HandleAsync(path, landed.ETag, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => Logging.Dispose();
}
