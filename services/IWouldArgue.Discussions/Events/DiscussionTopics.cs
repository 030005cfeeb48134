namespace IWouldArgue.Discussions.Events;

/// <summary>Pub/sub topics and message types of discussion events.</summary>
public static class DiscussionTopics
{
    /// <summary>Every discussion's events. (Routing events to the Live instance serving a discussion comes with Live.)</summary>
    public const string Events = "discussion-events";

    /// <summary>The CloudEvent type of a published <c>iwouldargue.v1.DiscussionEvent</c>.</summary>
    public const string EventType = "iwouldargue.v1.DiscussionEvent";
}
