using System.Net;
using System.Text.Json;
using DataHub.Host.Functions;

namespace DataHub.Azure.Tests.Functions;

public sealed class CustomHandlerContractTests : IAsyncLifetime
{
    private readonly RecordingFunctions _functions = new();
    private HandlerClient? _handler;

    public async Task InitializeAsync() => _handler = await HandlerClient.StartAsync(_functions);

    public async Task DisposeAsync() => await _handler!.DisposeAsync();

    private Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string function, string payload) => _handler!.PostAsync(function, payload);

    [Fact]
    public async Task Blob_trigger_is_read_as_an_event_naming_the_landing_path_and_etag()
    {
        var payload = Payloads.BlobTrigger("landing/police/police-da-incidents/jan 2024.csv", "incident_id\n1\n"u8.ToArray(), "\"0x8DC1234\"", "https://hubdata.blob.core.windows.net");

        var (status, body) = await PostAsync("IngestExtract", payload);

        status.Should().Be(HttpStatusCode.OK);
        _functions.Ingested.Should().Equal(("landing/police/police-da-incidents/jan 2024.csv", "\"0x8DC1234\""));
        body.GetProperty("Outputs").EnumerateObject().Should().BeEmpty();
        body.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()).Should().Equal("IngestExtract: ingested");
        body.GetProperty("ReturnValue").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Path_style_emulator_uri_gives_the_same_landing_path()
    {
        var payload = Payloads.BlobTrigger("landing/csc/csc-people/people.csv", [1, 2], "\"0x1\"", "http://127.0.0.1:10000/devstoreaccount1");

        await PostAsync("IngestExtract", payload);

        _functions.Ingested.Single().Path.Should().Be("landing/csc/csc-people/people.csv");
    }

    [Theory]
    [InlineData("RollupQuarter", false)]
    [InlineData("EnforceRetention", true)]
    public async Task Timer_trigger_passes_schedule_status_and_past_due(string function, bool pastDue)
    {
        var (status, body) = await PostAsync(function, Payloads.Timer(function, pastDue));

        status.Should().Be(HttpStatusCode.OK);
        var timer = _functions.Timers.Should().ContainSingle().Subject;
        timer.Function.Should().Be(function);
        timer.Event.IsPastDue.Should().Be(pastDue);
        timer.Event.Last.Should().Be(new DateTimeOffset(2026, 11, 21, 2, 0, 0, TimeSpan.Zero));
        timer.Event.Next.Should().Be(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
        body.GetProperty("Logs")[0].GetString().Should().StartWith(function + ":");
    }

    [Fact]
    public async Task Failure_answers_500_naming_only_the_error_type_so_the_host_retries()
    {
        _functions.Throw = new InvalidOperationException("row 3 NHS number 9434765919 is bad");
        var payload = Payloads.BlobTrigger("landing/police/police-da-incidents/a.csv", [1], "\"0x2\"", "https://hubdata.blob.core.windows.net");

        var (status, body) = await PostAsync("IngestExtract", payload);

        status.Should().Be(HttpStatusCode.InternalServerError);
        var log = body.GetProperty("Logs")[0].GetString();
        log.Should().Contain("InvalidOperationException").And.NotContain("9434765919");
    }

    [Fact]
    public async Task Retry_result_answers_500_with_its_summary()
    {
        _functions.Result = new FunctionResult("storage unavailable; attempt 1 failed", Retry: true);

        var (status, _) = await PostAsync("IngestExtract", Payloads.BlobTrigger("landing/icb/health-aggregates/q.csv", [1], "\"0x3\"", "https://x.blob.core.windows.net"));

        status.Should().Be(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task Blob_trigger_outside_landing_is_refused_with_500()
    {
        var payload = """{"Data":{"extract":"AQ=="},"Metadata":{"Uri":"https://x.blob.core.windows.net/secure/a.parquet"}}""";

        var (status, _) = await PostAsync("IngestExtract", payload);

        status.Should().Be(HttpStatusCode.InternalServerError);
        _functions.Ingested.Should().BeEmpty();
    }

    private sealed class RecordingFunctions : IHubFunctions
    {
        public List<(string Path, string? ETag)> Ingested { get; } = [];

        public List<(string Function, TimerTriggerEvent Event)> Timers { get; } = [];

        public Exception? Throw { get; set; }

        public FunctionResult? Result { get; set; }

        public Task<FunctionResult> IngestAsync(string landingPath, string? eTag, CancellationToken cancellationToken)
        {
            if (Throw is not null)
            {
                throw Throw;
            }

            Ingested.Add((landingPath, eTag));
            return Task.FromResult(Result ?? new FunctionResult("ingested"));
        }

        public Task<FunctionResult> RollupAsync(TimerTriggerEvent timer, CancellationToken cancellationToken)
        {
            Timers.Add(("RollupQuarter", timer));
            return Task.FromResult(new FunctionResult("rolled up"));
        }

        public Task<FunctionResult> EnforceRetentionAsync(TimerTriggerEvent timer, CancellationToken cancellationToken)
        {
            Timers.Add(("EnforceRetention", timer));
            return Task.FromResult(new FunctionResult("retention enforced"));
        }
    }
}
