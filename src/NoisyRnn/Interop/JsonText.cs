using System.Buffers;
using System.Text;

namespace NoisyRnn.Interop;

/// <summary>
/// The JSON text of the safetensors header, written by hand so that its bytes depend on nothing but the input: strings are
/// UTF-8 with only the escapes JSON requires (quote, backslash, control characters), integers in invariant form, no
/// whitespace.
/// </summary>
internal static class JsonText
{
    /// <summary>Throws an ArgumentException when <paramref name="text"/> holds a lone surrogate (not encodable as UTF-8).</summary>
    public static void CheckValidUtf16(string text, string paramName, string what)
    {
        int index = 0;
        ReadOnlySpan<char> rest = text;
        while (!rest.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(rest, out _, out int consumed);
            if (status != OperationStatus.Done)
                throw new ArgumentException($"{what} '{text}' holds a lone surrogate at index {index}; it must be valid UTF-16 (encodable as UTF-8).", paramName);
            rest = rest[consumed..];
            index += consumed;
        }
    }

    /// <summary>Appends <paramref name="value"/> as a JSON string literal.</summary>
    public static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
