using System.Text.Json;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>The build output folders of the app's projects, in the configuration and framework these tests were built with.</summary>
internal static class BuildOutputs
{
    // This assembly runs from tests/DataHub.Azure.Tests/bin/{configuration}/{framework}/.
    private static readonly DirectoryInfo Own = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>functions/DataHub.Functions' output: what `dotnet build` made of the Function App.</summary>
    public static string FunctionApp => Of("DataHub.Functions");

    /// <summary>functions/DataHub.Host's output: the `datahub` CLI.</summary>
    public static string Cli => Of("DataHub.Host");

    /// <summary>A JSON file of an output folder.</summary>
    public static JsonElement Json(string folder, string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, file))).RootElement.Clone();

    private static string Of(string project)
    {
        var folder = Path.Combine(RepoPaths.Root, "functions", project, "bin", Own.Parent!.Name, Own.Name);
        return Directory.Exists(folder) ? folder : throw new DirectoryNotFoundException($"{project} has not been built to {folder}.");
    }
}
