namespace IWouldArgue.Gateway.Edge;

/// <summary>Limits of the browser-facing edge, bound from the "Gateway" configuration section.</summary>
public sealed class EdgeOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Requests per second one signed-in user (or guest) may make over time. Default: 20.</summary>
    public int UserRequestsPerSecond { get; set; } = 20;

    /// <summary>Requests one user may make at once before the rate applies. Default: 100.</summary>
    public int UserBurst { get; set; } = 100;

    /// <summary>Requests per second one IP address may make over time (everyone behind it together). Default: 100.</summary>
    public int IpRequestsPerSecond { get; set; } = 100;

    /// <summary>Requests one IP address may make at once before the rate applies. Default: 400.</summary>
    public int IpBurst { get; set; } = 400;

    /// <summary>
    /// Accounts one IP address may create per hour (sliding window). Each sign-up costs a memory-hard password hash,
    /// so an unlimited stream of them slows every other call down. Default: 20.
    /// </summary>
    public int SignUpsPerAddressPerHour { get; set; } = 20;

    /// <summary>
    /// Sign-in attempts one IP address may make per minute (sliding window), counted here at the edge where the
    /// browser's address is known; Identity also counts attempts per account. Default: 5.
    /// </summary>
    public int SignInsPerAddressPerMinute { get; set; } = 5;

    /// <summary>
    /// The folder of the built web client. Default: "web" next to the gateway's binaries, where the
    /// build puts it.
    /// </summary>
    public string? WebRoot { get; set; }
}
