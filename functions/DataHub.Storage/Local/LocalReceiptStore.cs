using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using DataHub.Core.Receipts;

namespace DataHub.Storage.Local;

/// <summary>
/// Receipts as JSON files at "{root}/receipts/{partner}/{feed}/{sha256}.json". Each operation holds a per-receipt lock
/// file, and the first claim is created with an atomic create-if-absent rename, so two deliveries of the same content
/// (even in two processes) are processed once.
/// </summary>
public sealed class LocalReceiptStore : IReceiptStore
{
    private readonly string _folder;

    /// <summary>Keeps receipts under <paramref name="root"/>.</summary>
    public LocalReceiptStore(string root) => _folder = Path.Combine(Path.GetFullPath(root), "receipts");

    /// <inheritdoc />
    public async Task<ClaimResult> TryClaimAsync(ReceiptKey key, ClaimRequest request, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        using var held = await FileLock.AcquireAsync(path + ".lock", cancellationToken).ConfigureAwait(false);
        var existing = Read(path);
        if (existing is null)
        {
            var receipt = ReceiptRules.NewClaim(key, request);
            if (Write(path, receipt, createOnly: true))
            {
                return new ClaimResult(ClaimStatus.Claimed, receipt);
            }

            existing = Read(path)!;
        }

        var (status, next) = ReceiptRules.Reclaim(existing, request);
        if (status == ClaimStatus.Claimed)
        {
            Write(path, next, createOnly: false);
        }

        return new ClaimResult(status, next, existing);
    }

    /// <inheritdoc />
    public Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken) => Task.FromResult(Read(PathOf(key)));

    /// <inheritdoc />
    /// <remarks>Under the receipt's lock file.</remarks>
    public async Task<Receipt?> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt?> change, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        using var held = await FileLock.AcquireAsync(path + ".lock", cancellationToken).ConfigureAwait(false);
        var existing = Read(path) ?? throw new InvalidOperationException($"No receipt for {key} to update: it was never claimed.");
        var next = change(existing);
        if (next is not null)
        {
            Write(path, next, createOnly: false);
        }

        return next;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The renewal and the step run under the receipt's lock file: a takeover, a heartbeat, a completion and clean-up's
    /// judgement of the claim all wait for the step to end, so no other worker acts on this content while it runs, and a
    /// worker that stalls inside it holds the others off rather than being overtaken (its lock goes with its process).
    /// </remarks>
    public async Task RunFencedAsync(ReceiptKey key, ClaimOwner owner, DateTimeOffset now, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        var path = PathOf(key);
        using var held = await FileLock.AcquireAsync(path + ".lock", cancellationToken).ConfigureAwait(false);
        var existing = Read(path) ?? throw new InvalidOperationException($"No receipt for {key} to renew: it was never claimed.");
        var renewed = ReceiptRules.Renew(existing, owner, now) ?? throw new ClaimLostException();
        Write(path, renewed, createOnly: false);
        await step(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Receipt> ListAsync(Action<string> unreadable, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unreadable);
        if (!Directory.Exists(_folder))
        {
            yield break;
        }

        // {partner}/{feed}/{sha256}.json only: lock files and a write's temporary file are not receipts. A folder the hub's
        // user may not open is said, not skipped unseen (as IgnoreInaccessible would): its receipts could not be checked.
        foreach (var partner in Entries(_folder, folders: true, unreadable))
        {
            foreach (var feed in Entries(partner, folders: true, unreadable))
            {
                foreach (var path in Entries(feed, folders: false, unreadable))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Receipt? receipt;
                    var denied = false;
                    try
                    {
                        receipt = Read(path);
                    }
                    catch (JsonException)
                    {
                        receipt = null;
                    }
                    catch (UnauthorizedAccessException)
                    {
                        // Mode 000, or in a folder the hub's user may list but not enter (there a look says it does not exist;
                        // the open says it may not be read).
                        receipt = null;
                        denied = true;
                    }

                    if (receipt is not null)
                    {
                        yield return receipt;
                    }
                    else if (denied || File.Exists(path))
                    {
                        // {partner}/{feed}/{sha256}.json: named as every receipt is, by its key, never by a landed file; a file or
                        // folder the hub did not name (anyone can put one here) is not named at all.
                        var parts = Path.ChangeExtension(Path.GetRelativePath(_folder, path), null).Split(Path.DirectorySeparatorChar);
                        unreadable(ReceiptNames.Of(parts[0], parts[1], parts[2]));
                    }
                }
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    // The folders (or the receipt files) in a folder of the receipts tree; none, said to unreadable, when the hub's user may not open it.
    private List<string> Entries(string folder, bool folders, Action<string> unreadable)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = false };
        try
        {
            return folders ? [.. Directory.EnumerateDirectories(folder, "*", options)] : [.. Directory.EnumerateFiles(folder, "*.json", options)];
        }
        catch (UnauthorizedAccessException)
        {
            var parts = Path.GetRelativePath(_folder, folder).Split(Path.DirectorySeparatorChar);
            unreadable(parts is ["."] ? "the receipts folder (the hub's user cannot open it)"
                : parts.All(ReceiptNames.IsName) ? $"the receipts of {string.Join('/', parts)} (a folder the hub's user cannot open)"
                : $"{ReceiptNames.Stray} (a folder the hub's user cannot open)");
            return [];
        }
    }

    private string PathOf(ReceiptKey key)
    {
        // The parts come from a checked landing path and a hex hash; refuse anything that could climb out.
        foreach (var part in new[] { key.Partner, key.Feed, key.Sha256 })
        {
            if (part.Length == 0 || part.Contains('/', StringComparison.Ordinal) || part.Contains('\\', StringComparison.Ordinal) || part.Contains("..", StringComparison.Ordinal))
            {
                throw new ArgumentException("A receipt key part is not a plain name.", nameof(key));
            }
        }

        return Path.Combine(_folder, key.Partner, key.Feed, key.Sha256 + ".json");
    }

    // Opened, never looked for first: in a folder the hub's user may list but not enter, a look answers "not there" and the
    // receipt would be taken for none; the open answers denied (UnauthorizedAccessException, passed on).
    private static Receipt? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return JsonSerializer.Deserialize(text, StorageJson.Default.Receipt);
    }

    private static bool Write(string path, Receipt receipt, bool createOnly)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = TemporaryFiles.PathBeside(path);
        File.WriteAllText(temp, JsonSerializer.Serialize(receipt, StorageJson.Default.Receipt));
        try
        {
            File.Move(temp, path, overwrite: !createOnly);
            return true;
        }
        catch (IOException) when (createOnly && File.Exists(path))
        {
            return false;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
