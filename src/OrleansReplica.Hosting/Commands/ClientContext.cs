using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Commands;

/// <summary>The command context of a client connection: the keyspace view plus the session and its silo.</summary>
public sealed class ClientContext(Silo silo, ClientSession session, RespWriter reply, KeyspaceAccess keyspace)
    : CommandContext(reply, keyspace)
{
    public Silo Silo { get; } = silo;

    public ClientSession Session { get; } = session;

    public override void Error(string message)
    {
        base.Error(message);
        Silo.Stats.RecordError(message);
    }
}

/// <summary>Reaches the client-level context from a handler registered in the shared command table.</summary>
public static class ClientContextExtensions
{
    public static ClientContext Client(this CommandContext context) => (ClientContext)context;
}
