using OrleansReplica.Grains.Commands;

namespace OrleansReplica.Hosting.Commands;

/// <summary>
/// CLUSTER, READONLY and ASKING on a silo without cluster support: every known subcommand answers
/// Redis's "cluster support disabled" error (clients probe CLUSTER NODES on connect).
/// </summary>
public static class ClusterCommand
{
    private const string Disabled = "ERR This instance has cluster support disabled";

    public static void Register(CommandTable table)
    {
        foreach (var sub in table.Metadata.Find("cluster")!.Subcommands)
        {
            table.Handle(sub.Name, static c => c.Error(Disabled));
        }
        table.Handle("readonly", static c => c.Error(Disabled));
        table.Handle("asking", static c => c.Error(Disabled));
    }
}
