using System.CommandLine;
using System.Globalization;
using DataHub.Storage.Azure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Functions;

/// <summary>`datahub serve`: runs the Azure Functions custom handler on FUNCTIONS_CUSTOMHANDLER_PORT (host.json starts it).</summary>
public static class ServeCommand
{
    /// <summary>The command, for Program to add.</summary>
    public static Command Create()
    {
        var port = new Option<int?>("--port") { Description = "Port on 127.0.0.1 (default: the FUNCTIONS_CUSTOMHANDLER_PORT the host sets, else 7071)." };
        var command = new Command("serve", "Run the Azure Functions custom handler (IngestExtract, RollupQuarter, EnforceRetention) against the storage and Key Vault named by the app settings.");
        command.Options.Add(port);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = parse.GetValue(port)
                ?? (int.TryParse(Environment.GetEnvironmentVariable(AzureNames.CustomHandlerPortSetting), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 7071);
            using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            var hub = AzureHub.Open(Environment.GetEnvironmentVariable, TimeProvider.System, logging);
            await using var app = CustomHandler.Build(new HubFunctions(hub), chosen, logging);
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
