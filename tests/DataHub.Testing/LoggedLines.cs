using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DataHub.Testing;

/// <summary>What the hub logs, kept for a test: each line's level, its message, and the line whole (message, structured values,
/// exception, and scopes as lines of their own) for tests that scan a run's logs for raw values.</summary>
public sealed class LoggedLines : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message, string Whole)> _lines = new();

    /// <summary>Every line whole, scopes included, in the order logged.</summary>
    public IReadOnlyList<string> Lines => [.. _lines.Select(l => l.Whole)];

    /// <summary>The messages logged as warnings.</summary>
    public IReadOnlyList<string> Warnings => [.. _lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message)];

    /// <summary>The messages logged as errors or worse.</summary>
    public IReadOnlyList<string> Errors => [.. _lines.Where(l => l.Level >= LogLevel.Error && l.Level != LogLevel.None).Select(l => l.Message)];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => this;

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        _lines.Enqueue((LogLevel.None, string.Empty, $"[scope] {state}"));
        return null;
    }

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var message = formatter(state, exception);
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
        _lines.Enqueue((logLevel, message, $"{message} | {values} | {exception}"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
