using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using OrleansReplica.Hosting.Connections;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Replication.Transport;

/// <summary>
/// Replication between silos of one process without sockets: a replica's link to a master is a pair
/// of in-memory pipes served by the master's usual connection code. Tests cut links on purpose
/// (<see cref="Sever"/>) to inject faults deterministically. One network per test cluster.
/// </summary>
public sealed class InMemoryReplicationNetwork : IReplicationTransport
{
    private readonly ConcurrentDictionary<int, Silo> _silos = new();
    private readonly ConcurrentDictionary<InMemoryConnection, int> _links = new();
    private int _nextClientPort = 50000;

    /// <summary>Makes <paramref name="silo"/> reachable at 127.0.0.1:<paramref name="port"/> on this network.</summary>
    public void Register(int port, Silo silo) => _silos[port] = silo;

    public void Unregister(int port) => _silos.TryRemove(port, out _);

    /// <summary>Links open to the silo at <paramref name="port"/>.</summary>
    public int LinksTo(int port) => _links.Count(link => link.Value == port);

    /// <summary>Cuts every link to the silo at <paramref name="port"/> (both ends see the connection close).</summary>
    public void Sever(int port)
    {
        foreach (var (link, target) in _links)
        {
            if (target == port)
            {
                link.Abort();
            }
        }
    }

    public Task<ReplicationConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_silos.TryGetValue(port, out var master))
        {
            throw new SocketException((int)SocketError.ConnectionRefused);
        }
        var toMaster = new Pipe();
        var toReplica = new Pipe();
        var local = new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref _nextClientPort));
        var remote = new IPEndPoint(IPAddress.Loopback, port);
        var connection = new InMemoryConnection(new DuplexPipe(toMaster.Reader, toReplica.Writer), remote, local);
        _links[connection] = port;
        _ = ServeAsync(master, connection);
        var stream = new DuplexStream(toReplica.Reader.AsStream(), toMaster.Writer.AsStream(), connection.Abort);
        return Task.FromResult(new ReplicationConnection(stream, local, remote));
    }

    private async Task ServeAsync(Silo master, InMemoryConnection connection)
    {
        try
        {
            await new ClientConnection(master, connection).RunAsync();
        }
        finally
        {
            _links.TryRemove(connection, out _);
            connection.Abort();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>The master's end of an in-memory link, as Kestrel would hand it a socket.</summary>
    private sealed class InMemoryConnection(IDuplexPipe transport, EndPoint local, EndPoint remote) : ConnectionContext
    {
        private int _aborted;

        public override string ConnectionId { get; set; } = Guid.NewGuid().ToString("N");

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; } = transport;

        public override EndPoint? LocalEndPoint { get; set; } = local;

        public override EndPoint? RemoteEndPoint { get; set; } = remote;

        public override void Abort(ConnectionAbortedException abortReason) => Abort();

        /// <summary>Closes both directions: each side's pending read ends.</summary>
        public override void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0)
            {
                return;
            }
            Transport.Input.Complete();
            Transport.Output.Complete();
            Transport.Input.CancelPendingRead();
        }
    }

    /// <summary>The replica's end: reads what the master writes, writes what the master reads.</summary>
    private sealed class DuplexStream(Stream input, Stream output, Action abort) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);

        public override void Flush() => output.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                abort();
                input.Dispose();
                output.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
