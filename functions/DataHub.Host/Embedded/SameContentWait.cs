namespace DataHub.Host.Embedded;

/// <summary>How a dropped file waits while another delivery of the same content holds the claim: <paramref name="Started"/> is told when the wait begins; <paramref name="Stop"/> ends it.</summary>
/// <param name="Started">Called once, as the wait begins.</param>
/// <param name="Stop">Ends the wait early; the copy then stays in landing.</param>
public sealed record SameContentWait(Action Started, CancellationToken Stop);
