namespace IWouldArgue.BuildingBlocks;

/// <summary>
/// A building block (the state store, pub/sub) could not be reached or did not answer in time: a passing condition of
/// the infrastructure, not a fault of the call. Adapters throw it in place of their client's own exceptions; the
/// service edge answers UNAVAILABLE with a sentence, so clients retry instead of reporting an internal error.
/// </summary>
public sealed class BuildingBlockUnavailableException(string block, Exception inner)
    : Exception($"The {block} cannot be reached right now: {inner?.Message}", inner)
{
    /// <summary>Which building block, as people call it ("state store", "pub/sub").</summary>
    public string Block { get; } = block;
}
