using System.IO.Compression;
using System.Text;

namespace IWouldArgue.Attachments;

/// <summary>
/// What a file is, decided from its bytes (never its name or the content type a client claims): PNG, JPEG,
/// GIF and WebP images; PDF; Word, Excel and PowerPoint documents (zip packages holding the part each
/// format requires, and no macros, ActiveX, OLE objects or programs inside); and plain text or Markdown (valid
/// UTF-8 without control characters; the name only tells Markdown from plain text). An image must be well formed
/// all the way through (<see cref="ImageCheck"/>), not only start like one. Anything else — executables, archives,
/// scripts — is refused, and what is shared is named for what it is (<see cref="NameFor"/>).
/// </summary>
public static class FileTypes
{
    /// <summary>What the shareable kinds are, in words for people.</summary>
    public const string Allowed = "images (PNG, JPEG, GIF, WebP) and documents (PDF, text, Markdown, Word, Excel, PowerPoint)";

    /// <summary>The media type of the file at <paramref name="path"/>, or null when it is not a kind we share.</summary>
    public static string? Detect(string path, string fileName)
    {
        var head = Head(path, stackalloc byte[16]);
        if (ImageTypeOf(head) is { } image)
        {
            // Only what is well formed (and of a size a browser can draw) is an image: anything else behind an image's first bytes is refused.
            return ImageCheck.Inspect(path, image) is not null ? image : null;
        }
        if (head.StartsWith("%PDF-"u8))
        {
            return "application/pdf";
        }
        if (head.StartsWith((byte[])[0x50, 0x4B, 0x03, 0x04]))
        {
            return OfficeDocument(path);
        }
        return IsText(path) ? (fileName.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".markdown", StringComparison.OrdinalIgnoreCase) ? "text/markdown" : "text/plain") : null;
    }

    /// <summary>
    /// The name a file is stored and served under: the one given when its extension fits the detected type, else
    /// that name with the type's extension added ("update.bat" holding text becomes "update.bat.txt"), so no
    /// program opens a shared file as something it is not. At most 255 characters.
    /// </summary>
    public static string NameFor(string fileName, string mediaType)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (ExtensionsOf(mediaType).Contains(extension))
        {
            return fileName;
        }
        var added = ExtensionOf(mediaType);
        var stem = fileName.Length + added.Length > 255 ? fileName[..(255 - added.Length)] : fileName;
        return stem + added;
    }

    /// <summary>The file's image type and size when it is an image we share (well formed, of a size a browser can draw); otherwise null.</summary>
    internal static (string MediaType, long Width, long Height)? Image(string path) =>
        ImageTypeOf(Head(path, stackalloc byte[16])) is { } image && ImageCheck.Inspect(path, image) is (var width, var height)
            ? (image, width, height)
            : null;

    // The file's first bytes, up to the buffer's length.
    private static Span<byte> Head(string path, Span<byte> buffer)
    {
        using var file = File.OpenRead(path);
        return buffer[..file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)];
    }

    // The image type the signature says; what follows it is checked by ImageCheck.
    private static string? ImageTypeOf(ReadOnlySpan<byte> head) =>
        head.StartsWith((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
            : head.StartsWith((byte[])[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
            : head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8) ? "image/gif"
            : head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8) ? "image/webp"
            : null;

    private static string[] ExtensionsOf(string mediaType) => mediaType switch
    {
        "image/jpeg" => [".jpg", ".jpeg"],
        "text/plain" => [".txt", ".text", ".log", ".csv"],
        "text/markdown" => [".md", ".markdown"],
        _ => [ExtensionOf(mediaType)],
    };

    /// <summary>The usual file name extension of a media type, for names that lack a fitting one.</summary>
    public static string ExtensionOf(string mediaType) => mediaType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "application/pdf" => ".pdf",
        "text/markdown" => ".md",
        "text/plain" => ".txt",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => ".pptx",
        _ => "",
    };

    private static string? OfficeDocument(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            if (zip.GetEntry("[Content_Types].xml") is null || zip.Entries.Any(Executable))
            {
                return null;
            }
            return zip.GetEntry("word/document.xml") is not null ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                : zip.GetEntry("xl/workbook.xml") is not null ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                : zip.GetEntry("ppt/presentation.xml") is not null ? "application/vnd.openxmlformats-officedocument.presentationml.presentation"
                : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // A part that runs code, or carries a program to be run: macros (vbaProject.bin, in any macro-enabled shape),
    // ActiveX controls, OLE objects (the classic way to hide an executable in a document) and program files by name.
    private static bool Executable(ZipArchiveEntry entry)
    {
        var name = entry.FullName.ToLowerInvariant();
        return name.EndsWith("vbaproject.bin", StringComparison.Ordinal)
            || name.Contains("/activex/", StringComparison.Ordinal)
            || (name.Contains("/embeddings/", StringComparison.Ordinal) && Path.GetFileName(name).StartsWith("oleobject", StringComparison.Ordinal))
            || ProgramExtensions.Contains(Path.GetExtension(name));
    }

    private static readonly HashSet<string> ProgramExtensions =
    [
        ".exe", ".dll", ".com", ".scr", ".msi", ".msp", ".bat", ".cmd", ".ps1", ".psm1", ".vbs", ".vbe", ".js", ".jse",
        ".wsf", ".wsh", ".hta", ".jar", ".lnk", ".sh", ".elf", ".so", ".dylib", ".app", ".apk", ".reg", ".cpl",
    ];

    // Valid UTF-8 all the way through, and no control characters but tab, line feed, form feed and carriage return.
    private static bool IsText(string path)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[64 * 1024];
        var chars = new char[bytes.Length + 1];
        using var file = File.OpenRead(path);
        var any = false;
        try
        {
            int read;
            while ((read = file.Read(bytes)) > 0)
            {
                any = true;
                var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
                for (var i = 0; i < count; i++)
                {
                    if (char.IsControl(chars[i]) && chars[i] is not ('\t' or '\n' or '\r' or '\f'))
                    {
                        return false;
                    }
                }
            }
            decoder.GetChars([], 0, 0, chars, 0, flush: true);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        return any;
    }
}
