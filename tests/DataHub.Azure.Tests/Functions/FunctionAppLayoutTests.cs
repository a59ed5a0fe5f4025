using DataHub.Host.Functions;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// The deployable folder's layout. `dotnet publish` itself is not run here (minutes on a shared 2-core machine);
/// the executable is stood in by empty files, and the real publish is checked by hand (`datahub publish`).
/// </summary>
public sealed class FunctionAppLayoutTests
{
    [Fact]
    public void Assembled_folder_has_host_json_a_folder_per_function_and_the_protocols()
    {
        using var output = new TempFolder("publish");
        File.WriteAllBytes(output.File(FunctionAppLayout.Executable), []);
        File.WriteAllBytes(output.File(FunctionAppLayout.Executable + ".dll"), []);

        FunctionAppLayout.Assemble(RepoPaths.Root, output.Path);

        FunctionAppLayout.Verify(output.Path).Should().BeEmpty();
        File.ReadAllText(output.File("IngestExtract", "function.json")).Should().Contain("blobTrigger");
        Directory.GetFiles(output.File("protocols"), "*.yaml").Select(Path.GetFileName)
            .Should().BeEquivalentTo(Directory.GetFiles(Path.Combine(RepoPaths.Root, "functions", "protocols"), "*.yaml").Select(Path.GetFileName));
    }

    [Fact]
    public void Folder_without_the_executable_is_reported_incomplete()
    {
        using var output = new TempFolder("publish");

        FunctionAppLayout.Assemble(RepoPaths.Root, output.Path);

        FunctionAppLayout.Verify(output.Path).Should().Contain([FunctionAppLayout.Executable, FunctionAppLayout.Executable + ".dll"]);
    }
}
