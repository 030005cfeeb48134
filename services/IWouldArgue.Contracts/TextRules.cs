using System.Globalization;
using System.Text;

namespace IWouldArgue.Contracts;

/// <summary>
/// What text people type may contain, in one place for every service (documented in common.proto). Length counts
/// code points. Names (display names, titles, file names) are one line of visible text: no control characters, no
/// line or paragraph separators, and no invisible format characters (bidi overrides and isolates, zero-width space,
/// BOM, tag characters) that could make a name look like another or reorder the text around it; the zero-width joiner
/// and non-joiner stay, as emoji sequences and Persian or Indic spelling need them. Bodies (comments, descriptions)
/// may span lines (CRLF and CR become LF; tabs and other control characters are refused), keep every format character
/// a language needs, lose the ones that only hide (zero-width space, BOM, tag characters), and have any bidi embedding,
/// override or isolate they open closed at their end, so none reaches past the comment into what is shown after it.
/// </summary>
public static class TextRules
{
    private const char ZeroWidthJoiner = '\u200D';
    private const char ZeroWidthNonJoiner = '\u200C';
    private const char PopDirectionalFormatting = '\u202C';
    private const char PopDirectionalIsolate = '\u2069';

    /// <summary>A one-line name, trimmed; INVALID_ARGUMENT naming <paramref name="field"/> otherwise.</summary>
    public static string Name(string? value, string field, int max)
    {
        var text = (value ?? "").Trim();
        foreach (var rune in text.EnumerateRunes())
        {
            if (NotInNames(rune) is { } why)
            {
                throw RpcErrors.InvalidArgument(field, why);
            }
        }
        return Checked(text, field, max);
    }

    /// <summary>
    /// A one-line name made from one that people did not type (a file's name on someone's disk): what <see cref="Name"/>
    /// refuses is removed instead; INVALID_ARGUMENT when nothing visible is left or it is too long.
    /// </summary>
    public static string StripToName(string? value, string field, int max)
    {
        var text = new StringBuilder();
        foreach (var rune in (value ?? "").EnumerateRunes())
        {
            if (NotInNames(rune) is null)
            {
                text.Append(rune.ToString());
            }
        }
        return Checked(text.ToString().Trim(), field, max);
    }

    private static string? NotInNames(Rune rune)
    {
        if (Rune.IsControl(rune))
        {
            return "must be one line without control characters.";
        }
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
        {
            return "must be one line.";
        }
        return category == UnicodeCategory.Format && rune.Value is not (ZeroWidthJoiner or ZeroWidthNonJoiner)
            ? $"must not contain invisible formatting characters (it has U+{rune.Value:X4})."
            : null;
    }

    private static string Checked(string text, string field, int max)
    {
        if (!text.EnumerateRunes().Any(Visible))
        {
            throw RpcErrors.InvalidArgument(field, "is required.");
        }
        var length = text.EnumerateRunes().Count();
        if (length > max)
        {
            throw RpcErrors.InvalidArgument(field, $"must be at most {max} characters (it has {length}).");
        }
        return text;
    }

    /// <summary>A body of text, normalised as the class says; INVALID_ARGUMENT naming <paramref name="field"/> otherwise.</summary>
    public static string Body(string? value, string field, int min, int max)
    {
        var text = new StringBuilder();
        var (embeddings, isolates) = (0, 0);
        foreach (var rune in (value ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').EnumerateRunes())
        {
            if (Rune.IsControl(rune) && rune.Value != '\n')
            {
                throw RpcErrors.InvalidArgument(field, "must not contain tabs or control characters other than line breaks.");
            }
            switch (rune.Value)
            {
                case 0x200B or 0xFEFF or (>= 0xE0000 and <= 0xE007F):
                    continue; // zero-width space, BOM, tag characters: they only hide text
                case 0x2028 or 0x2029:
                    text.Append('\n');
                    continue;
                case >= 0x202A and <= 0x202E:
                    embeddings += rune.Value == PopDirectionalFormatting ? (embeddings > 0 ? -1 : 0) : 1;
                    break;
                case >= 0x2066 and <= 0x2069:
                    isolates += rune.Value == PopDirectionalIsolate ? (isolates > 0 ? -1 : 0) : 1;
                    break;
            }
            text.Append(rune.ToString());
        }
        var body = text.ToString().Trim();
        var length = body.EnumerateRunes().Count();
        if (length < min || (min > 0 && !body.EnumerateRunes().Any(Visible)))
        {
            throw RpcErrors.InvalidArgument(field, min == 1 ? "is required." : $"must be at least {min} characters.");
        }
        if (length > max)
        {
            throw RpcErrors.InvalidArgument(field, $"must be at most {max} characters (it has {length}).");
        }
        // Whatever direction the text opened, it closes here: isolates first (closing one also ends the embeddings opened
        // inside it), then embeddings; a closer with nothing left to close is ignored by the bidi algorithm.
        return body + new string(PopDirectionalIsolate, isolates) + new string(PopDirectionalFormatting, embeddings);
    }

    private static bool Visible(Rune rune) =>
        !Rune.IsWhiteSpace(rune) && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Format or UnicodeCategory.Control);
}
