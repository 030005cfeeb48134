using Google.Protobuf.Reflection;

namespace IWouldArgue.Rpc.Generator;

/// <summary>Maps fully qualified proto message names to the C# names protoc's C# generator gives them.</summary>
internal sealed class TypeNames
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public TypeNames(IEnumerable<FileDescriptorProto> files)
    {
        foreach (var file in files)
        {
            var ns = CSharpNamespace(file);
            foreach (var message in file.MessageType)
            {
                Add(file.Package, ns, message);
            }
        }
    }

    public string Of(string protoTypeName) =>
        _names.TryGetValue(protoTypeName.TrimStart('.'), out var name)
            ? name
            : throw new InvalidOperationException($"Unknown message type {protoTypeName}.");

    public static string CSharpNamespace(FileDescriptorProto file) =>
        file.Options?.HasCsharpNamespace == true
            ? file.Options.CsharpNamespace
            : string.Join('.', file.Package.Split('.').Select(Pascal));

    private void Add(string protoScope, string csharpScope, DescriptorProto message, bool nested = false)
    {
        var protoName = string.IsNullOrEmpty(protoScope) ? message.Name : $"{protoScope}.{message.Name}";
        var csharpName = nested ? $"{csharpScope}.Types.{message.Name}" : $"{csharpScope}.{message.Name}";
        _names[protoName] = "global::" + csharpName;
        foreach (var inner in message.NestedType)
        {
            Add(protoName, csharpName, inner, nested: true);
        }
    }

    private static string Pascal(string part) => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..];
}
