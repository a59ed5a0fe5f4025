using DataHub.Core.Protocols;

namespace DataHub.Storage.Local;

/// <summary>Loads the protocol YAML files (one per partner, plus _profiles.yaml) from a folder.</summary>
public static class ProtocolFolder
{
    /// <summary>Reads every *.yaml file in <paramref name="folder"/> into a checked protocol set.</summary>
    /// <exception cref="ProtocolFormatException">A file is malformed.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static ProtocolSet Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No protocol folder at {folder}.");
        }

        return ProtocolLoader.Load(
            Directory.EnumerateFiles(folder, "*.yaml")
                .Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
    }
}
