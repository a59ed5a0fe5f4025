namespace DataHub.Core.Ingestion;

/// <summary>How far an ingest has read its file, for a progress display: counts only, never a value from the file.</summary>
/// <param name="Rows">Data rows read so far, accepted or rejected.</param>
/// <param name="Bytes">Bytes of the file read so far (0 when the store's stream cannot say).</param>
/// <param name="FileBytes">The file's length in bytes.</param>
public sealed record IngestProgress(long Rows, long Bytes, long FileBytes);
