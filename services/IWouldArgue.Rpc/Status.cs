namespace IWouldArgue.Rpc;

/// <summary>The outcome of a call: a code and a message for developers.</summary>
public readonly record struct Status(StatusCode Code, string Detail)
{
    /// <summary>The status of a successful call.</summary>
    public static readonly Status Ok = new(StatusCode.OK, "");

    /// <inheritdoc/>
    public override string ToString() => $"Status(StatusCode=\"{Code}\", Detail=\"{Detail}\")";
}
