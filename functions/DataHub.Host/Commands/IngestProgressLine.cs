using System.Globalization;
using DataHub.Core.Ingestion;

namespace DataHub.Host.Commands;

/// <summary>
/// An ingest's progress on one line of a terminal (rows, MB read of the file's, rows per second, elapsed), redrawn in
/// place a few times a second and ended with a newline when disposed.
/// </summary>
/// <remarks>Reports arrive on the ingest's reading worker; drawing is throttled so a long file costs a few hundred
/// writes. Only counts are drawn, never a value from the file.</remarks>
internal sealed class IngestProgressLine : IProgress<IngestProgress>, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly TextWriter _terminal;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly Lock _gate = new();
    private IngestProgress? _latest;
    private long _lastDrawn;
    private int _width;

    /// <summary>Draws on <paramref name="terminal"/>, timing with <paramref name="time"/>.</summary>
    public IngestProgressLine(TextWriter terminal, TimeProvider time)
    {
        _terminal = terminal;
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>
    /// A progress line on standard error when both standard output and standard error are the real, unredirected
    /// console; otherwise null, so output captured in a file or a pipe carries nothing extra.
    /// </summary>
    public static IngestProgressLine? ForConsole(CommandEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var terminal = ReferenceEquals(env.Error, Console.Error) && ReferenceEquals(env.Output, Console.Out)
            && !Console.IsErrorRedirected && !Console.IsOutputRedirected;
        return terminal ? new IngestProgressLine(env.Error, env.Time) : null;
    }

    /// <inheritdoc />
    public void Report(IngestProgress value)
    {
        lock (_gate)
        {
            var first = _latest is null;
            _latest = value;
            if (first || _time.GetElapsedTime(_lastDrawn) >= Interval)
            {
                Draw(value);
            }
        }
    }

    /// <summary>Draws the last figures and ends the line.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_latest is { } last)
            {
                Draw(last);
                _terminal.WriteLine();
                _terminal.Flush();
                _latest = null;
            }
        }
    }

    /// <summary>The figures as drawn: rows, MB (of the file's MB when known), rows per second, elapsed.</summary>
    internal static string Describe(IngestProgress value, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mb = value.Bytes / 1048576.0;
        var size = value.FileBytes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{mb:F1} of {value.FileBytes / 1048576.0:F1} MB") : string.Create(CultureInfo.InvariantCulture, $"{mb:F1} MB");
        var rate = elapsed.TotalSeconds > 0 ? value.Rows / elapsed.TotalSeconds : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{value.Rows:N0} rows, {size}, {rate:N0} rows/s, {elapsed:hh\\:mm\\:ss} elapsed");
    }

    private void Draw(IngestProgress value)
    {
        _lastDrawn = _time.GetTimestamp();
        var text = Describe(value, _time.GetElapsedTime(_started));

        // Carriage return redraws the line in place; padding wipes what a longer previous line left.
        _terminal.Write("\r" + text.PadRight(_width));
        _terminal.Flush();
        _width = text.Length;
    }
}
