using DataHub.Core.Audit;

namespace DataHub.Testing;

/// <summary>An audit log whose end breaks as an event of one kind is appended, after every check before it has passed.</summary>
public sealed class AuditTornAt(IAuditLog inner, string kind) : IAuditLog
{
    /// <inheritdoc />
    public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Kind == kind
            ? throw new AuditChainBrokenException("The audit log's last line is torn: a write was cut off (a crash or a full disk).", AuditChainBrokenException.RepairAdvice)
            : inner.AppendAsync(entry, cancellationToken);
    }

    /// <inheritdoc />
    public Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

    /// <inheritdoc />
    public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

    /// <inheritdoc />
    public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
}
