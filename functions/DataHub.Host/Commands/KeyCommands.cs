using System.CommandLine;
using DataHub.Core.Audit;
using DataHub.Storage.Local;

namespace DataHub.Host.Commands;

/// <summary>
/// `datahub key init` and `datahub key rotate [--audit]`: the local pseudonymisation key and the audit key, each a file
/// under {root}/keys (600, in a 700 folder). Creating or rotating a key is itself audited.
/// </summary>
internal static class KeyCommands
{
    public static Command Create(CommandEnvironment env)
    {
        var key = new Command("key", "Manage the local keys: the pseudonymisation key ({root}/keys/datahub-key.json) and the audit key ({root}/keys/audit-key.json).");

        var initRoot = CommonOptions.Root();
        var init = new Command("init", "Create whichever key is missing, each a fresh random 256-bit key (version v1). An existing key is never overwritten.") { initRoot };
        init.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var root = parse.GetValue(initRoot)!;
            var created = await InitAsync(root, env.Time, ct);
            if (created.Count == 0)
            {
                env.Error.WriteLine($"Both keys already exist in {Path.GetDirectoryName(LocalKeyProvider.PathFor(root))}; a key is never overwritten (use `datahub key rotate`).");
                return ExitCodes.Configuration;
            }

            env.Output.WriteLine($"Created the {string.Join(" and the ", created)} in {Path.GetDirectoryName(LocalKeyProvider.PathFor(root))} (files 600, folder 700). Keep them secret and backed up: tokens cannot be re-made, nor the audit checked, without them.");
            return ExitCodes.Ok;
        }));

        var rotateRoot = CommonOptions.Root();
        var audit = new Option<bool>("--audit") { Description = "Rotate the audit key instead: new events are sealed under the new version; earlier ones still verify under theirs." };
        var rotate = new Command("rotate", "Add a fresh random key as the next version of the pseudonymisation key (or, with --audit, the audit key) and make it current; older versions stay readable.") { rotateRoot, audit };
        rotate.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var root = parse.GetValue(rotateRoot)!;
            var log = new LocalAuditLog(root, env.Time);
            await log.CheckWritableAsync(ct);
            var rotated = parse.GetValue(audit)
                ? KeyRotations.Audit(LocalAuditKeyProvider.Rotate(root))
                : KeyRotations.Pseudonymisation(LocalKeyProvider.Rotate(root));
            await log.AppendAsync(rotated, ct);
            env.Output.WriteLine(rotated.Detail);
            return ExitCodes.Ok;
        }));

        key.Subcommands.Add(init);
        key.Subcommands.Add(rotate);
        return key;
    }

    /// <summary>
    /// Creates whichever of the two keys <paramref name="root"/> lacks and audits it (the first event of a new root's log,
    /// or the event that seals a legacy log under the new audit key). Returns what was created, empty when nothing was.
    /// </summary>
    /// <exception cref="Core.Pseudonymisation.KeyUnavailableException">An existing key is exposed or malformed, or the log holds events sealed under an audit key that has gone.</exception>
    /// <exception cref="AuditChainBrokenException">The audit log's end is broken.</exception>
    public static async Task<IReadOnlyList<string>> InitAsync(string root, TimeProvider time, CancellationToken cancellationToken)
    {
        var log = new LocalAuditLog(root, time);

        // An existing key must be sound before another is made beside it.
        if (LocalKeyProvider.Exists(root))
        {
            await new LocalKeyProvider(root).GetCurrentAsync(cancellationToken);
        }

        if (LocalAuditKeyProvider.Exists(root))
        {
            await new LocalAuditKeyProvider(root).GetCurrentAsync(cancellationToken);
        }
        else if (await log.HoldsKeyedEventsAsync(cancellationToken))
        {
            throw new Core.Pseudonymisation.KeyUnavailableException($"The audit log holds events sealed under an audit key, but {LocalAuditKeyProvider.PathFor(root)} is missing. Restore the key file from its backup: a new key could not check those events.");
        }

        // The end only: on a fresh root the audit key is created below, before the first event is sealed.
        await log.CheckEndAsync(cancellationToken);
        var created = new List<string>();
        if (!LocalKeyProvider.Exists(root))
        {
            created.Add($"pseudonymisation key ({LocalKeyProvider.Create(root)})");
        }

        if (!LocalAuditKeyProvider.Exists(root))
        {
            created.Add($"audit key ({LocalAuditKeyProvider.Create(root)})");
        }

        if (created.Count > 0)
        {
            await log.AppendAsync(new AuditEntry(AuditKinds.KeyCreated, Rule: "key.created", Detail: $"Created the {string.Join(" and the ", created)} under keys/ (owner-only)."), cancellationToken);
        }

        return created;
    }
}
