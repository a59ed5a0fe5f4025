using System.Diagnostics;
using System.Reflection;

namespace DataHub.Azure.Tests.Infra;

/// <summary>The Bicep compiler from its NuGet package (restored with these tests), run as `az deployment` runs it before deploying.</summary>
internal static class BicepCompiler
{
    /// <summary>Builds <paramref name="bicepFile"/> to an ARM template on standard output: the exit code, the template and the diagnostics.</summary>
    public static async Task<(int Exit, string Template, string Diagnostics)> BuildAsync(string bicepFile)
    {
        var start = new ProcessStartInfo(Compiler(), ["build", bicepFile, "--stdout"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, (await errors).Trim());
    }

    private static string Compiler()
    {
        // The package's props give a Windows-style path; the compiler is a self-contained executable.
        var path = typeof(BicepCompiler).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!
            .Replace('\\', Path.DirectorySeparatorChar);
        return File.Exists(path) ? path : throw new FileNotFoundException("The Bicep compiler package was not restored.", path);
    }
}
