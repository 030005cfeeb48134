using System.Collections.Concurrent;
using Grpc.Core;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Interop.Tests.Integration;

/// <summary>A service that fails in a way nobody foresaw, called by buf curl: the caller gets a sentence and a reference, the log the cause under it.</summary>
[Trait("Category", "Interop")]
public class UnforeseenFailureTests
{
    [Fact]
    public async Task AnUnforeseenFailure_AnswersInternalWithASentenceAndAReference_ThatTheLogNamesWithTheCause()
    {
        var logs = new LogSink();
        await using var host = await ServiceTestHost.StartAsync(
            new Dictionary<string, string?>(),
            (services, _) => services.AddSingleton<ILoggerProvider>(logs),
            app => app.MapGrpcService<FailingDiagnostics>());

        var (exit, output, errors) = await NodeProcess.RunAsync(TimeSpan.FromMinutes(1), "node_modules/.bin/buf", "curl", "--protocol", "grpc", "--http2-prior-knowledge",
            "--schema", "../../protos", "-d", """{"message":"boom"}""", host.GrpcAddress + "iwouldargue.v1.DiagnosticsService/Echo");

        var said = string.Join('\n', output) + errors;
        Assert.NotEqual(0, exit);
        Assert.Contains("internal", said, StringComparison.Ordinal);
        Assert.Contains("Something went wrong on our side (reference ", said, StringComparison.Ordinal);
        Assert.DoesNotContain("disk quota", said, StringComparison.Ordinal);
        var reference = said[(said.IndexOf("(reference ", StringComparison.Ordinal) + "(reference ".Length)..].Split(')')[0];
        Assert.Contains(logs.Entries, e => e.Contains(reference, StringComparison.Ordinal) && e.Contains("disk quota exceeded at the checkpoint", StringComparison.Ordinal));
    }

    private sealed class FailingDiagnostics : DiagnosticsService.DiagnosticsServiceBase
    {
        public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
            throw new InvalidOperationException("disk quota exceeded at the checkpoint");
    }

    private sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LogSink sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Entries.Enqueue(formatter(state, exception) + " | " + exception);
        }
    }
}
