using IWouldArgue.Diagnostics;
using IWouldArgue.Discussions;
using IWouldArgue.Hosting;
using IWouldArgue.Live;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddDiagnostics();
builder.Services.AddDiscussions(builder.Configuration);
builder.Services.AddLive(builder.Configuration);

var app = builder.Build();
app.MapServiceDefaults();
app.MapDiagnostics();
app.MapDiscussions();
app.MapLive();
app.MapGet("/", () => "IWouldArgue is running. gRPC (HTTP/2): see Kestrel:Endpoints:Grpc; gRPC-Web (HTTP/1.1): this address.");

app.Run();
