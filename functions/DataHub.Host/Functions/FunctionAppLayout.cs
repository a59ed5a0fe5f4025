using System.Diagnostics;

namespace DataHub.Host.Functions;

/// <summary>
/// The zip-deployable Function App folder: host.json at the top, one folder per function with its function.json,
/// the published `datahub` executable (the custom handler) beside them, and the protocols under protocols/.
/// </summary>
public static class FunctionAppLayout
{
    /// <summary>The executable host.json names (linux-x64 build: no extension).</summary>
    public const string Executable = "datahub";

    /// <summary>Publishes the host (self-contained linux-x64 unless <paramref name="frameworkDependent"/>) into <paramref name="output"/> and adds the Functions files.</summary>
    /// <returns>The files the deployment is missing (empty when complete).</returns>
    public static async Task<IReadOnlyList<string>> PublishAsync(string repoRoot, string output, bool frameworkDependent, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var project = Path.Combine(repoRoot, "functions", "DataHub.Host", "DataHub.Host.csproj");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", frameworkDependent ? "false" : "true", "-o", output, "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            await log.WriteLineAsync((await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false))).ConfigureAwait(false);
            throw new InvalidOperationException($"dotnet publish failed with exit code {process.ExitCode}.");
        }

        Assemble(repoRoot, output);
        return Verify(output);
    }

    /// <summary>Copies host.json, each function's function.json and the protocol files into <paramref name="output"/>.</summary>
    public static void Assemble(string repoRoot, string output)
    {
        Directory.CreateDirectory(output);
        File.Copy(Path.Combine(repoRoot, "host.json"), Path.Combine(output, "host.json"), overwrite: true);
        foreach (var function in CustomHandler.FunctionNames)
        {
            var folder = Path.Combine(output, function);
            Directory.CreateDirectory(folder);
            File.Copy(Path.Combine(repoRoot, "functions", function, "function.json"), Path.Combine(folder, "function.json"), overwrite: true);
        }

        var protocols = Path.Combine(output, "protocols");
        Directory.CreateDirectory(protocols);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repoRoot, "functions", "protocols"), "*.yaml"))
        {
            File.Copy(file, Path.Combine(protocols, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>What a deployable folder lacks: host.json, a function.json per function, the executable, protocols.</summary>
    public static IReadOnlyList<string> Verify(string output)
    {
        var required = new List<string> { "host.json", Executable, Executable + ".dll" };
        required.AddRange(CustomHandler.FunctionNames.Select(f => f + "/function.json"));
        var missing = required.Where(r => !File.Exists(Path.Combine(output, r))).ToList();
        if (!Directory.Exists(Path.Combine(output, "protocols")) || !Directory.EnumerateFiles(Path.Combine(output, "protocols"), "*.yaml").Any())
        {
            missing.Add("protocols/*.yaml");
        }

        return missing;
    }
}
