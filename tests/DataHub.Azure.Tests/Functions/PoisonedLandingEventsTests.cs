using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using DataHub.Azure.Tests.Diagnostics;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Storage;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// SweepLanding's tidying of landing-events-poison on an Azurite of this class's own: the events the host gave up on are
/// put there as the host writes them (Base64, or plain text under host.json's messageEncoding "none"), each test clearing
/// the queue first. The logs are captured, so the class runs with no other test.
/// </summary>
[Collection(CapturedLogsCollection.Name)]
public sealed class PoisonedLandingEventsTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IAsyncLifetime, IDisposable
{
    private static readonly IReadOnlyList<SyntheticFile> Extracts = Deliveries.SmallExtracts;

    // The sweep compares the clock with the blobs' own write times, so the clock starts at the real now.
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly CapturedLogs _logs = new();
    private readonly List<ServiceProvider> _apps = [];

    private string ConnectionString => fixture.Azurite.ConnectionString;

    /// <summary>The poison queue as the host writes it (Base64, its default).</summary>
    private QueueClient Poison => new(ConnectionString, AzureNames.LandingEventsPoisonQueue, new AzureClientSettings().Configure(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }));

    /// <summary>The poison queue as the host writes it under messageEncoding "none".</summary>
    private QueueClient PlainPoison => new(ConnectionString, AzureNames.LandingEventsPoisonQueue, new AzureClientSettings().Configure(new QueueClientOptions()));

    public async Task InitializeAsync()
    {
        await Poison.CreateIfNotExistsAsync();
        await Poison.ClearMessagesAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task A_poisoned_event_whose_file_was_already_handled_is_deleted_by_the_sweep()
    {
        var app = App();
        var delivery = await Deliveries.LandAsync(Hub(app).Store, ConnectionString, Extracts[0]);
        await delivery.To(TestHubs.Function<IngestExtractFunction>(app));
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().BeNull("the file was stored and archived");
        await Poison.SendMessageAsync(delivery.Message);
        await PlainPoison.SendMessageAsync(delivery.Message);

        await SweepAsync(app);

        (await WaitingAsync()).Should().Be(0, "both events name a file that has left landing, whichever encoding the host wrote");
        Counts().Should().Contain("Removed=2 Waiting=0 Unreadable=0 Unchecked=0 TakenElsewhere=0");
    }

    [Fact]
    public async Task A_poisoned_event_whose_file_is_still_in_landing_is_kept_until_a_sweep_has_handled_the_file()
    {
        var app = App();
        var delivery = await Deliveries.LandAsync(Hub(app).Store, ConnectionString, Extracts[1]);
        await Poison.SendMessageAsync(delivery.Message);

        // Younger than the claim lease, the file is left to the trigger: its event stays.
        await SweepAsync(app);
        (await WaitingAsync()).Should().Be(1);
        Counts().Should().Contain("Removed=0 Waiting=1 Unreadable=0 Unchecked=0 TakenElsewhere=0");

        // Past the lease the sweep stores the file, and the same run deletes its event.
        _clock.Advance(TimeSpan.FromMinutes(3));
        await SweepAsync(app);
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().BeNull();
        (await WaitingAsync()).Should().Be(0);
        Counts().Should().Contain("Removed=1 Waiting=0 Unreadable=0 Unchecked=0 TakenElsewhere=0");
    }

    [Fact]
    public async Task Messages_that_are_no_landing_event_are_kept_and_counted_beside_one_that_is_removed()
    {
        var app = App();
        var handled = await Deliveries.LandAsync(Hub(app).Store, ConnectionString, Extracts[2]);
        await handled.To(TestHubs.Function<IngestExtractFunction>(app));
        await Poison.SendMessageAsync(handled.Message);
        await Poison.SendMessageAsync("not an event at all");
        await PlainPoison.SendMessageAsync("{\"id\":\"1\",\"subject\":\"no event grid event\"}");
        await Poison.SendMessageAsync(Deliveries.Event(ConnectionString, "published", "kpis/q1.parquet", "0x1", 1));

        await SweepAsync(app);

        (await WaitingAsync()).Should().Be(3);
        Counts().Should().Contain("Removed=1 Waiting=0 Unreadable=3 Unchecked=0 TakenElsewhere=0");
    }

    [Fact]
    public async Task Messages_whose_json_is_no_event_object_are_kept_as_unreadable_and_the_pass_goes_on()
    {
        var app = App();
        var handled = await Deliveries.LandAsync(Hub(app).Store, ConnectionString, Extracts[4]);
        await handled.To(TestHubs.Function<IngestExtractFunction>(app));
        await Poison.SendMessageAsync("123");
        await PlainPoison.SendMessageAsync("[]");
        await PlainPoison.SendMessageAsync("\"x\"");
        await Poison.SendMessageAsync(handled.Message);

        await SweepAsync(app);

        (await WaitingAsync()).Should().Be(3);
        Counts().Should().Contain("Removed=1 Waiting=0 Unreadable=3 Unchecked=0 TakenElsewhere=0");
    }

    [Fact]
    public async Task An_event_naming_a_person_with_a_hash_and_question_mark_is_deleted_once_its_file_is_handled_and_never_logged()
    {
        var extract = Extracts[3];
        var name = $"{extract.Feed}/Jane Smith 03-04-2012 #2?.csv";
        var app = App();
        var landed = await Hub(app).Store.WriteAsync($"landing/{extract.Partner}/{name}", (s, ct) => s.WriteAsync(extract.Content, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        var message = EventGridEvent(LandingContainers.For(extract.Partner), name, landed.ETag);
        await Poison.SendMessageAsync(message);

        await SweepAsync(app);
        (await WaitingAsync()).Should().Be(1, "its file is still in landing");

        _clock.Advance(TimeSpan.FromMinutes(3));
        await SweepAsync(app);

        (await Hub(app).Store.GetAsync(landed.Path, CancellationToken.None)).Should().BeNull("the sweep handled the file");
        (await WaitingAsync()).Should().Be(0, "the event named the file by its whole name, '#' and '?' included");
        Counts().Should().Contain("Removed=1 Waiting=0 Unreadable=0 Unchecked=0 TakenElsewhere=0");
        var text = string.Join("\n", _logs.Lines);
        text.Should().NotContain("Jane").And.NotContain("Smith").And.NotContain("03-04-2012")
            .And.NotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(message))[..40], "neither the name nor the message is logged");
    }

    [Theory]
    [InlineData("Report%20v2.csv")]
    [InlineData("%2E%2E/Report.csv")]
    public async Task An_event_whose_url_decodes_to_another_name_than_its_subject_is_kept_while_its_file_is_in_landing(string name)
    {
        // The partner's file is named with a literal '%': the url, read as a url, names another file, one not in landing.
        var extract = Extracts[6];
        var app = App();
        var landed = await Hub(app).Store.WriteAsync($"landing/{extract.Partner}/{extract.Feed}/{name}", (s, ct) => s.WriteAsync(extract.Content, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        await PlainPoison.SendMessageAsync(EventGridEvent(LandingContainers.For(extract.Partner), $"{extract.Feed}/{name}", landed.ETag));

        await SweepAsync(app);

        (await Hub(app).Store.GetAsync(landed.Path, CancellationToken.None)).Should().NotBeNull("the file is younger than the claim lease");
        (await WaitingAsync()).Should().Be(1, "its event is the only trace of it beside the file, and the file has not been handled");
        Counts().Should().Contain("Removed=0");
    }

    [Fact]
    public async Task An_event_whose_name_holds_the_replacement_character_is_kept()
    {
        // A name in another character set reads with U+FFFD in place of its bad bytes: looked for by that, the file the
        // hub leaves in landing (LandingPath.NameEncodingRule) is never found, though it is there.
        var extract = Extracts[6];
        await PlainPoison.SendMessageAsync(EventGridEvent(LandingContainers.For(extract.Partner), $"{extract.Feed}/Caf\uFFFD list.csv", "\"0x1\""));

        await SweepAsync(App());

        (await WaitingAsync()).Should().Be(1);
        Counts().Should().Contain("Removed=0");
    }

    [Fact]
    public async Task An_event_whose_file_the_store_could_not_look_for_is_kept_counted_apart_and_warned_of()
    {
        var delivery = Deliveries.Of(new StoredObject("landing/police/police-da-incidents/Jane Smith.csv", 1, "\"0x1\"", DateTimeOffset.UtcNow, new Dictionary<string, string>()), ConnectionString);
        await Poison.SendMessageAsync(delivery.Message);
        var store = new Mock<IObjectStore>(MockBehavior.Strict);
        store.Setup(s => s.GetAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("Could not read landing/police/police-da-incidents/Jane Smith.csv"));
        var poisoned = new PoisonedLandingEvents(() => PlainPoison, store.Object, _logs.Factory.CreateLogger<PoisonedLandingEvents>());

        await poisoned.TidyAsync(CancellationToken.None);

        (await WaitingAsync()).Should().Be(1);
        Counts().Should().Contain("Removed=0 Waiting=0 Unreadable=0 Unchecked=1 TakenElsewhere=0");
        _logs.Lines.Should().Contain(l => l.StartsWith("[Warning]", StringComparison.Ordinal), "a store that cannot be read is not another reader's doing");
        string.Join("\n", _logs.Lines).Should().NotContain("Jane");
    }

    [Fact]
    public async Task An_event_whose_file_the_store_may_not_look_for_is_kept_counted_apart_and_the_pass_goes_on()
    {
        var delivery = Deliveries.Of(new StoredObject("landing/police/police-da-incidents/Jane Smith.csv", 1, "\"0x1\"", DateTimeOffset.UtcNow, new Dictionary<string, string>()), ConnectionString);
        await Poison.SendMessageAsync(delivery.Message);
        var store = new Mock<IObjectStore>(MockBehavior.Strict);
        store.Setup(s => s.GetAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ObjectUnreachableException("landing/police/police-da-incidents/Jane Smith.csv", UnreachableCause.AccessDenied, "grant the role"));
        var poisoned = new PoisonedLandingEvents(() => PlainPoison, store.Object, _logs.Factory.CreateLogger<PoisonedLandingEvents>());

        await poisoned.TidyAsync(CancellationToken.None);

        (await WaitingAsync()).Should().Be(1);
        Counts().Should().Contain("Removed=0 Waiting=0 Unreadable=0 Unchecked=1 TakenElsewhere=0");
        _logs.Lines.Should().Contain(l => l.StartsWith("[Warning]", StringComparison.Ordinal), "a store that refuses the hub is not another reader's doing");
        string.Join("\n", _logs.Lines).Should().NotContain("Jane");
    }

    [Fact]
    public async Task An_event_another_reader_takes_meanwhile_is_left_to_it_without_failing_the_pass()
    {
        var delivery = Deliveries.Of(new StoredObject("landing/police/police-da-incidents/gone.csv", 1, "\"0x1\"", DateTimeOffset.UtcNow, new Dictionary<string, string>()), ConnectionString);
        await Poison.SendMessageAsync(delivery.Message);

        // While the pass looks for the file, the message's hidden time runs out and another reader takes and deletes it.
        var store = new Mock<IObjectStore>(MockBehavior.Strict);
        store.Setup(s => s.GetAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).Returns(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var taken = (await PlainPoison.ReceiveMessagesAsync(1)).Value.Should().ContainSingle().Subject;
            await PlainPoison.DeleteMessageAsync(taken.MessageId, taken.PopReceipt);
            return null;
        });
        var poisoned = new PoisonedLandingEvents(() => PlainPoison, store.Object, NullLogger<PoisonedLandingEvents>.Instance, TimeSpan.FromSeconds(1));

        var result = await poisoned.TidyAsync(CancellationToken.None);

        result.Should().Be(new PoisonedLandingEventsResult(0, 0, 0, 0, 1));
        (await WaitingAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_tidy_failure_is_logged_as_an_error_naming_no_file_and_does_not_fail_the_sweep()
    {
        // The service's error message can quote the url, and so the partner's file name.
        var queue = new Mock<QueueClient>(MockBehavior.Strict);
        queue.Setup(q => q.ReceiveMessagesAsync(It.IsAny<int?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(403, "AuthorizationPermissionMismatch https://data.queue.core.windows.net/landing-events-poison?peek Jane Smith 03-04-2012.csv"));
        var app = App(s => s.AddSingleton(sp => Tidy(sp, queue.Object)));

        await SweepAsync(app);

        var error = _logs.Lines.Should().ContainSingle(l => l.StartsWith("[Error]", StringComparison.Ordinal)).Subject;
        error.Should().Contain(nameof(RequestFailedException)).And.Contain("403");
        string.Join("\n", _logs.Lines).Should().NotContain("Jane").And.NotContain("Smith").And.NotContain("03-04-2012");
    }

    [Fact]
    public async Task A_tidy_failure_does_not_hide_the_sweeps_own_failure()
    {
        var extract = Extracts[5];

        // The queue service is down: nothing listens where the client looks for it, past its retries.
        var down = new QueueClient(new Uri($"http://127.0.0.1:{ClosedPort()}/devstoreaccount1/{AzureNames.LandingEventsPoisonQueue}"), TestHubs.QuickRetries(maxRetries: 1).Configure(new QueueClientOptions()));
        var app = App(s => s
            .AddSingleton<IKeyProvider>(TestHubs.UnreachableKeyVault(_clock))
            .AddSingleton(sp => Tidy(sp, down)));
        await Deliveries.LandAsync(Hub(app).Store, ConnectionString, extract);
        _clock.Advance(TimeSpan.FromMinutes(3));

        (await FluentActions.Awaiting(() => SweepAsync(app)).Should().ThrowAsync<LandingSweepFailedException>())
            .Which.Result.Failed.Should().BeGreaterThanOrEqualTo(1, "the key outage failed the file");
        _logs.Lines.Should().Contain(l => l.StartsWith("[Error]", StringComparison.Ordinal) && l.Contains("poison", StringComparison.Ordinal), "the tidy's own failure is logged beside it");
    }

    [Fact]
    public async Task A_missing_queue_endpoint_fails_only_the_tidy_not_the_sweep()
    {
        // Identity-based storage with the Blob and Table endpoints set and the Queue endpoint's setting missing.
        var unset = App(s => s.AddSingleton(AzureStorage.WithCredential(
            new Uri("https://datahub.blob.core.windows.net"), new Uri("https://datahub.table.core.windows.net"), Mock.Of<TokenCredential>(), new AzureClientSettings())));
        FluentActions.Invoking(() => TestHubs.Function<SweepLandingFunction>(unset)).Should().NotThrow("the sweep, the safety net for files, starts whatever the tidy lacks");

        // That app's tidy, run beside a sweep that can reach its files.
        var app = App();
        var function = new SweepLandingFunction(app.GetRequiredService<LandingSweep>(), unset.GetRequiredService<PoisonedLandingEvents>(), app.GetRequiredService<ILogger<SweepLandingFunction>>());
        await function.RunAsync(new TimerInfo(), CancellationToken.None);

        _logs.Lines.Should().ContainSingle(l => l.StartsWith("[Error]", StringComparison.Ordinal)).Which.Should().Contain(nameof(InvalidOperationException));
    }

    /// <summary>A port nothing listens on.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static PoisonedLandingEvents Tidy(IServiceProvider app, QueueClient queue) =>
        new(() => queue, app.GetRequiredService<IObjectStore>(), app.GetRequiredService<ILogger<PoisonedLandingEvents>>());

    private static HubContext Hub(IServiceProvider app) => app.GetRequiredService<HubContext>();

    /// <summary>Messages on the poison queue, hidden ones included.</summary>
    private async Task<int> WaitingAsync() => (await Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>The last pass's counts, as logged.</summary>
    private string Counts() => _logs.Lines.Last(l => l.Contains("landing events poison queue", StringComparison.Ordinal));

    /// <summary>A BlobCreated event as Event Grid writes it: the subject holds the name as it is, the url the name unescaped.</summary>
    private string EventGridEvent(string container, string name, string eTag) => JsonSerializer.Serialize(new
    {
        id = Guid.NewGuid().ToString(),
        topic = "/subscriptions/0/resourceGroups/datahub/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
        subject = $"/blobServices/default/containers/{container}/blobs/{name}",
        eventType = "Microsoft.Storage.BlobCreated",
        eventTime = DateTimeOffset.UtcNow,
        data = new { api = "SftpCommit", eTag = eTag.Trim('"'), blobType = "BlockBlob", url = $"http://127.0.0.1:{fixture.Azurite.BlobPort}/devstoreaccount1/{container}/{name}" },
        dataVersion = string.Empty,
        metadataVersion = "1",
    });

    /// <summary>Runs SweepLanding once, as its timer does.</summary>
    private static Task SweepAsync(IServiceProvider app) => TestHubs.Function<SweepLandingFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);

    /// <summary>One Function App instance, logging into this test's capture.</summary>
    private ServiceProvider App(Action<IServiceCollection>? replace = null)
    {
        var app = TestHubs.FunctionApp(ConnectionString, fixture.Azurite.KeyRoot, _clock, TestHubs.QuickRetries(maxRetries: 2), logging: _logs.Factory, replace: replace);
        _apps.Add(app);
        return app;
    }
}
