namespace DataHub.Core.Audit;

/// <summary>The append-only audit trail: every step of every file, chained by SHA-256 (local JSON Lines, or an Azure Table).</summary>
/// <remarks>Implementations seal entries with <see cref="AuditChain.Seal"/> under a lock so the chain has one order.</remarks>
public interface IAuditLog
{
    /// <summary>Records an entry as the next event and returns it sealed.</summary>
    Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Every event in recorded order.</summary>
    IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken);

    /// <summary>The separately kept head (last sequence and hash), or null when the log keeps none or is empty.</summary>
    Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken);
}

/// <summary>Checks an audit log's hash chain end to end.</summary>
public static class AuditVerifier
{
    /// <summary>Reads the whole log and its head and verifies the chain (see <see cref="AuditChain.Verify"/>).</summary>
    public static async Task<AuditVerification> VerifyAsync(IAuditLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var events = new List<AuditEvent>();
        try
        {
            await foreach (var e in log.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(e);
            }
        }
        catch (FormatException ex)
        {
            return new AuditVerification(false, events.Count, events.Count + 1, $"event {events.Count + 1} cannot be read: {ex.Message}");
        }

        var head = await log.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        return AuditChain.Verify(events, head);
    }
}
