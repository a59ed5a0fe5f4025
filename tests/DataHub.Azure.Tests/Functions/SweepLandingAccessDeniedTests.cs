using Azure;
using Azure.Storage.Queues;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// SweepLanding when the service refuses the app's identity the listing of one partner's landing container (HTTP 403, as when
/// its data role there was removed): every other partner's files are still handled in that run, and the refused partner is
/// reported, never skipped unseen. On an Azurite of its own (the sweep lists all of landing) behind a fault proxy.
/// </summary>
public sealed class SweepLandingAccessDeniedTests(FaultyStorage storage) : IClassFixture<FaultyStorage>
{
    [Fact]
    public async Task A_partner_container_refusing_its_listing_fails_the_run_naming_the_partner_and_the_role_while_the_other_partners_file_is_stored()
    {
        // The refused container sorts before the other (csc < police), so the listing must go on past it.
        var refused = Deliveries.SmallExtracts.First(e => e.Partner == Partners.Csc);
        var open = Deliveries.SmallExtracts.First(e => e.Partner == Partners.Police);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var logs = new LoggedLines();

        // The poison queue's tidy fails beside it: its own Error says what the sweep left, the partner included.
        var queue = new Mock<QueueClient>(MockBehavior.Strict);
        queue.Setup(q => q.ReceiveMessagesAsync(It.IsAny<int?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>())).ThrowsAsync(new RequestFailedException(503, "Server busy"));
        await using var app = TestHubs.FunctionApp(storage.ConnectionString, storage.Emulator.KeyRoot, clock, TestHubs.QuickRetries(maxRetries: 2), logging: logs, replace: services =>
            services.AddSingleton(sp => new PoisonedLandingEvents(() => queue.Object, sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<ILogger<PoisonedLandingEvents>>())));
        var hub = app.GetRequiredService<HubContext>();
        var waiting = await Deliveries.LandAsync(hub.Store, storage.ConnectionString, refused);
        var stored = await Deliveries.LandAsync(hub.Store, storage.ConnectionString, open);
        clock.Advance(TimeSpan.FromMinutes(3));

        // Only the listing of the partner's container is refused: the account's list of containers, and every other, answer.
        storage.Proxy.Fault = request => request.Path.Value!.EndsWith("/" + LandingContainers.For(refused.Partner), StringComparison.Ordinal) && request.Query["comp"] == "list" ? 403 : null;
        LandingSweepFailedException failed;
        try
        {
            failed = (await FluentActions.Awaiting(() => TestHubs.Function<SweepLandingFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None))
                .Should().ThrowAsync<LandingSweepFailedException>("a partner left unlisted fails the run, as a failed file does")).Which;
        }
        finally
        {
            storage.Proxy.Fault = _ => null;
        }

        failed.Result.Outcomes.Should().ContainSingle(o => o.Feed == open.Feed).Which.Status.Should().BeOneOf(IngestStatus.Stored, IngestStatus.StoredWithRowErrors);
        (await hub.Store.GetAsync(stored.Landed.Path, CancellationToken.None)).Should().BeNull("the stored file moved to the archive in the same run");
        failed.Result.Outcomes.Should().NotContain(o => o.Feed == refused.Feed, "nothing of the refused partner's container was seen");
        failed.Result.UnlistedPartners.Should().Equal(refused.Partner);
        failed.Result.Summary.Should().Contain($"the landing of {refused.Partner} could not be listed");
        failed.Message.Should().Contain(refused.Partner).And.NotContain(refused.FileName).And.Contain("could not list the landing of 1 partner(s)")
            .And.NotContain("could not finish 0 of", "no file failed: the message names only what did");
        (await hub.Store.GetAsync(waiting.Landed.Path, CancellationToken.None)).Should().NotBeNull("it waits in landing until the role is given back");
        (await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Feed == refused.Feed).AnyAsync()).Should().BeFalse("nothing of the partner's was read or done");
        var error = logs.Errors.Should().ContainSingle(e => e.Contains($"partner {refused.Partner} ", StringComparison.Ordinal)).Subject;
        error.Should().Contain("HTTP 403 AuthorizationPermissionMismatch").And.Contain("Storage Blob Data Owner").And.Contain($"'{LandingContainers.For(refused.Partner)}'")
            .And.Contain("A folder or file the hub cannot open");
        logs.Errors.Should().ContainSingle(e => e.Contains("poison queue could not be tidied", StringComparison.Ordinal)).Which
            .Should().Contain($"The sweep itself: {failed.Result.Summary}.").And.Contain($"the landing of {refused.Partner} could not be listed");
        string.Join('\n', logs.Lines).Should().NotContain(refused.FileName).And.NotContain(open.FileName);
    }

    [Fact]
    public async Task Landing_listed_partner_by_partner_leaves_out_only_the_refused_partners_in_path_order_and_a_refused_shared_container_fails_it_whole()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var store = AzureStorage.ForEmulator(storage.ConnectionString, TestHubs.QuickRetries(maxRetries: 1)).ObjectStore();

        // Partners sorting before the archive (a digit), one of them refused, a refused one after it and an open one after
        // that; the archive and the shared container between them. The partners before the archive are listed in a loop of
        // their own.
        var (before, deniedBefore, denied, after) = ("0" + run, "1" + run, "r" + run, "s" + run);
        foreach (var path in new[] { $"landing/{before}/f/a.csv", $"landing/{deniedBefore}/f/a.csv", $"landing/{denied}/f/a.csv", $"landing/{after}/f/a.csv", $"landing/_processed/f/{run}.csv", $"landing/_shared/{run}.csv" })
        {
            await store.WriteAsync(path, (s, ct) => s.WriteAsync(new byte[] { 1 }, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        }

        var whole = await store.ListAsync("landing/", CancellationToken.None).Select(o => o.Path).ToListAsync();
        var told = new List<(string Partner, ObjectUnreachableException Denial)>();
        List<string> listed;
        storage.Proxy.Fault = request => (request.Path.Value!.EndsWith("/" + LandingContainers.For(denied), StringComparison.Ordinal) || request.Path.Value!.EndsWith("/" + LandingContainers.For(deniedBefore), StringComparison.Ordinal)) && request.Query["comp"] == "list" ? 403 : null;
        try
        {
            listed = await store.ListLandingAsync((partner, denial) => told.Add((partner, denial)), CancellationToken.None).Select(o => o.Path).ToListAsync();
        }
        finally
        {
            storage.Proxy.Fault = _ => null;
        }

        listed.Should().Equal(whole.Where(p => !p.StartsWith($"landing/{denied}/", StringComparison.Ordinal) && !p.StartsWith($"landing/{deniedBefore}/", StringComparison.Ordinal)), "the same path order, the refused partners' parts alone left out");
        listed.Should().BeInAscendingOrder(StringComparer.Ordinal).And.Contain($"landing/{before}/f/a.csv").And.Contain($"landing/{after}/f/a.csv").And.Contain($"landing/_shared/{run}.csv");
        told.Select(t => t.Partner).Should().Equal([deniedBefore, denied], "each refused partner is told once, in path order");
        foreach (var (partner, denial) in told)
        {
            denial.Cause.Should().Be(UnreachableCause.AccessDenied);
            denial.Path.Should().Be($"landing/{partner}/");
            denial.Remedy.Should().Contain($"'{LandingContainers.For(partner)}'");
        }

        // The shared landing container (and its archive) is no one partner's: refused, the whole listing fails, as before.
        storage.Proxy.Fault = request => request.Path.Value!.EndsWith("/" + LandingContainers.Landing, StringComparison.Ordinal) && request.Query["comp"] == "list" ? 403 : null;
        try
        {
            var shared = await store.Invoking(s => s.ListLandingAsync((_, _) => { }, CancellationToken.None).ToListAsync().AsTask()).Should().ThrowAsync<ObjectUnreachableException>();
            shared.Which.Path.Should().Be("landing/");
        }
        finally
        {
            storage.Proxy.Fault = _ => null;
        }
    }

    [Fact]
    public async Task A_partner_container_refused_on_a_later_page_of_its_listing_is_left_out_whole_never_listed_in_part()
    {
        var run = Guid.NewGuid().ToString("N")[..8];

        // One blob a page, so the partner's three blobs take three pages: the first asked for without a marker, the later
        // ones with the marker the page before gave.
        var store = AzureStorage.ForEmulator(storage.ConnectionString, TestHubs.QuickRetries(maxRetries: 1) with { PageSize = 1 }).ObjectStore();
        var (denied, after) = ("p" + run, "q" + run);
        foreach (var path in new[] { $"landing/{denied}/f/1.csv", $"landing/{denied}/f/2.csv", $"landing/{denied}/f/3.csv", $"landing/{after}/f/a.csv" })
        {
            await store.WriteAsync(path, (s, ct) => s.WriteAsync(new byte[] { 1 }, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        }

        var told = new List<(string Partner, ObjectUnreachableException Denial)>();
        List<string> listed;
        var firstPages = 0;
        storage.Proxy.Fault = request =>
        {
            if (!request.Path.Value!.EndsWith("/" + LandingContainers.For(denied), StringComparison.Ordinal) || request.Query["comp"] != "list")
            {
                return null;
            }

            if (request.Query.ContainsKey("marker"))
            {
                return 403;
            }

            Interlocked.Increment(ref firstPages);
            return null;
        };
        try
        {
            listed = await store.ListLandingAsync((partner, denial) => told.Add((partner, denial)), CancellationToken.None).Select(o => o.Path).ToListAsync();
        }
        finally
        {
            storage.Proxy.Fault = _ => null;
        }

        firstPages.Should().BeGreaterThanOrEqualTo(1, "the first page was given: the refusal came part-way through");
        listed.Should().NotContain(p => p.StartsWith($"landing/{denied}/", StringComparison.Ordinal), "a partner is listed whole or not at all: nothing of it was handed on before the refusal")
            .And.Contain($"landing/{after}/f/a.csv");
        told.Should().ContainSingle().Which.Partner.Should().Be(denied);
        told[0].Denial.Path.Should().Be($"landing/{denied}/");
    }
}
