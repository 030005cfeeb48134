using System.Text;

namespace IWouldArgue.BuildingBlocks.Nats;

/// <summary>
/// Our names in the characters NATS allows. Subjects and consumer names take letters, digits, '-' and '_' here ('.'
/// separates subject tokens); key/value keys also '/', '=' and '.'. Anything else is written "=XX" per UTF-8 byte
/// (and '=' itself as "=3D"), so distinct names stay distinct and a name reads back unchanged.
/// </summary>
internal static class NatsSubjects
{
    /// <summary>A topic as one subject token after the prefix.</summary>
    public static string Token(string name) => Escape(name, allowDot: false);

    /// <summary>A state key as a key/value key.</summary>
    public static string Key(string name) => Escape(name, allowDot: true);

    /// <summary>The durable consumer of a group's subscription to a topic.</summary>
    public static string Durable(string group, string topic) => Escape($"{group}--{topic}", allowDot: false);

    private static string Escape(string name, bool allowDot)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var escaped = new StringBuilder(name.Length);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (allowDot && c is '.' or '/'))
            {
                escaped.Append(c);
            }
            else
            {
                escaped.Append('=').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }
}
