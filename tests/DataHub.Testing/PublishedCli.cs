using System.Diagnostics;

namespace DataHub.Testing;

/// <summary>
/// The `datahub` a user installs: functions/DataHub.Host published as README's install step publishes it (a Native AOT
/// executable), into the obj folder of the test or benchmark project that asks, once per run of it. Publishing again when
/// nothing changed only checks that the output is up to date.
/// </summary>
/// <param name="Path">The published executable.</param>
/// <param name="Took">How long the publish (or the up-to-date check) took.</param>
public sealed record PublishedCli(string Path, TimeSpan Took)
{
    /// <summary>What the executable is, for a benchmark's or test's output.</summary>
    public const string Description = "the published CLI (a Native AOT executable; `dotnet publish functions/DataHub.Host -c Release`)";

    /// <summary>Publishes the host into tests/{project}/obj/published-datahub (when that output is out of date).</summary>
    /// <param name="project">The asking test or benchmark project's folder name under tests/, e.g. DataHub.Benchmarks.</param>
    /// <exception cref="InvalidOperationException">`dotnet publish` failed; its output is in the message.</exception>
    public static PublishedCli Publish(string project)
    {
        var output = System.IO.Path.Combine(RepoPaths.Root, "tests", project, "obj", "published-datahub");
        var host = System.IO.Path.Combine(RepoPaths.Root, "functions", "DataHub.Host", "DataHub.Host.csproj");

        // No build servers: a compiler or MSBuild node left running would hold this process's output pipe open after publish ends.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "publish", host, "-c", "Release", "-o", output, "-nologo", "-clp:ErrorsOnly", "--disable-build-servers" })
        {
            start.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        using var publish = Process.Start(start)!;
        var log = publish.StandardOutput.ReadToEnd();
        publish.WaitForExit();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the datahub host failed ({publish.ExitCode}):{Environment.NewLine}{log}");
        }

        return new PublishedCli(System.IO.Path.Combine(output, "datahub"), watch.Elapsed);
    }
}
