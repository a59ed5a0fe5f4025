using DataHub.Core.Audit;
using DataHub.Core.Protocols;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Host.Commands;

/// <summary>
/// The faults any hub command can meet that the operator, not the input, must put right: a malformed protocol file, a
/// key that is missing, open to other users or malformed, an audit log whose end is broken. Each becomes exit 3 and its
/// own message (which says what to run, and never holds key material) instead of a stack trace.
/// </summary>
internal static class ConfigurationFaults
{
    /// <summary>Runs a command's body, turning configuration faults into exit 3 and their message on standard error.</summary>
    public static async Task<int> GuardAsync(CommandEnvironment env, Func<Task<int>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProtocolFormatException or KeyUnavailableException or AuditChainBrokenException)
        {
            await env.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Configuration;
        }
    }
}
