using IWouldArgue.Diagnostics;
using IWouldArgue.Discussions;
using IWouldArgue.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddDiagnostics();
builder.Services.AddDiscussions(builder.Configuration);

var app = builder.Build();
app.MapServiceDefaults();
app.MapDiagnostics();
app.MapDiscussions();
app.MapGet("/", () => "IWouldArgue is running. gRPC (HTTP/2): see Kestrel:Endpoints:Grpc; gRPC-Web (HTTP/1.1): this address.");

app.Run();
