namespace OrleansReplica.Hosting.Configuration;

/// <summary>Output buffer limits of one client class: disconnect over the hard limit, or over the soft one for too long.</summary>
public readonly record struct OutputBufferLimit(ulong HardLimitBytes, ulong SoftLimitBytes, long SoftLimitSeconds);

/// <summary>The client classes that have output buffer limits, in Redis's order.</summary>
public enum ClientClass
{
    Normal = 0,
    Replica = 1,
    PubSub = 2,
}

/// <summary>The <c>client-output-buffer-limit</c> parameter: groups of class, hard, soft, seconds.</summary>
public sealed class ClientOutputBufferLimitDefinition : ConfigDefinition
{
    internal ClientOutputBufferLimitDefinition()
        : base("client-output-buffer-limit", null, ConfigFlags.MultiArg)
    {
    }

    public static IReadOnlyList<OutputBufferLimit> DefaultValue { get; } =
    [
        new(0, 0, 0),
        new(256UL * 1024 * 1024, 64UL * 1024 * 1024, 60),
        new(32UL * 1024 * 1024, 8UL * 1024 * 1024, 60),
    ];

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        if (args.Length % 4 != 0)
        {
            return "Wrong number of arguments in buffer limit configuration.";
        }

        // Validate every group before changing anything.
        var limits = ((IReadOnlyList<OutputBufferLimit>)value.Ref!).ToArray();
        for (int j = 0; j < args.Length; j += 4)
        {
            int? clientClass = ClassOf(args[j]);
            if (clientClass is null)
            {
                return "Invalid client class specified in buffer limit configuration.";
            }

            if (!ConfigNumbers.TryParseMemory(args[j + 1], out ulong hard)
                || !ConfigNumbers.TryParseMemory(args[j + 2], out ulong soft)
                || !ConfigNumbers.TryParseC(args[j + 3], 10, out long seconds)
                || unchecked((int)seconds) < 0)
            {
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            }

            limits[clientClass.Value] = new OutputBufferLimit(hard, soft, unchecked((int)seconds));
        }

        value = ConfigValue.Of(limits);
        return null;
    }

    internal override string Format(ConfigValue value)
    {
        var limits = (IReadOnlyList<OutputBufferLimit>)value.Ref!;
        return string.Join(' ', limits.Select((l, i) => $"{ClassName(i)} {l.HardLimitBytes} {l.SoftLimitBytes} {l.SoftLimitSeconds}"));
    }

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state)
    {
        var limits = (IReadOnlyList<OutputBufferLimit>)value.Ref!;
        for (int i = 0; i < limits.Count; i++)
        {
            var l = limits[i];
            string name = i == (int)ClientClass.Replica ? "replica" : ClassName(i);
            string line = $"{Name} {name} {ConfigNumbers.FormatMemory((long)l.HardLimitBytes)} {ConfigNumbers.FormatMemory((long)l.SoftLimitBytes)} {l.SoftLimitSeconds}";
            state.RewriteLine(Name, line, l != DefaultValue[i]);
        }
    }

    private static string ClassName(int clientClass) => clientClass switch
    {
        0 => "normal",
        1 => "slave",
        _ => "pubsub",
    };

    // "master" is a client type but has no output buffer limit.
    private static int? ClassOf(string name) => name.ToLowerInvariant() switch
    {
        "normal" => 0,
        "slave" or "replica" => 1,
        "pubsub" => 2,
        _ => null,
    };
}
