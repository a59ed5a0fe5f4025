using System.Text.Json;

namespace DataHub.Storage.Local;

/// <summary>
/// Objects' metadata as JSON files in a folder of their own ("{root}/.metadata/{container}/…/{name}.json"), so listings of
/// the containers show only objects. Each is replaced whole through a temporary file.
/// </summary>
internal sealed class MetadataSidecars(string folder)
{
    /// <summary>Stores an object's metadata; none (null or empty) removes its sidecar.</summary>
    public void Write(string[] segments, IReadOnlyDictionary<string, string>? metadata)
    {
        var sidecar = PathOf(segments);
        if (metadata is null || metadata.Count == 0)
        {
            if (File.Exists(sidecar))
            {
                File.Delete(sidecar);
            }

            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(sidecar)!);
        var temp = TemporaryFiles.PathBeside(sidecar);
        File.WriteAllText(temp, JsonSerializer.Serialize(metadata, StorageJson.Default.DictionaryStringString));
        File.Move(temp, sidecar, overwrite: true);
    }

    /// <summary>An object's metadata; empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Read(string[] segments)
    {
        var sidecar = PathOf(segments);
        return File.Exists(sidecar) ? JsonSerializer.Deserialize(File.ReadAllText(sidecar), StorageJson.Default.DictionaryStringString) ?? [] : new Dictionary<string, string>();
    }

    private string PathOf(string[] segments) => Path.Combine(folder, Path.Combine(segments) + ".json");
}
