using System.Globalization;
using DataHub.Core.Hub;
using DataHub.Core.Protocols;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using Microsoft.Extensions.Configuration;

namespace DataHub.Functions;

/// <summary>Reads the app settings (environment variables in Azure, local.settings.json under <c>func start</c>) into the hub's parts.</summary>
/// <remarks>A setting's name uses "__" for nesting, as app settings do; configuration reads it with ':'.</remarks>
internal sealed class HubSettings(IConfiguration configuration)
{
    /// <summary>Storage and keys, read as `datahub audit … --azure` reads them.</summary>
    public AzureAppSettings Azure { get; } = new(name => configuration[name.Replace("__", ":", StringComparison.Ordinal)]);

    /// <summary>The protocols shipped with the app (its protocols/ folder unless the setting says otherwise).</summary>
    public ProtocolSet Protocols()
    {
        var folder = Azure.Value(AzureNames.ProtocolsSetting) ?? "protocols";
        return ProtocolFolder.Load(Path.IsPathRooted(folder) ? folder : Path.Combine(AppContext.BaseDirectory, folder));
    }

    /// <summary>Ingest tuning: the failed attempts after which a file is quarantined as poison.</summary>
    /// <exception cref="InvalidOperationException">The setting is not a whole number above zero.</exception>
    public IngestSettings Ingest()
    {
        var defaults = new IngestSettings();
        return Azure.Value(AzureNames.MaxAttemptsSetting) is not { } attempts
            ? defaults
            : defaults with
            {
                MaxFailedAttempts = int.TryParse(attempts, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw new InvalidOperationException($"{AzureNames.MaxAttemptsSetting} must be a whole number above zero."),
            };
    }
}
