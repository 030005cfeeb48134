using IWouldArgue.BuildingBlocks;

namespace IWouldArgue.Discussions;

/// <summary>The health checks a service built on the discussion store depends on.</summary>
public static class DiscussionsHealth
{
    /// <summary>The discussion store takes writes.</summary>
    public const string Store = "discussions-store";

    /// <summary>The store, and the pub/sub and state building blocks events go through.</summary>
    public static string[] Dependencies { get; } = [Store, BuildingBlocksCheck.Name];
}
