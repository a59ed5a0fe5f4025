using DataHub.Core.Audit;
using DataHub.Core.Linkage;
using DataHub.Core.Marts;
using DataHub.Core.Protocols;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;

namespace DataHub.Host.Commands;

/// <summary>
/// The faults any hub command can meet that the operator, not the input, must put right: a malformed protocol file, a
/// key that is missing, open to other users or malformed, an audit log whose end is broken, app settings or an Azure sign-in missing. Each
/// becomes exit 3 and its own message (which says what to run, and never holds key material) instead of a stack trace.
/// The hub's own storage failing (a full disk, a permission, the storage service) is exit 4, named by its type only.
/// </summary>
internal static class ConfigurationFaults
{
    /// <summary>Runs a command's body, turning configuration faults into exit 3 and their message on standard error.</summary>
    public static async Task<int> GuardAsync(CommandEnvironment env, Func<Task<int>> run)
    {
        // System.CommandLine registers its Ctrl+C handler only when the action first yields. A command whose local work all
        // completed at once would print "Ctrl+C stops waiting" before that, and a Ctrl+C in between ended the process at the
        // signal's default, with no clean-up and no message: yield first, so the handler is in place before any work.
        await Task.Yield();
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProtocolFormatException or KeyUnavailableException or AuditChainBrokenException or SettingsException)
        {
            await env.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Configuration;
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            // `--azure` signs in as the operator: no usable identity is a setting to put right, not a failure to retry.
            // Not its message: it lists every credential tried and how each failed, which the operator does not need here.
            // No credential at all is a missing sign-in; one that was tried and refused, or a sign-in service out of reach, is not.
            var fix = ex is Azure.Identity.CredentialUnavailableException
                ? "No Azure sign-in could be used"
                : "The Azure sign-in failed (refused, expired or out of reach)";
            await env.Error.WriteLineAsync($"{fix} ({ex.GetType().Name}): sign in with `az login` as an identity holding the roles infra/README.md lists, export the app's settings, and run the command again (docs/runbook.md).").ConfigureAwait(false);
            return ExitCodes.Configuration;
        }
        catch (DamagedManifestException ex)
        {
            // Its message names only the hub's own manifest or manifests folder (secure/{feed}/_batches/{batch id}, the batch
            // id a hash), never a landed file, and says what to do.
            await env.Error.WriteLineAsync($"The command failed on the secure mart: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (ObjectUnreachableException ex)
        {
            // Its message names no path: what the store cannot reach (too deep, or its permissions deny the hub's user).
            await env.Error.WriteLineAsync($"The command failed on storage: {ex.Message} It is left as it is; see docs/runbook.md, \"{(ex.Cause == UnreachableCause.AccessDenied ? "A folder or file the hub cannot open" : "A folder nested too deep for the hub")}\".").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not its message: an I/O message quotes the path it failed on, and a landed file's name may name a person.
            await env.Error.WriteLineAsync($"The command failed on storage ({ex.GetType().Name}): check the disk space, permissions or storage service, then run it again; a file being ingested stays in landing, and start-up clean-up removes what was left half-done.").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}

/// <summary>The faults of a rollup's input (a mart that cannot be read, marts of another key version): exit 2, the input is refused.</summary>
internal static class RollupFaults
{
    /// <summary>Whether <paramref name="ex"/> means the rollup refused its input rather than failed.</summary>
    public static bool RefusesInput(Exception ex) => ex is RollupInputException or KeyVersionMismatchException;
}

/// <summary>Raised when the settings a command needs are missing or wrong; the message names them, never a secret.</summary>
internal sealed class SettingsException(string message, Exception? inner = null) : Exception(message, inner);
