using System.Diagnostics;
using System.Globalization;
using DataHub.Testing;

namespace DataHub.Benchmarks;

/// <summary>
/// The `datahub` a user runs: functions/DataHub.Host published as README's install step publishes it (self-contained,
/// ReadyToRun composite), once per benchmark run into this project's obj folder. Publishing again when nothing changed
/// only checks that the output is up to date.
/// </summary>
internal static class PublishedCli
{
    /// <summary>Publishes the host (when its output is out of date) and returns the published executable's path.</summary>
    /// <exception cref="InvalidOperationException">`dotnet publish` failed; its output is in the message.</exception>
    public static string Publish()
    {
        var output = Path.Combine(RepoPaths.Root, "tests", "DataHub.Benchmarks", "obj", "published-datahub");
        var project = Path.Combine(RepoPaths.Root, "functions", "DataHub.Host", "DataHub.Host.csproj");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-o", output, "-nologo", "-clp:ErrorsOnly" })
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

        var datahub = Path.Combine(output, "datahub");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"datahub: the published CLI (self-contained, ReadyToRun composite; `dotnet publish functions/DataHub.Host -c Release`), {datahub}, published or checked in {watch.Elapsed.TotalSeconds:F0} s"));
        return datahub;
    }
}
