namespace DataHub.Core.Storage;

/// <summary>A read stream pinned to one version of an object that can open a second reader of exactly that version.</summary>
/// <remarks>
/// For reading the same bytes twice at once (the rows, and the raw archive's copy) without a second open by path, which on
/// a local store would read whatever file is at the path by then.
/// </remarks>
public interface IPinnedRead
{
    /// <summary>Another reader of the version this stream is pinned to, from its first byte, with a position of its own; the caller disposes it.</summary>
    Stream AnotherReader();
}
