using System.Text;
using Azure;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Audit;
using DataHub.Core.Governance;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Pseudonymisation;
using DataHub.Functions;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// The deliveries table over a Function App whose pseudonymisation key is a Key Vault secret that an operator rotates
/// (a new secret version): no <c>key_rotated</c> event is ever written there, so the table tells label generations apart
/// by the key version its events record.
/// </summary>
public sealed class KeyVaultRotationDeliveryTests(FaultyStorage storage) : IClassFixture<FaultyStorage>, IAsyncLifetime
{
    // Key Vault version ids as the vault makes them (32 characters, here hex), which name a version and hold nothing of its value.
    private const string First = "5d1f6c2a9e8b4f7a8c3d2e1f0a9b8c7d";
    private const string Second = "a04b2e7c61d94f3e9b5a8c7d6e5f4a3b";

    private static readonly byte[] FirstMaterial = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] SecondMaterial = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    private readonly ManualClock _clock = ManualClock.On(2026, 11, 22);
    private readonly List<ServiceProvider> _apps = [];

    public Task InitializeAsync()
    {
        storage.Proxy.Fault = _ => null;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        storage.Proxy.Fault = _ => null;
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_file_failed_under_one_key_vault_version_and_stored_under_the_next_is_one_delivery_though_the_rotation_is_not_audited()
    {
        // The first worker's attempt fails at its mart write (storage answers 503): the file waits in landing.
        var extract = Deliveries.SmallExtracts[0];
        var before = App(Vault(current: First, readable: [First]));
        var delivery = await Deliveries.LandAsync(Hub(before).Store, storage.ConnectionString, extract);
        storage.Proxy.Fault = request => request.Method == "PUT" && request.Path.Value!.Contains("/secure/", StringComparison.Ordinal) ? 503 : null;
        (await Record.ExceptionAsync(() => delivery.To(TestHubs.Function<IngestExtractFunction>(before)))).Should().BeOfType<IngestAttemptFailedException>();
        storage.Proxy.Fault = _ => null;

        // The operator adds a new version of the secret in Key Vault. The worker that takes the file up again reads it as
        // current; its read of the earlier version is throttled at that moment, so no retry event says whose file it is.
        var after = App(Vault(current: Second, readable: [Second]));
        await delivery.To(TestHubs.Function<IngestExtractFunction>(after));

        var audit = await Hub(after).Audit.ReadAsync(CancellationToken.None).ToListAsync();
        audit.Should().NotContain(e => e.Entry.Kind == AuditKinds.KeyRotated, "a Key Vault rotation happens outside the hub");
        audit.Should().NotContain(e => e.Entry.Kind == AuditKinds.Retry, "the earlier key version could not be read");
        var received = audit.Where(e => e.Entry.Kind == AuditKinds.Received).ToList();
        received.Select(e => e.Entry.Path).Distinct().Should().HaveCount(2, "the file's label turned with the key");
        received.Select(e => e.Entry.LabelKeyVersion).Should().Equal([First, Second], "each received event records the secret version its label was made under");
        var deliveries = DeliveryLedger.From(audit);
        deliveries.Select(d => (d.Outcome, d.Attempts, d.KeyVersion)).Should().Equal([(DeliveryOutcomes.Stored, 2, Second)], "one file was sent: it failed once, then was stored");
        deliveries.Sum(d => d.RowsStored).Should().BePositive();
        var lines = string.Join('\n', audit.Select(e => Encoding.UTF8.GetString(AuditChain.ToJsonLine(e))));
        lines.Should().NotContain(Convert.ToBase64String(FirstMaterial)).And.NotContain(Convert.ToBase64String(SecondMaterial));
    }

    private ServiceProvider App(IKeyProvider keys)
    {
        var app = TestHubs.FunctionApp(storage.ConnectionString, storage.Emulator.KeyRoot, _clock, TestHubs.QuickRetries(maxRetries: 2), replace: s => s.AddSingleton(keys));
        _apps.Add(app);
        return app;
    }

    private static HubContext Hub(IServiceProvider app) => app.GetRequiredService<HubContext>();

    // A worker's view of the pseudonymisation key's secret: its current version, and the versions it can read (any other
    // is throttled, 429, as Key Vault answers a burst of reads).
    private KeyVaultKeyProvider Vault(string current, string[] readable)
    {
        var client = new Mock<SecretClient>(MockBehavior.Strict);
        client.Setup(c => c.GetSecretAsync(AzureNames.DefaultKeySecretName, It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Returns((string _, string? version, CancellationToken _) =>
                (version ?? current) is var wanted && (version is null || readable.Contains(wanted))
                    ? Task.FromResult(Secret(wanted))
                    : throw new RequestFailedException(429, "Too Many Requests"));
        return new KeyVaultKeyProvider(client.Object, AzureNames.DefaultKeySecretName, _clock);
    }

    private static Response<KeyVaultSecret> Secret(string version)
    {
        var properties = SecretModelFactory.SecretProperties(
            id: new Uri($"https://hub-vault.vault.azure.net/secrets/{AzureNames.DefaultKeySecretName}/{version}"),
            vaultUri: new Uri("https://hub-vault.vault.azure.net/"),
            name: AzureNames.DefaultKeySecretName,
            version: version);
        properties.Enabled = true;
        var material = version == First ? FirstMaterial : SecondMaterial;
        return Response.FromValue(SecretModelFactory.KeyVaultSecret(properties, Convert.ToBase64String(material)), Mock.Of<Response>());
    }
}
