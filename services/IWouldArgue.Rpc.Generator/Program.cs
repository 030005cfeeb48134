using Google.Protobuf;
using Google.Protobuf.Compiler;
using IWouldArgue.Rpc.Generator;

// protoc sends a CodeGeneratorRequest on stdin and reads a CodeGeneratorResponse from stdout.
var request = CodeGeneratorRequest.Parser.ParseFrom(Console.OpenStandardInput());
var response = new CodeGeneratorResponse
{
    SupportedFeatures = (ulong)CodeGeneratorResponse.Types.Feature.Proto3Optional,
};
try
{
    var files = request.ProtoFile.ToDictionary(f => f.Name);
    foreach (var name in request.FileToGenerate)
    {
        var file = files[name];
        if (file.Service.Count == 0)
        {
            continue;
        }
        response.File.Add(new CodeGeneratorResponse.Types.File
        {
            Name = ServiceWriter.OutputFileName(file),
            Content = new ServiceWriter(file, new TypeNames(request.ProtoFile)).Write(),
        });
    }
}
catch (InvalidOperationException ex)
{
    response.Error = ex.Message;
}
using var stdout = Console.OpenStandardOutput();
response.WriteTo(stdout);
