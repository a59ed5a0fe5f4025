using DataHub.Azure.Tests.Diagnostics;
using DataHub.Functions;
using DataHub.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// host.json's log levels, applied as the Functions host applies them (category prefixes, the longest match winning): the
/// host's own lines that carry a landed blob's name are never emitted, and the worker's own lines (relayed by the host
/// under "Function.{name}.User") still are.
/// </summary>
[Collection(CapturedLogsCollection.Name)]
public sealed class HostLoggingTests : IDisposable
{
    private readonly CapturedLogs _provider = new();
    private readonly ILoggerFactory _host;

    public HostLoggingTests()
    {
        var logging = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoPaths.Root, "host.json")).Build().GetSection("logging");
        _host = LoggerFactory.Create(b => b.AddConfiguration(logging).AddProvider(_provider));
    }

    public void Dispose()
    {
        _host.Dispose();
        _provider.Dispose();
    }

    [Theory]
    [InlineData("Function." + nameof(Core.Ingestion.IngestExtract), LogLevel.Information)] // its invocation lines and trigger details (a blob trigger's named the blob; kept off for any trigger)
    [InlineData("Host.Results", LogLevel.Error)] // each invocation's result carries its trigger reason, failed ones at Error
    [InlineData("Host.Triggers.Blob", LogLevel.Information)]
    [InlineData("Microsoft.Azure.WebJobs.Extensions.Storage.Blobs.Listeners.BlobListener", LogLevel.Information)] // "Blob '{name}' will be skipped / is ready for processing"
    public void Host_lines_that_carry_the_blob_name_are_not_emitted(string category, LogLevel level) =>
        _host.CreateLogger(category).IsEnabled(level).Should().BeFalse($"'{category}' at {level} can name the landed file");

    [Theory]
    [InlineData("Function." + nameof(Core.Ingestion.IngestExtract) + ".User")]
    [InlineData("Function." + SweepLandingFunction.Name + ".User")]
    [InlineData("Function.RollupQuarter.User")]
    public void The_workers_own_lines_are_still_emitted_at_information(string category) =>
        _host.CreateLogger(category).IsEnabled(LogLevel.Information).Should().BeTrue($"'{category}' is the hub's own logging, which names files only by their labels");

    [Fact]
    public void A_failed_ingest_still_reaches_the_log_at_error() =>
        _host.CreateLogger("Function." + nameof(Core.Ingestion.IngestExtract)).IsEnabled(LogLevel.Error).Should().BeTrue("the host logs what the function throws, which names the file only by its label");
}
