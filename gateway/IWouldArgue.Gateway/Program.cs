using IWouldArgue.Auth;
using IWouldArgue.Diagnostics;
using IWouldArgue.Discussions;
using IWouldArgue.Gateway;
using IWouldArgue.Gateway.Edge;
using IWouldArgue.Hosting;
using IWouldArgue.Identity;
using IWouldArgue.Live;

// The embedded default: the browser-facing edge and every service in one process.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddOptions<EdgeOptions>().Bind(builder.Configuration.GetSection(EdgeOptions.SectionName));
builder.Services.AddEdgeRateLimits();
builder.Services.AddIdentity(builder.Configuration);
builder.Services.AddSingleton<IGuestInvites, StoreGuestInvites>();
builder.Services.AddDiagnostics();
builder.Services.AddDiscussions(builder.Configuration);
builder.Services.AddLive(builder.Configuration);

var app = builder.Build();
app.UseSecurityHeaders();
app.UseCallerAuthentication();
app.UseRateLimiter();
app.MapServiceDefaults();
app.MapWebClient();
app.MapDiagnostics();
app.MapIdentity();
app.MapDiscussions();
app.MapLive();

app.Run();

/// <summary>The gateway's entry point, visible to the end-to-end tests that host it.</summary>
public partial class Program;
