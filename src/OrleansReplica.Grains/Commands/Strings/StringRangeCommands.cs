using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Resp;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Commands.Strings;

/// <summary>The commands that work on part of a string value: APPEND, STRLEN, GETRANGE (SUBSTR), SETRANGE.</summary>
internal static class StringRangeCommands
{
    /// <summary>Redis's default proto-max-bulk-len: no string may grow beyond it.</summary>
    internal static readonly long MaxStringLength = RespLimits.Default.ProtoMaxBulkLen;

    private const string OffsetOutOfRange = "ERR offset is out of range";

    public static void Register(CommandTable table)
    {
        table.Handle("append", Append);
        table.Handle("strlen", StrLen);
        table.Handle("getrange", GetRange);
        table.Handle("substr", GetRange);
        table.Handle("setrange", SetRange);
    }

    private static void Append(CommandContext c)
    {
        var key = c.Args[1];
        var suffix = c.Args[2];
        if (!c.TryFindString(key, out var value))
        {
            return;
        }
        if (value is null)
        {
            // A new key is stored as SET would store it (so it may be int-encoded).
            c.Keyspace.Set(key, RedisString.Create(suffix));
            c.Reply.WriteInteger(suffix.Length);
            return;
        }
        if (!CheckLength(c, value.Length, suffix.Length))
        {
            return;
        }
        value.Append(suffix);
        c.Keyspace.Modified(key);
        c.Reply.WriteInteger(value.Length);
    }

    private static void StrLen(CommandContext c)
    {
        if (c.TryReadString(c.Args[1], out var value))
        {
            c.Reply.WriteInteger(value?.Length ?? 0);
        }
    }

    private static void GetRange(CommandContext c)
    {
        if (!c.TryGetInt64(2, out var start) || !c.TryGetInt64(3, out var end) || !c.TryReadString(c.Args[1], out var value))
        {
            return;
        }
        if (value is null)
        {
            c.Reply.WriteBulkString(ReadOnlySpan<byte>.Empty);
            return;
        }
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        var text = value.GetBytes(scratch);
        long length = text.Length;
        // Both ends negative with start after end is empty before any clamping (Redis's order).
        if (start < 0 && end < 0 && start > end)
        {
            c.Reply.WriteBulkString(ReadOnlySpan<byte>.Empty);
            return;
        }
        if (start < 0)
        {
            start = Math.Max(length + start, 0);
        }
        if (end < 0)
        {
            end = Math.Max(length + end, 0);
        }
        if (end >= length)
        {
            end = length - 1;
        }
        if (start > end || length == 0)
        {
            c.Reply.WriteBulkString(ReadOnlySpan<byte>.Empty);
            return;
        }
        c.Reply.WriteBulkString(text.Slice((int)start, (int)(end - start + 1)));
    }

    private static void SetRange(CommandContext c)
    {
        if (!c.TryGetInt64(2, out var offset))
        {
            return;
        }
        if (offset < 0)
        {
            c.Error(OffsetOutOfRange);
            return;
        }
        var key = c.Args[1];
        var patch = c.Args[3];
        if (!c.TryFindString(key, out var value))
        {
            return;
        }
        if (patch.IsEmpty)
        {
            // Nothing to write: a missing key stays missing, an existing one is untouched.
            c.Reply.WriteInteger(value?.Length ?? 0);
            return;
        }
        if (!CheckLength(c, offset, patch.Length))
        {
            return;
        }
        var end = (int)offset + patch.Length;
        if (value is null)
        {
            value = RedisString.CreateRaw(ReadOnlySpan<byte>.Empty);
            patch.CopyTo(value.GetWritableBytes(end)[(int)offset..]);
            c.Keyspace.Set(key, value);
        }
        else
        {
            patch.CopyTo(value.GetWritableBytes(end)[(int)offset..]);
            c.Keyspace.Modified(key);
        }
        c.Reply.WriteInteger(value.Length);
    }

    /// <summary>Whether a string of <paramref name="length"/> + <paramref name="extra"/> bytes is allowed; replies the error otherwise.</summary>
    internal static bool CheckLength(CommandContext c, long length, long extra)
    {
        if (extra <= MaxStringLength - length)
        {
            return true;
        }
        c.Error(CommandErrors.StringTooLong);
        return false;
    }
}
