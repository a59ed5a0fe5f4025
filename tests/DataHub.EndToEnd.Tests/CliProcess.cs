using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DataHub.EndToEnd.Tests;

/// <summary>The built `datahub` command line as a child process: started, waited for, interrupted or killed, its memory watched.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _watch;
    private long _peakBytes;

    private CliProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _watch = Task.Run(WatchMemoryAsync);
    }

    public int Id => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Everything printed so far, standard output and error interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The highest resident memory seen (Linux VmHWM), in bytes.</summary>
    public long PeakBytes => Interlocked.Read(ref _peakBytes);

    public static CliProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts `datahub` with <paramref name="environment"/> added to its environment.</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(null, environment, args);

    /// <summary>Runs <paramref name="executable"/> (a published `datahub`) to the end with <paramref name="environment"/> added to its environment (or fails the test after <paramref name="timeout"/>).</summary>
    public static async Task<(int Code, string Output)> RunExecutableAsync(string executable, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        using var process = Start(executable, environment, args);
        var code = await process.WaitAsync(timeout);
        return (code, process.Output);
    }

    /// <summary>Starts <paramref name="executable"/>, or without one the build output's datahub.dll through `dotnet`.</summary>
    private static CliProcess Start(string? executable, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo(executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (executable is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datahub.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new CliProcess(Process.Start(start)!);
    }

    /// <summary>Runs to the end (or fails the test after <paramref name="timeout"/>).</summary>
    public static Task<(int Code, string Output)> RunAsync(TimeSpan timeout, params string[] args) => RunAsync(new Dictionary<string, string>(), timeout, args);

    /// <summary>Runs to the end with <paramref name="environment"/> added to its environment (or fails the test after <paramref name="timeout"/>).</summary>
    public static async Task<(int Code, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        using var process = Start(environment, args);
        var code = await process.WaitAsync(timeout);
        return (code, process.Output);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"datahub did not finish within {timeout}: {Output}");
        }

        _process.WaitForExit();
        await _watch;
        return _process.ExitCode;
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash or an out-of-memory kill would.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had ended already.
        }

        _process.WaitForExit();
    }

    /// <summary>Sends Ctrl+C (SIGINT).</summary>
    public void Interrupt() => Signal("INT");

    /// <summary>Stops the process where it stands (SIGSTOP), as a stalled machine would, until <see cref="Resume"/>.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused process go on (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WatchMemoryAsync()
    {
        var status = $"/proc/{_process.Id}/status";
        while (!_process.HasExited)
        {
            try
            {
                foreach (var line in await File.ReadAllLinesAsync(status))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        var kb = long.Parse(line["VmHWM:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
                        Interlocked.Exchange(ref _peakBytes, Math.Max(Interlocked.Read(ref _peakBytes), kb * 1024));
                    }
                }
            }
            catch (IOException)
            {
                return; // Gone.
            }

            await Task.Delay(20);
        }
    }
}
