using System.Text.Json;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>infra/main.bicep compiled once per test class: the ARM template a deployment would send, to assert on.</summary>
public sealed class MainTemplate : IAsyncLifetime
{
    private JsonDocument? _template;

    /// <summary>The template's resources (a loop is one resource with a "copy" block).</summary>
    public IReadOnlyList<JsonElement> Resources { get; private set; } = [];

    /// <summary>The resources of one type.</summary>
    public IReadOnlyList<JsonElement> OfType(string type) =>
        Resources.Where(r => r.GetProperty("type").GetString() == type).ToList();

    /// <summary>A parameter's declaration (type, defaultValue, minValue, maxValue).</summary>
    public JsonElement Parameter(string name) => _template!.RootElement.GetProperty("parameters").GetProperty(name);

    /// <summary>A variable's value as compiled.</summary>
    public JsonElement Variable(string name) => _template!.RootElement.GetProperty("variables").GetProperty(name);

    /// <summary>The template expression ARM evaluates to the id of the resource of <paramref name="type"/> named by <paramref name="nameArguments"/>.</summary>
    public static string ResourceId(string type, params string[] nameArguments) => $"[resourceId('{type}', {string.Join(", ", nameArguments)})]";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var build = await BicepCompiler.BuildAsync(Path.Combine(RepoPaths.Root, "infra", "main.bicep"));
        build.Exit.Should().Be(0, build.Diagnostics);
        _template = JsonDocument.Parse(build.Template);
        Resources = _template.RootElement.GetProperty("resources").EnumerateArray().ToList();
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        _template?.Dispose();
        return Task.CompletedTask;
    }
}
