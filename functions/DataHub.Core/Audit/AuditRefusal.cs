namespace DataHub.Core.Audit;

/// <summary>Runs a step of work that has already written something, so that a broken log end refusing it says what was written.</summary>
public static class AuditRefusal
{
    /// <summary>Runs <paramref name="step"/>; an <see cref="AuditChainBrokenException"/> from it is raised again naming <paramref name="written"/> instead of "Nothing was written".</summary>
    /// <param name="written">What the work had written and where that leaves the hub, by path or run id, never a value.</param>
    /// <param name="step">The step (a check or an append).</param>
    /// <exception cref="AuditChainBrokenException">The log refused the step; <see cref="AuditChainBrokenException.Written"/> says what was written.</exception>
    public static async Task AfterWritingAsync(string written, Func<Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (AuditChainBrokenException ex)
        {
            throw ex.After(written);
        }
    }
}
