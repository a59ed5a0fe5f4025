using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Azure.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DataHub.Azure.Tests.Diagnostics;

/// <summary>
/// Every log line at every level: the hub's loggers (message, structured values, exception) and the Azure SDK's own
/// event sources at Verbose, as an operator who turned everything up would see them.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly AzureEventSourceListener _sdk;

    public CapturedLogs()
    {
        Factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(this));
        _sdk = new AzureEventSourceListener((_, message) => _lines.Enqueue("[sdk] " + message), EventLevel.Verbose);
    }

    /// <summary>The factory to give the hub.</summary>
    public ILoggerFactory Factory { get; }

    /// <summary>Everything captured so far, one entry per line.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        _sdk.Dispose();
        Factory.Dispose();
    }

    private sealed class Logger(CapturedLogs capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            capture._lines.Enqueue($"[scope] {category}: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            capture._lines.Enqueue($"[{logLevel}] {category}: {formatter(state, exception)} | {values} | {exception}");
        }
    }
}

/// <summary>
/// The tests that capture logs run alone: the SDK's event sources are process-wide, so a capture taken while other tests
/// run would hold their test clients' requests (blob names the hub never logs) beside the hub's own lines.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CapturedLogsCollection
{
    /// <summary>The collection's name for <c>[Collection(CapturedLogsCollection.Name)]</c>.</summary>
    public const string Name = "Captured logs";
}
