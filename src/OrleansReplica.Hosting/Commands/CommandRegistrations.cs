using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Commands.Introspection;
using OrleansReplica.Grains.Commands.Keys;
using OrleansReplica.Grains.Commands.Strings;

namespace OrleansReplica.Hosting.Commands;

/// <summary>Attaches every command family's handlers to a silo's command table.</summary>
public static class CommandRegistrations
{
    public static void RegisterAll(CommandTable table)
    {
        StringCommands.Register(table);
        BitCommands.Register(table);
        KeyCommands.Register(table);
        ExpireCommands.Register(table);
        CommandCommand.Register(table);
        ConnectionCommands.Register(table);
        TransactionCommands.Register(table);
        ServerCommands.Register(table);
        PersistenceCommands.Register(table);
        ReplicationCommands.Register(table);
        ReplicaOfCommands.Register(table);
    }
}
