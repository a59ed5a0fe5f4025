using System.CommandLine;
using System.Globalization;
using DataHub.Core.Ingestion;
using DataHub.Storage.Local;

namespace DataHub.Host.Commands;

/// <summary>
/// `datahub label NAME… [--root DIR]`: the label the hub records a file name by, under each version of the root's
/// pseudonymisation key, so an operator holding a name can find its file in the audit, reports and quarantine.
/// </summary>
internal static class LabelCommand
{
    public static Command Create(CommandEnvironment env)
    {
        var names = new Argument<string[]>("name") { Description = "File names as the partner gave them (the name only, or partner/feed/name for a file outside its folder).", Arity = ArgumentArity.OneOrMore };
        var root = CommonOptions.Root();
        var command = new Command(
            "label",
            "Print the label of each NAME under every version of the pseudonymisation key (labels are keyed: only the hub's key makes them). A file is labelled under the version current when it was handled.")
        {
            names, root,
        };
        command.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var keys = new LocalKeyProvider(parse.GetValue(root)!);
            var current = (await keys.GetCurrentAsync(ct)).Version;
            var labels = new List<FileLabels>();
            foreach (var version in keys.Versions())
            {
                labels.Add(new FileLabels(await keys.GetVersionAsync(version, ct)));
            }

            // The names themselves are not repeated (the output is copied into tickets and incident logs): each by its place in the list.
            var given = parse.GetValue(names)!;
            for (var i = 0; i < given.Length; i++)
            {
                foreach (var under in labels)
                {
                    var mark = under.KeyVersion == current ? " (current)" : string.Empty;
                    env.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"name {i + 1}\t{under.KeyVersion}{mark}\t{under.Label(given[i])}"));
                }
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
