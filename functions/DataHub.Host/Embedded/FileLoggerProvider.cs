using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Embedded;

/// <summary>Writes log lines to "{root}/logs/datahub-{yyyyMMdd}.log" (UTC date), one line per message, appended.</summary>
/// <remarks>Handlers log paths, counts and rule codes only; this provider adds nothing but time, level and category.</remarks>
public sealed class FileLoggerProvider : ILoggerProvider
{
    private readonly string _folder;
    private readonly TimeProvider _time;
    private readonly LogLevel _minimum;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, FileLogger> _loggers = new(StringComparer.Ordinal);

    /// <summary>Logs at <paramref name="minimum"/> and above into <paramref name="folder"/>.</summary>
    public FileLoggerProvider(string folder, TimeProvider time, LogLevel minimum = LogLevel.Information)
    {
        _folder = folder;
        _time = time;
        _minimum = minimum;
        Directory.CreateDirectory(folder);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new FileLogger(this, name));

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        var now = _time.GetUtcNow();
        var line = new StringBuilder()
            .Append(now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Append(level.ToString().ToUpperInvariant()).Append(' ')
            .Append(category).Append(": ")
            .Append(message.ReplaceLineEndings(" "));
        if (exception is not null)
        {
            // The type only: exception messages from deep in a library are not ours to vouch for.
            line.Append(" [").Append(exception.GetType().Name).Append(']');
        }

        line.Append('\n');
        var path = Path.Combine(_folder, $"datahub-{now:yyyyMMdd}.log");
        lock (_gate)
        {
            File.AppendAllText(path, line.ToString());
        }
    }

    private sealed class FileLogger(FileLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(category, logLevel, formatter(state, exception), exception);
            }
        }
    }
}
