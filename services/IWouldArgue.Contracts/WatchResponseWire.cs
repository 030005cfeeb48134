using Google.Protobuf;

namespace IWouldArgue.Contracts.V1;

public sealed partial class WatchResponse
{
    /// <summary>
    /// The same response with its bytes made now, once: it holds them as they are (as fields it does not parse), so
    /// writing it to a stream copies them instead of walking every event, author and text again. For a frame written
    /// to a thousand streams, which would otherwise each serialize it (a tenth of the gateway's time in the tier
    /// bench). gRPC's generated serializer is used unchanged; only what it is given differs. The result is for writing
    /// only: read <paramref name="response"/>, not it (its <see cref="FrameCase"/> is None).
    /// </summary>
    public static WatchResponse EncodedOnce(WatchResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var input = new CodedInputStream(response.ToByteArray());
        UnknownFieldSet? fields = null;
        while (input.ReadTag() != 0)
        {
            fields = UnknownFieldSet.MergeFieldFrom(fields, input);
        }
        return new WatchResponse { _unknownFields = fields };
    }
}
