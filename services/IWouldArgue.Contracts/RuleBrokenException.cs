namespace IWouldArgue.Contracts;

/// <summary>What kind of "no" a broken rule is, which decides the status callers see.</summary>
public enum RuleKind
{
    /// <summary>Not in the state it is in now (FAILED_PRECONDITION): the discussion ended, the seats are taken.</summary>
    NotNow,

    /// <summary>Never for this person (PERMISSION_DENIED): banned, the host's role.</summary>
    NotAllowed,

    /// <summary>What the change is about is not there (NOT_FOUND): the person is no longer in the room.</summary>
    Gone,
}

/// <summary>
/// A domain rule refused a change where the change is stored, inside the transaction that would store it, so the
/// rule holds when callers race, in one process or several. It carries no transport status: the service edge maps
/// it (<see cref="Kind"/>) to one, with <see cref="Reason"/> as the ErrorInfo reason and the message as the sentence.
/// </summary>
public sealed class RuleBrokenException(RuleKind kind, string reason, string message) : Exception(message)
{
    /// <summary>What kind of refusal this is.</summary>
    public RuleKind Kind { get; } = kind;

    /// <summary>The stable reason integrators match on, e.g. "DISCUSSION_ENDED".</summary>
    public string Reason { get; } = reason;
}
