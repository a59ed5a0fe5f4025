using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Storage;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>A hub over a temporary root with the demo protocols, a fixed test key and a clock on 2026-11-22.</summary>
internal sealed class HubFixture : IDisposable
{
    public const string PoliceHeader = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral";

    private readonly TempFolder _folder = new("ingest");

    public HubFixture(IObjectStore? store = null, IKeyProvider? keys = null)
    {
        Store = new LocalObjectStore(_folder.Path);
        LocalAuditKeyProvider.Create(_folder.Path);
        var fixedKeys = new FixedKeys("v1", 7);
        Labels = new FileLabels(fixedKeys.Key);
        Hub = new HubContext(
            store ?? Store,
            new LocalAuditLog(_folder.Path, Clock),
            new LocalReceiptStore(_folder.Path),
            keys ?? fixedKeys,
            ProtocolFolder.Load(Path.Combine(RepoPaths.Root, "functions", "protocols")),
            Clock)
        {
            Ingest = new IngestSettings { MartCompression = DataHub.Parquet.ParquetCompression.Uncompressed },
        };
    }

    public ManualClock Clock { get; } = ManualClock.On(2026, 11, 22);

    /// <summary>
    /// Moves the clock to <paramref name="age"/> after now by the machine's clock: the local store's object times follow that
    /// clock, not the fixture's fixed date, so an age judged from them must be counted from now (whatever day the tests run).
    /// </summary>
    public void AdvanceToAge(TimeSpan age) => Clock.Advance(DateTimeOffset.UtcNow + age - Clock.GetUtcNow());

    public LocalObjectStore Store { get; }

    /// <summary>The labels the hub names files by under the fixture's test key (the default keys).</summary>
    public FileLabels Labels { get; }

    public HubContext Hub { get; init; }

    public string Root => _folder.Path;

    public async Task<IngestOutcome> DropAndIngestAsync(string path, string content, Encoding? encoding = null) =>
        await DropAndIngestAsync(path, (encoding ?? new UTF8Encoding(false)).GetBytes(content));

    public async Task<IngestOutcome> DropAndIngestAsync(string path, byte[] content)
    {
        var landed = await Store.WriteAsync(path, (s, ct) => s.WriteAsync(content, ct).AsTask(), WriteOptions.Default, default);
        return await new IngestExtract(Hub).HandleAsync(path, landed.ETag, default);
    }

    public async Task<List<string>> ListAsync(string prefix)
    {
        var paths = new List<string>();
        await foreach (var o in Store.ListAsync(prefix, default))
        {
            paths.Add(o.Path);
        }

        return paths;
    }

    public async Task<List<AuditEvent>> AuditAsync() => await Hub.Audit.ReadAsync(default).ToListAsync();

    public string Text(string path) => File.ReadAllText(Store.FullPath(path));

    public void Dispose() => _folder.Dispose();
}

/// <summary>A key provider with one deterministic test key (never used outside tests).</summary>
internal sealed class FixedKeys(string version, byte seed) : IKeyProvider
{
    public PseudonymisationKey Key { get; } = new(version, Enumerable.Range(seed, 32).Select(i => (byte)i).ToArray());

    public Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken) => Task.FromResult(Key);

    public Task<PseudonymisationKey> GetVersionAsync(string v, CancellationToken cancellationToken) =>
        v == version ? Task.FromResult(Key) : throw new KeyUnavailableException($"No key version {v}.");
}

/// <summary>A key provider after a rotation: <paramref name="current"/> is current, and <paramref name="earlier"/>'s versions stay readable.</summary>
internal sealed class RotatedKeys(IKeyProvider earlier, FixedKeys current) : IKeyProvider
{
    public Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken) => Task.FromResult(current.Key);

    public Task<PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken) =>
        version == current.Key.Version ? Task.FromResult(current.Key) : earlier.GetVersionAsync(version, cancellationToken);
}

/// <summary>No key at all: the hub must refuse to pseudonymise.</summary>
internal sealed class NoKeys : IKeyProvider
{
    public Task<PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken) => throw new KeyUnavailableException("No key configured.");

    public Task<PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken) => throw new KeyUnavailableException("No key configured.");
}

/// <summary>A process that has run and ended: its id and start time name no live process (for claims and temporary files left by the dead).</summary>
internal static class EndedProcess
{
    public static (int Id, DateTimeOffset Started) Make()
    {
        // Waits on its input, so its start time can be read while it lives; then it ends.
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cat") { UseShellExecute = false, RedirectStandardInput = true })!;
        var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.Id, started);
    }

    /// <summary>Its tag as temporary file names carry it: "{pid}-{start as Unix seconds, hex}".</summary>
    public static string Tag()
    {
        var (id, started) = Make();
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id}-{started.ToUnixTimeSeconds():x}");
    }
}
