using IWouldArgue.Contracts;

namespace IWouldArgue.Discussions.Api;

/// <summary>Request checks that answer INVALID_ARGUMENT naming the field.</summary>
internal static class Validate
{
    /// <summary>Trims and length-checks a text field; control characters other than newline are refused.</summary>
    public static string Text(string? value, string field, int min, int max)
    {
        // Windows line breaks count as one newline; length is in characters (runes), not UTF-16 units.
        var text = (value ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        var length = text.EnumerateRunes().Count();
        if (length < min)
        {
            throw RpcErrors.InvalidArgument(field, min == 1 ? "is required." : $"must be at least {min} characters.");
        }
        if (length > max)
        {
            throw RpcErrors.InvalidArgument(field, $"must be at most {max} characters (it has {length}).");
        }
        foreach (var c in text)
        {
            if (char.IsControl(c) && c != '\n')
            {
                throw RpcErrors.InvalidArgument(field, "must not contain control characters other than newlines.");
            }
        }
        return text;
    }
}
