using System.Buffers.Text;
using System.Security.Cryptography;

namespace IWouldArgue.Discussions;

/// <summary>Unguessable join link codes: 128 bits from the system's CSPRNG, URL-safe base64 (22 characters).</summary>
public static class InviteCodes
{
    /// <summary>A new code.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>A new opaque id for a discussion (128 random bits).</summary>
    public static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
