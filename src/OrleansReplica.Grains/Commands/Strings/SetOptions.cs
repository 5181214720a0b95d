using System.Text;

namespace OrleansReplica.Grains.Commands.Strings;

/// <summary>The options SET and GETEX accept, as bits.</summary>
[Flags]
internal enum SetFlags
{
    None = 0,
    Nx = 1 << 0,
    Xx = 1 << 1,
    Get = 1 << 2,
    KeepTtl = 1 << 3,
    Persist = 1 << 4,
    Ex = 1 << 5,
    Px = 1 << 6,
    ExAt = 1 << 7,
    PxAt = 1 << 8,
    AnyExpire = Ex | Px | ExAt | PxAt,
}

/// <summary>
/// The options of one SET or GETEX request, accepted in any order with Redis's conflict rules:
/// NX/XX exclude each other, the expire forms exclude each other and KEEPTTL (SET) or PERSIST
/// (GETEX); repeating the same option is allowed and the last expire value wins.
/// </summary>
internal readonly struct SetOptions
{
    private SetOptions(SetFlags flags, int expireIndex)
    {
        Flags = flags;
        ExpireIndex = expireIndex;
    }

    public SetFlags Flags { get; }

    /// <summary>Argument index of the expire value; 0 when the request has none.</summary>
    public int ExpireIndex { get; }

    public bool Has(SetFlags flag) => (Flags & flag) != 0;

    /// <summary>Parses the options from argument <paramref name="first"/> on; replies a syntax error on failure.</summary>
    public static bool TryParse(CommandContext c, int first, bool getEx, out SetOptions options)
    {
        var flags = SetFlags.None;
        var expireIndex = 0;
        var args = c.Args;
        for (var i = first; i < args.Count; i++)
        {
            var word = OptionWord.Of(args[i]);
            var hasNext = i + 1 < args.Count;
            var expireAllowed = (flags & (SetFlags.KeepTtl | SetFlags.Persist)) == 0;
            if (!getEx && Ascii.EqualsIgnoreCase(word, "NX"u8) && (flags & SetFlags.Xx) == 0)
            {
                flags |= SetFlags.Nx;
            }
            else if (!getEx && Ascii.EqualsIgnoreCase(word, "XX"u8) && (flags & SetFlags.Nx) == 0)
            {
                flags |= SetFlags.Xx;
            }
            else if (!getEx && Ascii.EqualsIgnoreCase(word, "GET"u8))
            {
                flags |= SetFlags.Get;
            }
            else if (!getEx && Ascii.EqualsIgnoreCase(word, "KEEPTTL"u8) && (flags & SetFlags.AnyExpire) == 0)
            {
                flags |= SetFlags.KeepTtl;
            }
            else if (getEx && Ascii.EqualsIgnoreCase(word, "PERSIST"u8) && (flags & SetFlags.AnyExpire) == 0)
            {
                flags |= SetFlags.Persist;
            }
            else if (expireAllowed && hasNext && TryExpireForm(word, out var form) && (flags & SetFlags.AnyExpire & ~form) == 0)
            {
                flags |= form;
                expireIndex = ++i;
            }
            else
            {
                c.Error(CommandErrors.Syntax);
                options = default;
                return false;
            }
        }
        options = new SetOptions(flags, expireIndex);
        return true;
    }

    /// <summary>The absolute expire time in Unix ms; replies Redis's error when the value is invalid.</summary>
    public bool TryGetExpireAt(CommandContext c, string command, out long expiresAtMs) =>
        ExpireTime.TryResolve(
            c,
            ExpireIndex,
            seconds: (Flags & (SetFlags.Ex | SetFlags.ExAt)) != 0,
            relative: (Flags & (SetFlags.Ex | SetFlags.Px)) != 0,
            command,
            out expiresAtMs);

    private static bool TryExpireForm(ReadOnlySpan<byte> word, out SetFlags form)
    {
        form = word.Length switch
        {
            2 when Ascii.EqualsIgnoreCase(word, "EX"u8) => SetFlags.Ex,
            2 when Ascii.EqualsIgnoreCase(word, "PX"u8) => SetFlags.Px,
            4 when Ascii.EqualsIgnoreCase(word, "EXAT"u8) => SetFlags.ExAt,
            4 when Ascii.EqualsIgnoreCase(word, "PXAT"u8) => SetFlags.PxAt,
            _ => SetFlags.None,
        };
        return form != SetFlags.None;
    }
}

/// <summary>Turns an expire argument (relative or absolute, seconds or ms) into Unix ms with Redis's validity rules.</summary>
internal static class ExpireTime
{
    public static bool TryResolve(CommandContext c, int index, bool seconds, bool relative, string command, out long expiresAtMs)
    {
        expiresAtMs = 0;
        if (!c.TryGetInt64(index, out var value))
        {
            return false;
        }
        // Zero and negative times are rejected, as is anything that overflows once made absolute ms.
        if (value <= 0 || (seconds && value > long.MaxValue / 1000))
        {
            c.Error(CommandErrors.InvalidExpireTime(command));
            return false;
        }
        if (seconds)
        {
            value *= 1000;
        }
        if (relative)
        {
            var now = c.Keyspace.NowMs;
            if (value > long.MaxValue - now)
            {
                c.Error(CommandErrors.InvalidExpireTime(command));
                return false;
            }
            value += now;
        }
        expiresAtMs = value;
        return true;
    }
}

/// <summary>An option word as Redis compares it: as a C string, so the text ends at the first NUL byte.</summary>
internal static class OptionWord
{
    public static ReadOnlySpan<byte> Of(ReadOnlySpan<byte> argument)
    {
        var end = argument.IndexOf((byte)0);
        return end < 0 ? argument : argument[..end];
    }

    public static bool Is(ReadOnlySpan<byte> argument, ReadOnlySpan<byte> upperWord) => Ascii.EqualsIgnoreCase(Of(argument), upperWord);
}
