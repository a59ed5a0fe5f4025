using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DataHub.Benchmarks;

/// <summary>What one run of a command cost, as the kernel counted it for that process alone.</summary>
/// <param name="Seconds">Wall time from start to exit.</param>
/// <param name="CpuSeconds">User plus system CPU time.</param>
/// <param name="PeakRssMb">Peak resident set size (VmHWM), in MB.</param>
/// <param name="ExitCode">The command's exit code.</param>
/// <param name="Output">The command's standard output.</param>
internal sealed record RunCost(double Seconds, double CpuSeconds, double PeakRssMb, int ExitCode, string Output);

/// <summary>
/// Runs a command as a user would and measures it from outside: `measure -- EXE ARGS…` starts the command as the only
/// child of a small process of its own, waits for it, and prints one JSON line with its wall time and, from
/// getrusage(RUSAGE_CHILDREN), its CPU time and peak RSS, which are then exactly that command's (start-up included).
/// </summary>
internal static partial class ProcessMeasure
{
    private const int RusageChildren = -1;

    /// <summary>Runs <paramref name="command"/> with <paramref name="arguments"/> under a measuring process; stdout is redirected, so no progress is drawn.</summary>
    public static RunCost Run(string command, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Self("measure", "--", command);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var measure = Process.Start(start)!;
        var output = measure.StandardOutput.ReadToEnd();
        measure.WaitForExit();
        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var r = doc.RootElement;
        return new RunCost(r.GetProperty("seconds").GetDouble(), r.GetProperty("cpu_seconds").GetDouble(), r.GetProperty("peak_rss_kb").GetDouble() / 1024,
            r.GetProperty("exit").GetInt32(), r.GetProperty("output").GetString() ?? "");
    }

    /// <summary>The `measure -- EXE ARGS…` process: runs the command and prints its cost as JSON.</summary>
    public static int MeasureChild(string[] args)
    {
        var at = Array.IndexOf(args, "--");
        if (at < 0 || at + 1 >= args.Length)
        {
            Console.Error.WriteLine("usage: DataHub.Benchmarks measure -- EXE [ARGS...]");
            return 2;
        }

        var start = new ProcessStartInfo(args[at + 1]) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args[(at + 2)..])
        {
            start.ArgumentList.Add(a);
        }

        var watch = Stopwatch.StartNew();
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var seconds = watch.Elapsed.TotalSeconds;
        if (GetRusage(RusageChildren, out var usage) != 0)
        {
            Console.Error.WriteLine("getrusage failed");
            return 1;
        }

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["seconds"] = seconds,
            ["cpu_seconds"] = usage.UserSeconds + usage.SystemSeconds,
            ["peak_rss_kb"] = usage.MaxRssKb,
            ["exit"] = child.ExitCode,
            ["output"] = output.Trim(),
        }));
        return 0;
    }

    /// <summary>A process of this benchmark program with the given arguments, stdout redirected.</summary>
    public static ProcessStartInfo Self(params string[] arguments)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(ProcessMeasure).Assembly.Location);
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    /// <summary>The load average now, for the record next to each figure.</summary>
    public static string Load() => File.ReadAllText("/proc/loadavg").Trim();

    /// <summary>Formats with the invariant culture.</summary>
    public static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRusage(int who, out Rusage usage);

    /// <summary>Linux's struct rusage on 64-bit: two timevals, then fourteen longs starting with ru_maxrss (KB).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSec;
        public long UserMicro;
        public long SystemSec;
        public long SystemMicro;
        public long MaxRssKb;
        public long Ixrss;
        public long Idrss;
        public long Isrss;
        public long MinFlt;
        public long MajFlt;
        public long NSwap;
        public long InBlock;
        public long OuBlock;
        public long MsgSnd;
        public long MsgRcv;
        public long NSignals;
        public long NVcsw;
        public long NIvcsw;

        public readonly double UserSeconds => UserSec + (UserMicro / 1e6);

        public readonly double SystemSeconds => SystemSec + (SystemMicro / 1e6);
    }
}
