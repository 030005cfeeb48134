namespace IWouldArgue.BuildingBlocks;

/// <summary>Component names; each equals <c>metadata.name</c> in components/*.yaml.</summary>
public static class BuildingBlockNames
{
    /// <summary>The pub/sub component (components/pubsub.yaml).</summary>
    public const string PubSub = "pubsub";

    /// <summary>The state store component (components/statestore.yaml).</summary>
    public const string StateStore = "statestore";
}
