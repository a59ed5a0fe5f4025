using System.CommandLine;
using DataHub.Host.Functions;

namespace DataHub.Host.Commands;

/// <summary>`datahub publish [--output DIR] [--framework-dependent]`: builds the zip-deployable Function App folder.</summary>
public static class PublishCommand
{
    /// <summary>The command, for Program to add.</summary>
    public static Command Create()
    {
        var output = new Option<string>("--output") { Description = "Folder to publish into (default artifacts/functionapp under the repository).", };
        var frameworkDependent = new Option<bool>("--framework-dependent") { Description = "Publish against the installed .NET instead of self-contained (faster; for checking the layout)." };
        var command = new Command("publish", "Build the Azure Functions deployment: self-contained linux-x64 `datahub` custom handler, host.json, function folders, protocols.");
        command.Options.Add(output);
        command.Options.Add(frameworkDependent);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var root = FindRepoRoot();
            if (root is null)
            {
                await Console.Error.WriteLineAsync("Run `datahub publish` inside the DataHub repository (no DataHub.sln found above the current folder).").ConfigureAwait(false);
                return 2;
            }

            var target = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine(root, "artifacts", "functionapp"));
            var missing = await FunctionAppLayout.PublishAsync(root, target, parse.GetValue(frameworkDependent), Console.Error, cancellationToken).ConfigureAwait(false);
            if (missing.Count > 0)
            {
                await Console.Error.WriteLineAsync($"The published folder is incomplete; missing: {string.Join(", ", missing)}").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine($"Published the Function App to {target} (zip its contents for zip deploy; see infra/README.md).");
            return 0;
        });
        return command;
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataHub.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
