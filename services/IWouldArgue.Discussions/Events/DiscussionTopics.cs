namespace IWouldArgue.Discussions.Events;

/// <summary>Message types of discussion events on pub/sub (topics: see <see cref="LiveRoutes"/>).</summary>
public static class DiscussionTopics
{
    /// <summary>The CloudEvent type of a published <c>iwouldargue.v1.DiscussionEvent</c>.</summary>
    public const string EventType = "iwouldargue.v1.DiscussionEvent";
}
