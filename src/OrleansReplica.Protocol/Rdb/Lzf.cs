using System.Runtime.CompilerServices;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// The LZF compression format Redis uses for RDB strings: a literal run is a control byte 0..31
/// (run length - 1) followed by the bytes; a back reference is a control byte whose top 3 bits hold
/// the match length - 2 (7 = one more length byte follows) and whose low 5 bits plus the next byte
/// hold the distance - 1 (up to 8192 back).
/// </summary>
public static class Lzf
{
    private const int MaxLiteral = 32;
    private const int MaxOffset = 1 << 13;
    private const int MaxMatch = (1 << 8) + (1 << 3); // 264: 7 + 255 + 2
    private const int MaxHashBits = 14;

    /// <summary>The largest expansion the format allows (a 3-byte back reference yields at most 264 bytes).</summary>
    public const int MaxExpansionRatio = 88;

    /// <summary>
    /// Compresses <paramref name="input"/> into <paramref name="output"/>; returns the compressed
    /// length, or 0 when the result does not fit in <paramref name="output"/> (or the input is empty).
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var length = input.Length;
        if (length == 0 || output.Length == 0)
        {
            return 0;
        }

        // A hash table sized to the input: small strings do not pay for clearing a large one.
        var bits = 8;
        while (bits < MaxHashBits && (1 << bits) < length)
        {
            bits++;
        }
        Span<int> table = stackalloc int[1 << bits];
        table.Clear();
        var shift = 32 - bits;

        var ip = 0;
        var op = 1; // output[0] is the control byte of the first literal run
        var runStart = 0;
        var literal = 0;
        while (ip < length - 2)
        {
            var key = (input[ip] << 16) | (input[ip + 1] << 8) | input[ip + 2];
            var slot = (int)(((uint)key * 2654435761u) >> shift);
            var candidate = table[slot];
            table[slot] = ip;
            var distance = ip - candidate - 1;
            if (candidate < ip && distance < MaxOffset
                && input[candidate] == input[ip] && input[candidate + 1] == input[ip + 1] && input[candidate + 2] == input[ip + 2])
            {
                var limit = Math.Min(MaxMatch, length - ip);
                var match = 3 + input.Slice(candidate + 3, limit - 3).CommonPrefixLength(input.Slice(ip + 3, limit - 3));

                // Close the pending literal run (drop its control byte when it is empty).
                if (literal > 0)
                {
                    output[runStart] = (byte)(literal - 1);
                }
                else
                {
                    op--;
                }

                var encoded = match - 2;
                // Back reference (2 or 3 bytes) plus the control byte of the next literal run.
                if (op + (encoded < 7 ? 2 : 3) + 1 > output.Length)
                {
                    return 0;
                }
                if (encoded < 7)
                {
                    output[op++] = (byte)((encoded << 5) | (distance >> 8));
                }
                else
                {
                    output[op++] = (byte)((7 << 5) | (distance >> 8));
                    output[op++] = (byte)(encoded - 7);
                }
                output[op++] = (byte)distance;
                runStart = op++;
                literal = 0;

                // Index the last two positions the match covered (as liblzf's fast mode does): enough for
                // runs and repeats to keep chaining, without hashing every byte of a long match.
                var end = ip + match;
                for (var p = Math.Max(ip + 1, end - 2); p < end && p < length - 2; p++)
                {
                    var k = (input[p] << 16) | (input[p + 1] << 8) | input[p + 2];
                    table[(int)(((uint)k * 2654435761u) >> shift)] = p;
                }
                ip = end;
                continue;
            }

            if (!AppendLiteral(input[ip++], output, ref op, ref runStart, ref literal))
            {
                return 0;
            }
        }
        while (ip < length)
        {
            if (!AppendLiteral(input[ip++], output, ref op, ref runStart, ref literal))
            {
                return 0;
            }
        }

        if (literal > 0)
        {
            output[runStart] = (byte)(literal - 1);
        }
        else
        {
            op--;
        }
        return op;
    }

    private static bool AppendLiteral(byte value, Span<byte> output, ref int op, ref int runStart, ref int literal)
    {
        if (op >= output.Length)
        {
            return false;
        }
        output[op++] = value;
        literal++;
        if (literal == MaxLiteral)
        {
            output[runStart] = MaxLiteral - 1;
            runStart = op++;
            literal = 0;
        }
        return true;
    }

    /// <summary>
    /// Decompresses <paramref name="input"/> into <paramref name="output"/>; returns the number of
    /// bytes produced, or -1 when the input is corrupt (truncated run, reference before the start)
    /// or the output does not fit in <paramref name="output"/>. Never throws.
    /// </summary>
    // Optimized from the first call: a full sync runs it for every compressed value of a fresh process.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var ip = 0;
        var op = 0;
        while (ip < input.Length)
        {
            int control = input[ip++];
            if (control < MaxLiteral)
            {
                var run = control + 1;
                if (ip + run > input.Length || op + run > output.Length)
                {
                    return -1;
                }
                input.Slice(ip, run).CopyTo(output[op..]);
                ip += run;
                op += run;
                continue;
            }

            var length = control >> 5;
            if (length == 7)
            {
                if (ip >= input.Length)
                {
                    return -1;
                }
                length += input[ip++];
            }
            if (ip >= input.Length)
            {
                return -1;
            }
            var reference = op - ((control & 0x1F) << 8) - input[ip++] - 1;
            length += 2;
            if (reference < 0 || op + length > output.Length)
            {
                return -1;
            }
            var distance = op - reference;
            if (distance >= length)
            {
                output.Slice(reference, length).CopyTo(output[op..]);
            }
            else if (distance == 1)
            {
                output.Slice(op, length).Fill(output[reference]);
            }
            else
            {
                // Overlapping regions repeat the last `distance` bytes: copy the pattern in blocks that
                // double each time (each block ends where the next starts, so no copy overlaps itself).
                for (int copied = 0, block = distance; copied < length; copied += block, block *= 2)
                {
                    var count = Math.Min(block, length - copied);
                    output.Slice(op + copied - block, count).CopyTo(output[(op + copied)..]);
                }
            }
            op += length;
        }
        return op;
    }
}
