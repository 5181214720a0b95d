namespace OrleansReplica.Hosting.Configuration;

/// <summary>The master a replica follows.</summary>
public sealed record ReplicaOfTarget(string Host, int Port);

/// <summary>The <c>replicaof</c> (alias <c>slaveof</c>) parameter: "host port", or "no one" for a master.</summary>
public sealed class ReplicaOfDefinition : ConfigDefinition
{
    internal ReplicaOfDefinition()
        : base("replicaof", "slaveof", ConfigFlags.Immutable | ConfigFlags.MultiArg)
    {
    }

    internal override ConfigValue CreateDefault() => ConfigValue.Of(null);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        if (args.Length != 2)
        {
            return "wrong number of arguments";
        }

        if (args[0].Equals("no", StringComparison.OrdinalIgnoreCase) && args[1].Equals("one", StringComparison.OrdinalIgnoreCase))
        {
            value = ConfigValue.Of(null);
            return null;
        }

        if (!ConfigNumbers.TryParseC(args[1], 10, out long port) || port < 0 || port > 65535)
        {
            return "Invalid master port";
        }

        value = ConfigValue.Of(new ReplicaOfTarget(args[0], (int)port));
        return null;
    }

    internal override string Format(ConfigValue value) =>
        value.Ref is ReplicaOfTarget target ? $"{target.Host} {target.Port}" : string.Empty;

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state)
    {
        // A master, or a cluster node, has no replicaof line.
        if (value.Ref is not ReplicaOfTarget target || state.Config.ClusterEnabled)
        {
            state.MarkProcessed(Name);
            return;
        }

        state.RewriteLine(Name, $"{Name} {target.Host} {target.Port}", force: true);
    }
}
