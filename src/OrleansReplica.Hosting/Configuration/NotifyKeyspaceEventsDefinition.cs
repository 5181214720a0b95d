using System.Text;

namespace OrleansReplica.Hosting.Configuration;

/// <summary>Keyspace notification classes, as the letters of <c>notify-keyspace-events</c>.</summary>
[Flags]
public enum KeyspaceEvents
{
    None = 0,

    /// <summary>K: publish on __keyspace@db__:key.</summary>
    Keyspace = 1 << 0,

    /// <summary>E: publish on __keyevent@db__:event.</summary>
    Keyevent = 1 << 1,

    /// <summary>g: DEL, EXPIRE, RENAME...</summary>
    Generic = 1 << 2,

    /// <summary>$: string commands.</summary>
    String = 1 << 3,

    /// <summary>l: list commands.</summary>
    List = 1 << 4,

    /// <summary>s: set commands.</summary>
    Set = 1 << 5,

    /// <summary>h: hash commands.</summary>
    Hash = 1 << 6,

    /// <summary>z: sorted set commands.</summary>
    SortedSet = 1 << 7,

    /// <summary>x: key expired.</summary>
    Expired = 1 << 8,

    /// <summary>e: key evicted.</summary>
    Evicted = 1 << 9,

    /// <summary>t: stream commands.</summary>
    Stream = 1 << 10,

    /// <summary>m: key miss (not part of A).</summary>
    KeyMiss = 1 << 11,

    /// <summary>d: module key types.</summary>
    Module = 1 << 12,

    /// <summary>n: new key (not part of A).</summary>
    New = 1 << 13,

    /// <summary>A: g$lshzxetd.</summary>
    All = Generic | String | List | Set | Hash | SortedSet | Expired | Evicted | Stream | Module,
}

/// <summary>The <c>notify-keyspace-events</c> parameter, a string of class letters.</summary>
public sealed class NotifyKeyspaceEventsDefinition : ConfigDefinition
{
    // Order in which the classes are shown when not all of A is set.
    private static readonly (char Letter, KeyspaceEvents Flag)[] ClassLetters =
    [
        ('g', KeyspaceEvents.Generic), ('$', KeyspaceEvents.String), ('l', KeyspaceEvents.List),
        ('s', KeyspaceEvents.Set), ('h', KeyspaceEvents.Hash), ('z', KeyspaceEvents.SortedSet),
        ('x', KeyspaceEvents.Expired), ('e', KeyspaceEvents.Evicted), ('t', KeyspaceEvents.Stream),
        ('d', KeyspaceEvents.Module), ('n', KeyspaceEvents.New),
    ];

    internal NotifyKeyspaceEventsDefinition()
        : base("notify-keyspace-events", null, ConfigFlags.None)
    {
    }

    /// <summary>Parses class letters; null when a letter is unknown.</summary>
    public static KeyspaceEvents? Parse(string letters)
    {
        var flags = KeyspaceEvents.None;
        foreach (char c in letters)
        {
            flags |= c switch
            {
                'A' => KeyspaceEvents.All,
                'g' => KeyspaceEvents.Generic,
                '$' => KeyspaceEvents.String,
                'l' => KeyspaceEvents.List,
                's' => KeyspaceEvents.Set,
                'h' => KeyspaceEvents.Hash,
                'z' => KeyspaceEvents.SortedSet,
                'x' => KeyspaceEvents.Expired,
                'e' => KeyspaceEvents.Evicted,
                'K' => KeyspaceEvents.Keyspace,
                'E' => KeyspaceEvents.Keyevent,
                't' => KeyspaceEvents.Stream,
                'm' => KeyspaceEvents.KeyMiss,
                'd' => KeyspaceEvents.Module,
                'n' => KeyspaceEvents.New,
                _ => (KeyspaceEvents)(-1),
            };

            if (flags == (KeyspaceEvents)(-1))
            {
                return null;
            }
        }

        return flags;
    }

    /// <summary>The canonical letters, as CONFIG GET shows them ("AKE", "xE"...).</summary>
    public static string ToLetters(KeyspaceEvents flags)
    {
        var sb = new StringBuilder();
        if ((flags & KeyspaceEvents.All) == KeyspaceEvents.All)
        {
            sb.Append('A');
        }
        else
        {
            foreach (var (letter, flag) in ClassLetters)
            {
                if ((flags & flag) != 0)
                {
                    sb.Append(letter);
                }
            }
        }

        if ((flags & KeyspaceEvents.Keyspace) != 0)
        {
            sb.Append('K');
        }

        if ((flags & KeyspaceEvents.Keyevent) != 0)
        {
            sb.Append('E');
        }

        if ((flags & KeyspaceEvents.KeyMiss) != 0)
        {
            sb.Append('m');
        }

        return sb.ToString();
    }

    internal override ConfigValue CreateDefault() => ConfigValue.Of(0);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        if (args.Length != 1)
        {
            return "wrong number of arguments";
        }

        if (Parse(args[0]) is not { } flags)
        {
            return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        }

        value = ConfigValue.Of((long)flags);
        return null;
    }

    internal override string Format(ConfigValue value) => ToLetters((KeyspaceEvents)value.Number);

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state) =>
        state.RewriteLine(Name, $"{Name} {ConfigArgs.Quote(Format(value))}", value.Number != 0);
}
