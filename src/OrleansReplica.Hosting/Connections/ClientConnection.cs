using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Commands;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Connections;

/// <summary>
/// Serves one client connection: parses pipelined requests straight out of the receive buffer,
/// dispatches them in order and flushes the replies once per received batch.
/// </summary>
public sealed class ClientConnection
{
    private readonly Silo _silo;
    private readonly ConnectionContext _connection;
    private readonly RespRequestReader _reader = new();
    private readonly CommandArguments _args = new();
    private readonly ClientSession _session;
    private readonly CommandDispatcher _dispatcher;
    private readonly RespWriter _reply;
    private readonly ReplyBuffer _replies;
    private readonly PropagationBuffer _propagation;
    private readonly Socket? _socket;

    public ClientConnection(Silo silo, ConnectionContext connection)
    {
        _silo = silo;
        _connection = connection;
        // Cancelling the pending read is how a publisher on another connection wakes this loop to write its messages.
        _session = new ClientSession(silo.Clients.NextId(), connection.RemoteEndPoint, connection.LocalEndPoint, connection.Abort, connection.Transport.Input.CancelPendingRead);
        _session.Authenticated = !silo.RequiresAuthentication;
        _replies = new ReplyBuffer(connection.Transport.Output);
        _socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        _reply = new RespWriter(_replies);
        _propagation = new PropagationBuffer(silo.Propagation);
        var keyspace = new KeyspaceAccess(silo.ShardMap, _propagation);
        var context = new ClientContext(silo, _session, _reply, keyspace);
        _dispatcher = new CommandDispatcher(context, new KeyspaceExecutor(silo.Grains, silo.ShardMap));
    }

    public ClientSession Session => _session;

    public async Task RunAsync()
    {
        var input = _connection.Transport.Input;
        var output = _connection.Transport.Output;
        Interlocked.Increment(ref _silo.Stats.TotalConnectionsReceived);
        if (_silo.Clients.Count >= _silo.Config.MaxClients)
        {
            Interlocked.Increment(ref _silo.Stats.RejectedConnections);
            _reply.WriteError("ERR max number of clients reached");
            _replies.Commit();
            await output.FlushAsync();
            return;
        }
        _silo.Clients.Add(_session);
        try
        {
            await ServeAsync(input, output);
        }
        catch (ConnectionResetException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _silo.Clients.Remove(_session);
            if (_session.Replica is { } replica)
            {
                _silo.Replication.Detach(replica);
            }
            _silo.PubSub.UnsubscribeAll(_session);
            _session.Outbox.Close();
            await TransactionCommands.UnwatchAllAsync(_dispatcher);
        }
    }

    private async Task ServeAsync(PipeReader input, PipeWriter output)
    {
        // Unconsumed bytes of the previous read, seen again at the start of this one: counted once.
        long carried = 0;
        while (true)
        {
            // A read also returns, as canceled, when another connection published to this client:
            // that is not the end of the stream, only a cue to write the queued messages.
            var result = await input.ReadAsync();
            if (_silo.ConnectionTurns.MustGiveWay(_session.Id))
            {
                await Task.Yield();
            }
            var buffer = result.Buffer;
            Interlocked.Add(ref _silo.Stats.TotalNetInputBytes, buffer.Length - carried);
            _session.Outbox.DrainTo(_replies);
            var commits = _propagation.Commits;
            var (consumed, closing) = await RunBatchAsync(buffer);
            if (_propagation.Commits != commits)
            {
                _session.WriteOffset = _silo.Backlog.Offset;
                // With appendfsync always, replies go out only once the writes they acknowledge are on disk.
                await _silo.Aof.AfterWritesAsync();
            }
            buffer = buffer.Slice(consumed);
            carried = buffer.Length;
            input.AdvanceTo(buffer.Start, buffer.End);
            if (_session.Replica is not null)
            {
                // A replica's output belongs to its sender: replies to what it sends (REPLCONF ACK) are not written.
                if (closing || result.IsCompleted)
                {
                    return;
                }
                continue;
            }
            if (!buffer.IsEmpty && !closing && !result.IsCompleted && MoreBytesArrived())
            {
                // The read stopped inside a request whose rest is already here (a pipeline larger than a
                // read): its replies go out with those of the rest, in one send instead of two.
                continue;
            }
            _replies.Commit();
            if (output.CanGetUnflushedBytes)
            {
                Interlocked.Add(ref _silo.Stats.TotalNetOutputBytes, output.UnflushedBytes);
            }
            var flush = await output.FlushAsync();
            if (closing || result.IsCompleted || flush.IsCompleted)
            {
                return;
            }
        }
    }

    private bool MoreBytesArrived()
    {
        try
        {
            return _socket is { Available: > 0 };
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Parses and runs the complete requests of one read, in order; returns how many bytes they took
    /// and whether the connection must close (protocol error, QUIT, query buffer limit).
    /// </summary>
    private async ValueTask<(long Consumed, bool Closing)> RunBatchAsync(ReadOnlySequence<byte> buffer)
    {
        // The usual receive buffer is one segment: parse it as memory, slicing the sequence once.
        var contiguous = buffer.IsSingleSegment ? buffer.First : default;
        long offset = 0;
        // The unparsed rest of a multi-segment buffer, sliced forward command by command (slicing
        // from the start each time would walk every segment again: quadratic on large pipelines).
        var rest = buffer;
        _dispatcher.BeginBatch();
        try
        {
            while (offset < buffer.Length)
            {
                _reader.Authenticated = _session.Authenticated;
                _reader.Limits = _silo.Limits;
                RespParseStatus status;
                long consumed;
                string? error;
                if (buffer.IsSingleSegment)
                {
                    status = _reader.TryRead(contiguous[(int)offset..], _args, out int length, out error);
                    consumed = length;
                }
                else
                {
                    status = _reader.TryRead(rest, _args, out consumed, out error);
                }
                if (status == RespParseStatus.Incomplete)
                {
                    if (buffer.Length - offset > _silo.Limits.QueryBufferLimit)
                    {
                        _silo.Log.Warning($"Closing client that reached max query buffer length: id={_session.Id} addr={_session.Address}");
                        return (offset, true);
                    }
                    return (offset, false);
                }
                if (status == RespParseStatus.Error)
                {
                    _silo.Stats.RecordError("ERR " + error);
                    _reply.WriteError("ERR " + error);
                    _silo.Log.Verbose($"Protocol error ({error}) from client: id={_session.Id} addr={_session.Address}");
                    return (offset, true);
                }
                try
                {
                    if (!_dispatcher.TryDispatch(_args, out var pending))
                    {
                        await pending;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bug in one command must not take the connection or the silo down.
                    _silo.Log.Warning($"Command failed unexpectedly: {ex}");
                    Interlocked.Increment(ref _silo.Stats.UnexpectedErrorReplies);
                    _reply.WriteError("ERR internal error: " + ex.Message);
                }
                offset += consumed;
                if (!buffer.IsSingleSegment)
                {
                    rest = rest.Slice(consumed);
                }
                if (_session.CloseRequested)
                {
                    return (offset, true);
                }
            }
            return (offset, false);
        }
        finally
        {
            _dispatcher.EndBatch();
        }
    }
}
