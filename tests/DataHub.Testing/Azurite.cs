using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace DataHub.Testing;

/// <summary>
/// Azurite (Blob + Table emulator, from tests/node) on 127.0.0.1 with free ports, data in a temp folder so it survives
/// <see cref="StopAsync"/> and <see cref="StartAsync"/> on the same ports (fault tests). Stopped and deleted on dispose.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    // Azurite's documented development account: public, identical in every install.
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TempFolder _workspace = new("azurite");
    private readonly TempFolder _keys = new("azurite-keys");
    private Process? _process;

    private Azurite()
    {
        BlobPort = FreePort();
        TablePort = FreePort();
        QueuePort = FreePort();
    }

    /// <summary>The Blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>The Table service port.</summary>
    public int TablePort { get; }

    /// <summary>The Queue service port (the landing events poison queue the sweep tidies).</summary>
    public int QueuePort { get; }

    /// <summary>
    /// The key folder of the hub whose storage this emulator holds: every test writing to it passes this as its key root,
    /// as one hub has one audit key (a chain sealed under two keys is rightly refused).
    /// </summary>
    public string KeyRoot => _keys.Path;

    /// <summary>Whether the emulator process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>An explicit-endpoint connection string (path-style URLs) for the development account.</summary>
    public string ConnectionString => ConnectionStringFor(BlobPort, TablePort, QueuePort);

    /// <summary>The same account reached through other ports (e.g. a fault-injecting proxy in front of this Azurite).</summary>
    public static string ConnectionStringFor(int blobPort, int tablePort, int queuePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};";

    /// <summary>Starts a fresh emulator and waits until its services accept connections.</summary>
    public static async Task<Azurite> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var azurite = new Azurite();
        try
        {
            await azurite.StartAsync(cancellationToken);
            return azurite;
        }
        catch
        {
            // Nobody else holds it: a node process that did not come up in time must not outlive the test run.
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the emulator on its ports (again, after <see cref="StopAsync"/>, with the same data).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            return;
        }

        var script = Path.Combine(RepoPaths.NodeTools, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException("Azurite is not installed: run `npm install --prefix tests/node` (tests/run.sh does).");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = _workspace.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            script, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--location", _workspace.Path,
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start Azurite.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!(await AcceptsAsync(BlobPort, cancellationToken) && await AcceptsAsync(TablePort, cancellationToken) && await AcceptsAsync(QueuePort, cancellationToken)))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before it was ready (ports {BlobPort}, {TablePort}, {QueuePort}).");
            }

            // Node starts Azurite in a second or two; a CPU-starved CI machine running several at once needs far longer.
            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("Azurite did not accept connections within 2 minutes.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Stops the emulator gracefully (SIGTERM, so it saves its data), killing it if it lingers.</summary>
    public Task StopAsync() => StopAsync(graceful: true);

    private async Task StopAsync(bool graceful)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            if (!graceful || OperatingSystem.IsWindows() || !await SignalTermAsync(process.Id))
            {
                process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        process.Dispose();

        // The ports are released when the process exits; wait until nothing answers so a restart can bind them.
        for (var i = 0; i < 50 && (await AcceptsAsync(BlobPort, CancellationToken.None) || await AcceptsAsync(TablePort, CancellationToken.None)); i++)
        {
            await Task.Delay(100);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Its data goes with the workspace, so there is nothing to save: no need to wait for a graceful exit.
        await StopAsync(graceful: false);
        _workspace.Dispose();
        _keys.Dispose();
    }

    // SIGTERM rather than Process.Kill (SIGKILL): Azurite saves its metadata on a graceful exit.
    private static async Task<bool> SignalTermAsync(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        if (kill is null)
        {
            return false;
        }

        await kill.WaitForExitAsync();
        return kill.ExitCode == 0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>One Azurite for every test in a class (xunit class fixture) or collection.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? _azurite;

    /// <summary>The running emulator.</summary>
    public Azurite Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _azurite = await Azurite.StartNewAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
