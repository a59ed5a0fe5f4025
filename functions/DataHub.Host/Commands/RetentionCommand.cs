using System.CommandLine;
using DataHub.Core.Retention;
using DataHub.Host.Embedded;

namespace DataHub.Host.Commands;

/// <summary>`datahub retention [--root DIR] [--protocols DIR]`: deletes what the agreements' retention says must go, auditing each deletion.</summary>
public static class RetentionCommand
{
    /// <summary>The command, for Program to add.</summary>
    public static Command Create(CommandEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var root = CommonOptions.Root();
        var protocols = CommonOptions.Protocols();
        var command = new Command("retention", "Delete processed raw files, quarantined files and mart files past their agreement's retention; each deletion is audited.");
        command.Options.Add(root);
        command.Options.Add(protocols);
        command.SetAction(async (parse, cancellationToken) => await ConfigurationFaults.GuardAsync(env, async () =>
        {
            using var hub = EmbeddedHub.Open(parse.GetValue(root)!, parse.GetValue(protocols), env.Time);
            await hub.CheckReadyAsync(pseudonymises: false, cancellationToken).ConfigureAwait(false);
            await hub.RecoverAsync(cancellationToken).ConfigureAwait(false);
            var outcome = await new EnforceRetention(hub.Context).RunAsync(cancellationToken).ConfigureAwait(false);
            foreach (var deletion in outcome.Deleted)
            {
                await env.Output.WriteLineAsync(deletion.Because is { } because
                    ? $"deleted {deletion.Path} ({deletion.Rule}, under {deletion.Agreement}): {because}"
                    : $"deleted {deletion.Path} ({deletion.Rule}, {deletion.AgeDays} days old, retention {deletion.RetentionDays} days under {deletion.Agreement})").ConfigureAwait(false);
            }

            await env.Output.WriteLineAsync("Retention: " + outcome.Summary).ConfigureAwait(false);
            return ExitCodes.Ok;
        }).ConfigureAwait(false));
        return command;
    }
}
