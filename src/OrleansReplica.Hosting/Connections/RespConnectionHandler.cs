using Microsoft.AspNetCore.Connections;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Connections;

/// <summary>Kestrel's entry point for a silo's RESP port: one <see cref="ClientConnection"/> per accepted socket.</summary>
public sealed class RespConnectionHandler(Silo silo) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) => new ClientConnection(silo, connection).RunAsync();
}
