using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Governance;
using DataHub.Core.Hub;
using DataHub.Core.Retention;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DataHub.Azure.Tests.Functions;

/// <summary>RollupQuarter and EnforceRetention as the worker runs them, on their own Azurite (the rollup reads every mart there).</summary>
public sealed class TimerFunctionTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _keys = new("timer-keys");

    public void Dispose() => _keys.Dispose();

    [Theory]
    [InlineData(nameof(EnforceRetention))]
    [InlineData(nameof(RollupQuarter))]
    [InlineData(SweepLandingFunction.Name)]
    public async Task A_timer_function_that_fails_throws_to_the_host_naming_the_error_by_its_type_never_its_message(string function)
    {
        // The Functions host logs what a function throws whole, inner exceptions included, and a storage message quotes the
        // path it was about: a landed file's name may name a person.
        const string landed = "landing/police/police-da-incidents/Zebedee Quillfeather 4857773456.csv";
        var logs = new LoggedLines();
        await using var app = App(logs, () => new ObjectNotFoundException(landed));

        var thrown = (await Run(app, function).Should().ThrowAsync<Exception>()).Which;

        thrown.ToString().Should().NotContain("Zebedee").And.NotContain("4857773456").And.Contain(nameof(ObjectNotFoundException));
        thrown.InnerException.Should().BeNull("the host logs inner exceptions too");

        // What the host is not given, the hub's log holds for the operator: the error's type and where it was thrown.
        logs.Errors.Should().ContainSingle().Which.Should().Contain(function).And.Contain(nameof(ObjectNotFoundException))
            .And.Contain(nameof(UnreachableStore), "the frames it was thrown through are logged");
        string.Join("\n", logs.Lines).Should().NotContain("Zebedee").And.NotContain("Quillfeather").And.NotContain("4857773456");
    }

    [Theory]
    [InlineData(nameof(EnforceRetention))]
    [InlineData(nameof(RollupQuarter))]
    [InlineData(SweepLandingFunction.Name)]
    public async Task A_cancelled_timer_run_is_thrown_on_as_a_cancellation_not_a_failure(string function)
    {
        var logs = new LoggedLines();
        await using var app = App(logs, () => new OperationCanceledException());

        await Run(app, function).Should().ThrowExactlyAsync<OperationCanceledException>("the host stops a cancelled run; it did not fail");
        logs.Errors.Should().BeEmpty();
    }

    private ServiceProvider App(LoggedLines logs, Func<Exception> failure) =>
        TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, new ManualClock(DateTimeOffset.UtcNow), logging: logs, replace: services =>
            services.TryAddSingleton<IObjectStore>(new UnreachableStore(failure)));

    private static Func<Task> Run(ServiceProvider app, string function) => function switch
    {
        nameof(EnforceRetention) => () => TestHubs.Function<EnforceRetentionFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None),
        nameof(RollupQuarter) => () => TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None),
        _ => () => TestHubs.Function<SweepLandingFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None),
    };

    // Every object the hub asks for fails: "not found", in the storage's own words, quoting the path (or cancelled).
    private sealed class UnreachableStore(Func<Exception> failure) : DelegatingStore(null!)
    {
        public override Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken) => throw failure();

        public override Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => throw failure();

        public override IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => throw failure();

        public override Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken) => throw failure();

        public override Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => throw failure();
    }

    [Fact]
    public async Task Timer_functions_publish_the_kpi_tables_and_delete_expired_files_each_audited()
    {
        // Retention compares the clock with the stores' own write times, so the clock starts at the real now.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        foreach (var file in SyntheticHub.Generate().Files.Where(f => f.Feed is FeedCatalog.CscPeople or FeedCatalog.PoliceDaIncidents))
        {
            await (await Deliveries.LandAsync(hub.Store, fixture.Azurite.ConnectionString, file)).To(ingest);
        }

        await TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo { IsPastDue = true }, CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(31));
        await TestHubs.Function<EnforceRetentionFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);

        var version = await RollupQuarter.CurrentVersionAsync(hub.Store, CancellationToken.None);
        version.Should().NotBeNull();
        (await hub.Store.ListAsync(version + "/", CancellationToken.None).Select(o => o.Path[(version!.Length + 1)..]).ToListAsync())
            .Should().Contain(["kpi_values.parquet", "kpi_values.csv", "manifest.json"]);
        (await GovernancePublisher.CurrentVersionAsync(hub.Store, CancellationToken.None)).Should().NotBeNull("the timer publishes the governance tables after the KPI tables");
        (await hub.Store.ListAsync("published/report/board-report-", CancellationToken.None).ToListAsync()).Should().ContainSingle("and writes the board report to blob storage");
        var audit = await hub.Audit.ReadAsync(CancellationToken.None).ToListAsync();
        audit.Should().ContainSingle(e => e.Entry.Kind == RollupQuarter.AuditKind);

        // The police agreement keeps processed raw files 30 days: the archived extract is gone, and its deletion audited.
        var deleted = audit.Where(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Rule == EnforceRetention.RawRule).Select(e => e.Entry.Path).ToList();
        deleted.Should().ContainSingle(p => p!.StartsWith("landing/_processed/police/", StringComparison.Ordinal));
        (await hub.Store.GetAsync(deleted.Single(p => p!.StartsWith("landing/_processed/police/", StringComparison.Ordinal))!, CancellationToken.None)).Should().BeNull();
        (await hub.Store.ListAsync("secure/", CancellationToken.None).AnyAsync()).Should().BeTrue("marts are kept for their own, longer retention");
        (await AuditVerifier.VerifyAsync(hub.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }
}
