using System.Runtime.InteropServices;
using System.Text;

namespace OrleansReplica.Grains.Commands.Strings;

/// <summary>BITOP's operations.</summary>
internal enum BitOperation
{
    And,
    Or,
    Xor,
    Not,
}

/// <summary>Parsing and applying BITOP's operations.</summary>
internal static class BitwiseOperation
{
    /// <summary>Parses AND, OR, XOR or NOT (case-insensitive, compared as a C string).</summary>
    public static bool TryParse(ReadOnlySpan<byte> argument, out BitOperation operation)
    {
        var word = OptionWord.Of(argument);
        operation = word.Length switch
        {
            2 when Ascii.EqualsIgnoreCase(word, "OR"u8) => BitOperation.Or,
            3 when Ascii.EqualsIgnoreCase(word, "AND"u8) => BitOperation.And,
            3 when Ascii.EqualsIgnoreCase(word, "XOR"u8) => BitOperation.Xor,
            3 when Ascii.EqualsIgnoreCase(word, "NOT"u8) => BitOperation.Not,
            _ => (BitOperation)(-1),
        };
        return operation >= 0;
    }

    /// <summary>
    /// Folds one source into <paramref name="target"/> (as long as the longest source); a source
    /// shorter than the target counts as padded with zero bytes. The first source initialises it.
    /// </summary>
    public static void Apply(BitOperation operation, Span<byte> target, ReadOnlySpan<byte> source, bool first)
    {
        var common = Math.Min(source.Length, target.Length);
        if (first)
        {
            source[..common].CopyTo(target);
            target[common..].Clear();
            if (operation == BitOperation.Not)
            {
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = (byte)~target[i];
                }
            }
            return;
        }
        Combine(operation, target[..common], source[..common]);
        if (operation == BitOperation.And)
        {
            target[common..].Clear();
        }
    }

    /// <summary>target = target op source over equal lengths, eight bytes at a time.</summary>
    private static void Combine(BitOperation operation, Span<byte> target, ReadOnlySpan<byte> source)
    {
        var wideTarget = MemoryMarshal.Cast<byte, ulong>(target);
        var wideSource = MemoryMarshal.Cast<byte, ulong>(source);
        for (var i = 0; i < wideTarget.Length; i++)
        {
            wideTarget[i] = Combine(operation, wideTarget[i], wideSource[i]);
        }
        for (var i = wideTarget.Length * sizeof(ulong); i < target.Length; i++)
        {
            target[i] = (byte)Combine(operation, target[i], source[i]);
        }
    }

    private static ulong Combine(BitOperation operation, ulong a, ulong b) => operation switch
    {
        BitOperation.And => a & b,
        BitOperation.Or => a | b,
        _ => a ^ b,
    };
}
