using DataHub.Core.Receipts;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Audit;

public sealed class ReceiptStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(30);
    private readonly TempFolder _root = new("receipts");
    private readonly ReceiptKey _key = new("police", "police-da-incidents", new string('b', 64));
    private readonly ClaimOwner _owner = ClaimOwner.New();

    // Each delivery claims as an owner of its own (a new token), as IngestExtract does.
    private static ClaimRequest Claim(string source, DateTimeOffset now, ClaimOwner? owner = null) => new(source, owner ?? ClaimOwner.New(), now, Lease);

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_same_content_is_claimed_once_and_then_seen_as_a_duplicate()
    {
        var store = new LocalReceiptStore(_root.Path);
        (await store.TryClaimAsync(_key, Claim("landing/a", Now, _owner), default)).Status.Should().Be(ClaimStatus.Claimed);
        (await store.TryClaimAsync(_key, Claim("landing/b", Now), default)).Status.Should().Be(ClaimStatus.HeldByAnother);
        await store.CompleteAsync(_key, _owner, "stored", "police-bbbb", default);
        var again = await store.TryClaimAsync(_key, Claim("landing/c", Now.AddDays(1)), default);
        again.Status.Should().Be(ClaimStatus.AlreadyCompleted);
        again.Receipt.BatchId.Should().Be("police-bbbb");
    }

    [AccessDeniedFact]
    public async Task A_receipts_folder_or_receipt_the_hub_cannot_open_is_said_by_its_key_not_skipped_unseen()
    {
        var store = new LocalReceiptStore(_root.Path);
        var other = new ReceiptKey("schools", "school-attendance", new string('c', 64));
        await store.TryClaimAsync(_key, Claim("landing/a", Now), default);
        await store.TryClaimAsync(other, Claim("landing/b", Now), default);
        using var folder = new DeniedAccess(Path.Combine(_root.Path, "receipts", "police", "police-da-incidents"));
        using var file = new DeniedAccess(Path.Combine(_root.Path, "receipts", "schools", "school-attendance", other.Sha256 + ".json"));
        var unreadable = new List<string>();

        var listed = await store.ListAsync(unreadable.Add, default).ToListAsync();

        listed.Should().BeEmpty();
        unreadable.Should().BeEquivalentTo(
            "the receipts of police/police-da-incidents (a folder the hub's user cannot open)",
            $"the receipt of schools/school-attendance content {other.Sha256[..16]}");
    }

    [AccessDeniedFact]
    public async Task A_receipt_in_a_folder_the_hub_can_list_but_not_enter_is_said_by_its_key_not_skipped_unseen()
    {
        var store = new LocalReceiptStore(_root.Path);
        await store.TryClaimAsync(_key, Claim("landing/a", Now), default);
        using var folder = new DeniedAccess(Path.Combine(_root.Path, "receipts", "police", "police-da-incidents"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var unreadable = new List<string>();

        var listed = await store.ListAsync(unreadable.Add, default).ToListAsync();
        var get = () => store.GetAsync(_key, default);

        listed.Should().BeEmpty();
        unreadable.Should().Equal($"the receipt of police/police-da-incidents content {_key.Sha256[..16]}");
        await get.Should().ThrowAsync<UnauthorizedAccessException>("a receipt that cannot be read is not no receipt");
    }

    [Fact]
    public async Task Concurrent_claims_of_the_same_content_let_exactly_one_through()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => new LocalReceiptStore(_root.Path)).ToArray();
        var results = await Task.WhenAll(stores.Select(s => Task.Run(() => s.TryClaimAsync(_key, Claim("landing/x", Now), default))));
        results.Count(r => r.Status == ClaimStatus.Claimed).Should().Be(1);
    }

    [Fact]
    public async Task Failed_attempts_are_counted_and_a_stale_claim_is_taken_over_as_a_failure()
    {
        var store = new LocalReceiptStore(_root.Path);
        await store.TryClaimAsync(_key, Claim("landing/a", Now, _owner), default);
        (await store.FailAsync(_key, _owner, "IOException: disk full", counted: true, default)).FailedAttempts.Should().Be(1);
        var retry = await store.TryClaimAsync(_key, Claim("landing/a", Now, _owner), default);
        retry.Status.Should().Be(ClaimStatus.Claimed);
        retry.Receipt.Attempts.Should().Be(2);

        // The worker died mid-attempt: after the lease another worker takes over, and the dead attempt counts.
        var takeover = await store.TryClaimAsync(_key, Claim("landing/a", Now + Lease + TimeSpan.FromSeconds(1)), default);
        takeover.Status.Should().Be(ClaimStatus.Claimed);
        takeover.Receipt.FailedAttempts.Should().Be(2);
    }
}
