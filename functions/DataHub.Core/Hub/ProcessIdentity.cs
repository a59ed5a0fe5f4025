using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace DataHub.Core.Hub;

/// <summary>
/// Which process on which machine did something (held a claim, is writing a temporary file), so that another process can
/// tell when it has gone: killed, crashed or stopped. The start time tells a reused process id from the original.
/// </summary>
/// <param name="Host">The machine name.</param>
/// <param name="ProcessId">The operating system's process id.</param>
/// <param name="StartedAt">When the process started (UTC, to the second).</param>
public sealed record ProcessIdentity(string Host, int ProcessId, DateTimeOffset StartedAt)
{
    /// <summary>This process.</summary>
    public static ProcessIdentity Current { get; } = Capture();

    /// <summary>A compact form for names: "{pid}-{start as Unix seconds, hex}" (the host is left out: names stay short).</summary>
    public string Tag => string.Create(CultureInfo.InvariantCulture, $"{ProcessId}-{StartedAt.ToUnixTimeSeconds():x}");

    /// <summary>Parses <see cref="Tag"/> back, on this host; null when it is not one.</summary>
    public static ProcessIdentity? FromTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var parts = tag.Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var seconds)
            ? new ProcessIdentity(Environment.MachineName, pid, DateTimeOffset.FromUnixTimeSeconds(seconds))
            : null;
    }

    /// <summary>
    /// True when the process is known to have ended: it ran on this machine and no process with its id and start time
    /// exists. A process on another machine is never known to be gone (its lease decides instead).
    /// </summary>
    public bool IsGone()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(ProcessId);

            // A reused id belongs to a later process; a second's leeway covers rounding of the recorded start.
            return process.HasExited || Math.Abs((StartedOf(process) - StartedAt).TotalSeconds) > 1.5;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
        catch (Win32Exception)
        {
            return false;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static ProcessIdentity Capture()
    {
        using var self = Process.GetCurrentProcess();
        return new ProcessIdentity(Environment.MachineName, self.Id, StartedOf(self));
    }

    private static DateTimeOffset StartedOf(Process process) =>
        DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeSeconds());
}
