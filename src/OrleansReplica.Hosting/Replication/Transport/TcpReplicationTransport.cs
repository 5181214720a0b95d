using System.Net.Sockets;

namespace OrleansReplica.Hosting.Replication.Transport;

/// <summary>Replication over TCP: the link Redis replicas and masters use.</summary>
public sealed class TcpReplicationTransport : IReplicationTransport
{
    public async Task<ReplicationConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(host, port, limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException("Timeout connecting to the MASTER...");
            }
            return new ReplicationConnection(new NetworkStream(socket, ownsSocket: true), socket.LocalEndPoint, socket.RemoteEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
