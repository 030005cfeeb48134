using System.Text.Json.Nodes;
using Amazon.S3;
using IWouldArgue.Attachments.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Media;

/// <summary>
/// Where recordings' files go and how they are read back. A file is named by a string kept with the
/// recording (never shown to users): a path on the egress worker's disk, or <c>s3://bucket/key</c>. The
/// name records where the file went when it was made, so changing the configuration later does not lose
/// older recordings.
/// </summary>
public sealed class RecordingFiles(IOptions<MediaOptions> options, IOptions<S3Options> s3Options, IServiceProvider services)
{
    private const string S3Scheme = "s3://";

    /// <summary>Where a recording of <paramref name="discussionId"/> starting at <paramref name="startedAt"/> goes: its name, and LiveKit's file output for it.</summary>
    public (string File, JsonObject Output) Target(string discussionId, DateTimeOffset startedAt)
    {
        var name = $"{discussionId}-{startedAt:yyyyMMddTHHmmssZ}.ogg";
        var folder = options.Value.RecordingPath.TrimEnd('/');
        if (options.Value.RecordTo != RecordingStorage.S3)
        {
            var path = $"{folder}/{name}";
            return (path, new JsonObject { ["fileType"] = "OGG", ["filepath"] = path });
        }
        var s3 = s3Options.Value;
        if (s3.ServiceUrl is null)
        {
            throw new InvalidOperationException("Media:RecordTo is S3, but Attachments:S3:ServiceUrl is not set.");
        }
        // LiveKit's S3Upload: the egress worker writes the object itself, with these credentials.
        var key = $"{folder.TrimStart('/')}/{name}";
        var output = new JsonObject { ["fileType"] = "OGG", ["filepath"] = key };
        output["s3"] = new JsonObject
        {
            ["accessKey"] = s3.AccessKey,
            ["secret"] = s3.SecretKey,
            ["region"] = s3.Region,
            ["endpoint"] = s3.ServiceUrl.ToString(),
            ["bucket"] = s3.Bucket,
            ["forcePathStyle"] = true,
        };
        return ($"{S3Scheme}{s3.Bucket}/{key}", output);
    }

    /// <summary>The file, seekable (for range requests), or null when it is not (or no longer) reachable from here.</summary>
    public async Task<Stream?> OpenAsync(string file, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        if (SplitS3(file) is var (bucket, key))
        {
            return services.GetService<IAmazonS3>() is { } s3 ? await S3ObjectStream.OpenAsync(s3, bucket, key, cancellationToken) : null;
        }
        return File.Exists(file) ? new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, useAsync: true) : null;
    }

    /// <summary>Deletes the file (nothing if it is gone already).</summary>
    public async Task DeleteAsync(string file, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        if (SplitS3(file) is var (bucket, key))
        {
            var s3 = services.GetService<IAmazonS3>() ?? throw new InvalidOperationException($"The recording {file} is in S3, but Attachments:S3 is not configured.");
            await s3.DeleteObjectAsync(bucket, key, cancellationToken);
            return;
        }
        File.Delete(file);
    }

    /// <summary>Whether the named file is an S3 object.</summary>
    public static bool IsInS3(string? file) => file?.StartsWith(S3Scheme, StringComparison.Ordinal) == true;

    private static (string Bucket, string Key)? SplitS3(string file)
    {
        if (!IsInS3(file))
        {
            return null;
        }
        var slash = file.IndexOf('/', S3Scheme.Length);
        return slash < 0 ? throw new FormatException($"Not an s3://bucket/key name: {file}") : (file[S3Scheme.Length..slash], file[(slash + 1)..]);
    }
}
