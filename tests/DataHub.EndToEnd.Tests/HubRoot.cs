using System.Text;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Host;
using DataHub.Host.Commands;
using DataHub.Parquet;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>A temporary embedded root driven through the `datahub` command line, with a clock on 2026-11-22.</summary>
internal sealed class HubRoot : IDisposable
{
    private readonly TempFolder _folder = new("e2e");

    public HubRoot(ManualClock? clock = null) => Clock = clock ?? ManualClock.On(2026, 11, 22);

    public ManualClock Clock { get; }

    public string Path => _folder.Path;

    public string Inputs => Directory.CreateDirectory(System.IO.Path.Combine(_folder.Path, "..", System.IO.Path.GetFileName(_folder.Path) + "-inputs")).FullName;

    /// <summary>Runs a datahub command against this root; returns the exit code and everything printed.</summary>
    public async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        var env = new CommandEnvironment(output, output, Clock, new IngestSettings { MartCompression = ParquetCompression.Uncompressed });
        var code = await Program.RunAsync([.. args, "--root", Path], env);
        return (code, output.ToString());
    }

    /// <summary>Writes an input file outside the root, as an extract delivered earlier, and ingests it.</summary>
    public async Task<(int Code, string Output)> IngestAsync(string partner, string feed, string fileName, byte[] content)
    {
        var file = System.IO.Path.Combine(Inputs, fileName);
        await File.WriteAllBytesAsync(file, content);

        // Written a moment ago it would be taken for an upload still under way (and the clock stands still: it never settles).
        Delivered.Earlier(file, Clock);
        return await RunAsync("ingest", file, "--partner", partner, "--feed", feed);
    }

    public Task<(int Code, string Output)> IngestAsync(string partner, string feed, string fileName, string csv, Encoding? encoding = null) =>
        IngestAsync(partner, feed, fileName, (encoding ?? new UTF8Encoding(false)).GetBytes(csv));

    /// <summary>Every file under a folder of the root, as forward-slash paths relative to the root.</summary>
    public IReadOnlyList<string> Files(string folder)
    {
        var full = System.IO.Path.Combine(Path, folder);
        return Directory.Exists(full)
            ? [.. Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Select(f => System.IO.Path.GetRelativePath(Path, f).Replace('\\', '/')).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>The label the hub names <paramref name="fileName"/> by, under the root's current key (which must exist).</summary>
    public string Label(string fileName) =>
        new FileLabels(new LocalKeyProvider(Path).GetCurrentAsync(CancellationToken.None).GetAwaiter().GetResult()).Label(fileName);

    public string Text(string relative) => File.ReadAllText(System.IO.Path.Combine(Path, relative));

    public void Dispose()
    {
        _folder.Dispose();
        try
        {
            Directory.Delete(System.IO.Path.Combine(_folder.Path, "..", System.IO.Path.GetFileName(_folder.Path) + "-inputs"), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
