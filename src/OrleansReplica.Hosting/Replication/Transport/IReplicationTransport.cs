using System.Net;

namespace OrleansReplica.Hosting.Replication.Transport;

/// <summary>How a replica reaches its master: over TCP (the Redis protocol, to any master), or in memory (silos of one process, for tests that cut links on purpose).</summary>
public interface IReplicationTransport
{
    /// <summary>Opens a connection to the master at <paramref name="host"/>:<paramref name="port"/>; a timeout becomes <see cref="TimeoutException"/>.</summary>
    Task<ReplicationConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>An open connection to a master: a duplex byte stream and its two ends.</summary>
public sealed record ReplicationConnection(Stream Stream, EndPoint? LocalEndPoint, EndPoint? RemoteEndPoint);
