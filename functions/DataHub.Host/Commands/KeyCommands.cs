using System.CommandLine;
using DataHub.Storage.Local;

namespace DataHub.Host.Commands;

/// <summary>`datahub key init` and `datahub key rotate`: the local pseudonymisation key file.</summary>
internal static class KeyCommands
{
    public static Command Create(CommandEnvironment env)
    {
        var key = new Command("key", "Manage the local pseudonymisation key ({root}/keys/datahub-key.json).");

        var initRoot = CommonOptions.Root();
        var init = new Command("init", "Create the key file with a fresh random 256-bit key (version v1). Refuses if one exists.") { initRoot };
        init.SetAction(parse =>
        {
            var root = parse.GetValue(initRoot)!;
            if (LocalKeyProvider.Exists(root))
            {
                env.Error.WriteLine($"A key already exists at {LocalKeyProvider.PathFor(root)}; it is never overwritten (use `datahub key rotate`).");
                return ExitCodes.Configuration;
            }

            var version = LocalKeyProvider.Create(root);
            env.Output.WriteLine($"Created key version {version} at {LocalKeyProvider.PathFor(root)}. Keep it secret and backed up: tokens cannot be re-made without it.");
            return ExitCodes.Ok;
        });

        var rotateRoot = CommonOptions.Root();
        var rotate = new Command("rotate", "Add a fresh random key as the next version and make it current; older versions stay readable.") { rotateRoot };
        rotate.SetAction(parse =>
        {
            var root = parse.GetValue(rotateRoot)!;
            if (!LocalKeyProvider.Exists(root))
            {
                env.Error.WriteLine($"No key at {LocalKeyProvider.PathFor(root)}; run `datahub key init` first.");
                return ExitCodes.Configuration;
            }

            var version = LocalKeyProvider.Rotate(root);
            env.Output.WriteLine($"Key version {version} is now current. New tokens will not join tokens of earlier versions.");
            return ExitCodes.Ok;
        });

        key.Subcommands.Add(init);
        key.Subcommands.Add(rotate);
        return key;
    }
}
