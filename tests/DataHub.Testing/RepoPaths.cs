namespace DataHub.Testing;

/// <summary>Finds the repository's folders from wherever a test or benchmark runs.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding DataHub.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The npm project with the independent test engines (DuckDB, Azurite).</summary>
    public static string NodeTools => Path.Combine(Root, "tests", "node");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"DataHub.sln not found above {AppContext.BaseDirectory}.");
    }
}
