using IWouldArgue.Benchmarks;

// bare <port>                 : bare Kestrel HTTP/2 endpoints answering with the same bytes as our Echo
// runtime <port>              : our runtime with DiagnosticsService on the same slim host as "bare"
// stream <address> <calls>    : our client reads <calls> EchoStream calls of 1000 x 200-byte messages
// comments <address> <discussions> <seconds> <concurrency> : PostComment load on live discussions
// echo <address> <seconds> <concurrency>                   : unary Echo load, the reference for "comments"
return args switch
{
    ["bare", var port] => await BareKestrel.RunAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)),
    ["runtime", var port] => await RuntimeOnly.RunAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)),
    ["comments", var address, var discussions, var seconds, var concurrency] =>
        await LoadClient.CommentsAsync(address, Int(discussions), TimeSpan.FromSeconds(Int(seconds)), Int(concurrency)),
    ["echo", var address, var seconds, var concurrency] =>
        await LoadClient.EchoAsync(address, TimeSpan.FromSeconds(Int(seconds)), Int(concurrency)),
    ["stream", var address, var calls] => await StreamThroughput.RunAsync(address, int.Parse(calls, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Int(string text) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

static int Usage()
{
    Console.Error.WriteLine("usage: bare <port> | stream <address> <calls>");
    return 2;
}
