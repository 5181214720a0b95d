using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Commands.Strings;

/// <summary>The bitmap commands on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP.</summary>
public static class BitCommands
{
    private const string BitValueError = "ERR bit is not an integer or out of range";
    private const string BitArgumentError = "ERR The bit argument must be 1 or 0.";
    private const string BitOpNotError = "ERR BITOP NOT must be called with a single source key.";

    public static void Register(CommandTable table)
    {
        table.Handle("setbit", SetBit);
        table.Handle("getbit", GetBit);
        table.Handle("bitcount", BitCount);
        table.Handle("bitpos", BitPos);
        table.Handle("bitop", BitOp);
    }

    private static void SetBit(CommandContext c)
    {
        if (!TryGetBitOffset(c, 2, out var offset))
        {
            return;
        }
        if (!RedisNumber.TryParseInt64(c.Args[3], out var bit) || (bit & ~1L) != 0)
        {
            c.Error(BitValueError);
            return;
        }
        var key = c.Args[1];
        if (!c.TryFindString(key, out var value))
        {
            return;
        }
        var byteIndex = (int)(offset >> 3);
        var mask = (byte)(0x80 >> (int)(offset & 7));
        var created = value is null;
        value ??= RedisString.CreateRaw(ReadOnlySpan<byte>.Empty);
        var oldLength = value.Length;
        var bytes = value.GetWritableBytes(byteIndex + 1);
        var old = (bytes[byteIndex] & mask) != 0 ? 1 : 0;
        if (bit == 1)
        {
            bytes[byteIndex] |= mask;
        }
        else
        {
            bytes[byteIndex] &= (byte)~mask;
        }
        if (created)
        {
            c.Keyspace.Set(key, value);
        }
        else if (old != bit || bytes.Length != oldLength)
        {
            // An unchanged bit in a string that did not grow is not a write (no dirty, no WATCH signal).
            c.Keyspace.Modified(key);
        }
        c.Reply.WriteInteger(old);
    }

    private static void GetBit(CommandContext c)
    {
        if (!TryGetBitOffset(c, 2, out var offset) || !c.TryReadString(c.Args[1], out var value))
        {
            return;
        }
        if (value is null)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        var bytes = value.GetBytes(scratch);
        var byteIndex = offset >> 3;
        var set = byteIndex < bytes.Length && (bytes[(int)byteIndex] & (0x80 >> (int)(offset & 7))) != 0;
        c.Reply.WriteInteger(set ? 1 : 0);
    }

    private static void BitCount(CommandContext c)
    {
        // Redis 7.0 looks the key up before it reads the range arguments.
        if (!c.TryReadString(c.Args[1], out var value))
        {
            return;
        }
        if (value is null)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        var bytes = value.GetBytes(scratch);
        var count = c.Args.Count;
        if (count == 2)
        {
            c.Reply.WriteInteger(BitSearch.CountOnes(bytes, 0, (long)bytes.Length * 8 - 1));
            return;
        }
        if (count is not (4 or 5))
        {
            c.Error(CommandErrors.Syntax);
            return;
        }
        if (!c.TryGetInt64(2, out var start) || !c.TryGetInt64(3, out var end))
        {
            return;
        }
        var inBits = false;
        if (count == 5 && !TryGetUnit(c, 4, out inBits))
        {
            return;
        }
        long total = inBits ? (long)bytes.Length * 8 : bytes.Length;
        if (start < 0 && end < 0 && start > end)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        BitRange.Normalize(ref start, ref end, total);
        if (start > end)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        var (firstBit, lastBit) = inBits ? (start, end) : (start * 8, end * 8 + 7);
        c.Reply.WriteInteger(BitSearch.CountOnes(bytes, firstBit, lastBit));
    }

    private static void BitPos(CommandContext c)
    {
        if (!c.TryGetInt64(2, out var bit))
        {
            return;
        }
        if (bit is not (0 or 1))
        {
            c.Error(BitArgumentError);
            return;
        }
        if (!c.TryReadString(c.Args[1], out var value))
        {
            return;
        }
        if (value is null)
        {
            // A missing key is an endless run of zero bits.
            c.Reply.WriteInteger(bit == 1 ? -1 : 0);
            return;
        }
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        var bytes = value.GetBytes(scratch);
        var count = c.Args.Count;
        long start = 0;
        long end = bytes.Length - 1;
        var inBits = false;
        var endGiven = false;
        if (count is 4 or 5 or 6)
        {
            if (!c.TryGetInt64(3, out start))
            {
                return;
            }
            if (count == 6 && !TryGetUnit(c, 5, out inBits))
            {
                return;
            }
            long total = inBits ? (long)bytes.Length * 8 : bytes.Length;
            if (count >= 5)
            {
                if (!c.TryGetInt64(4, out end))
                {
                    return;
                }
                endGiven = true;
            }
            else
            {
                end = total - 1;
            }
            BitRange.Normalize(ref start, ref end, total);
        }
        else if (count != 3)
        {
            c.Error(CommandErrors.Syntax);
            return;
        }
        if (start > end)
        {
            c.Reply.WriteInteger(-1);
            return;
        }
        var (firstBit, lastBit) = inBits ? (start, end) : (start * 8, end * 8 + 7);
        var position = BitSearch.FindFirst(bytes, bit == 1, firstBit, lastBit);
        if (position < 0 && bit == 0 && !endGiven)
        {
            // Without an explicit end the string counts as padded with zeros on the right.
            position = lastBit + 1;
        }
        c.Reply.WriteInteger(position);
    }

    private static void BitOp(CommandContext c)
    {
        var args = c.Args;
        if (!BitwiseOperation.TryParse(args[1], out var operation))
        {
            c.Error(CommandErrors.Syntax);
            return;
        }
        if (operation == BitOperation.Not && args.Count != 4)
        {
            c.Error(BitOpNotError);
            return;
        }
        // Every source must be a string (or missing) before anything is computed.
        var maxLength = 0;
        for (var i = 3; i < args.Count; i++)
        {
            if (!c.TryReadString(args[i], out var source))
            {
                return;
            }
            maxLength = Math.Max(maxLength, source?.Length ?? 0);
        }
        var destination = args[2];
        if (maxLength == 0)
        {
            c.Keyspace.Delete(destination);
            c.Reply.WriteInteger(0);
            return;
        }
        // The result is a new raw string, so a destination that is also a source is read intact.
        var result = RedisString.CreateRaw(ReadOnlySpan<byte>.Empty);
        var target = result.GetWritableBytes(maxLength);
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        for (var i = 3; i < args.Count; i++)
        {
            var source = c.Keyspace.Find(args[i]) is RedisString s ? s.GetBytes(scratch) : ReadOnlySpan<byte>.Empty;
            BitwiseOperation.Apply(operation, target, source, first: i == 3);
        }
        c.Keyspace.Set(destination, result);
        c.Reply.WriteInteger(maxLength);
    }

    /// <summary>Parses a SETBIT/GETBIT offset: 0 up to the last bit of a proto-max-bulk-len string.</summary>
    private static bool TryGetBitOffset(CommandContext c, int index, out long offset)
    {
        if (RedisNumber.TryParseInt64(c.Args[index], out offset) && offset >= 0 && (offset >> 3) < StringRangeCommands.MaxStringLength)
        {
            return true;
        }
        c.Error(CommandErrors.BitOffset);
        return false;
    }

    /// <summary>Parses the BYTE|BIT unit word of BITCOUNT and BITPOS.</summary>
    private static bool TryGetUnit(CommandContext c, int index, out bool inBits)
    {
        inBits = OptionWord.Is(c.Args[index], "BIT"u8);
        if (inBits || OptionWord.Is(c.Args[index], "BYTE"u8))
        {
            return true;
        }
        c.Error(CommandErrors.Syntax);
        return false;
    }
}
