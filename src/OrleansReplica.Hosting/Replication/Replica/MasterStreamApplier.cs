using System.Buffers;
using System.Text;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Commands;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// Applies the replication stream of one master connection: runs each command through the command
/// table as the master client (whose replies nobody reads), answers REPLCONF GETACK, and advances the
/// replica's offset by exactly the bytes of each complete command applied, forwarding those bytes to
/// this silo's own replicas through the backlog. A MULTI/EXEC block counts as one unit, as in Redis:
/// the offset never stops inside a transaction.
/// </summary>
/// <remarks>
/// The applied bytes of a command that changed data reach the backlog while the command's shard turns
/// are still held (the command's propagated form comes back through <see cref="IPropagationSink.Append"/>
/// of a link-private log), so a snapshot cut taken for a sub-replica (every turn held) never sees data
/// whose bytes are not in the backlog yet. The propagated form itself goes on to the silo's log, where
/// only the AOF listens on a replica: the backlog is fed the master's bytes, never our own forms.
/// </remarks>
internal sealed class MasterStreamApplier : IPropagationSink
{
    private readonly Silo _silo;
    private readonly MasterConnection _connection;
    private readonly ClientSession _session;
    private readonly CommandDispatcher _dispatcher;
    private readonly ArrayBufferWriter<byte> _replies = new(256);
    private readonly ArrayBufferWriter<byte> _transaction = new(256);
    private readonly ArrayBufferWriter<byte> _ack = new(64);
    private readonly RespRequestReader _reader = new() { Limits = new RespLimits(long.MaxValue, long.MaxValue) };
    private readonly CommandArguments _args = new();
    private readonly PropagationBuffer _applied;
    private ReadOnlyMemory<byte> _current;
    private bool _forwarded;

    public MasterStreamApplier(Silo silo, MasterConnection connection)
    {
        _silo = silo;
        _connection = connection;
        // The stream goes on in the database it had selected where this replica's data ends.
        _session = new ClientSession(silo.Clients.NextId(), connection.RemoteEndPoint, connection.LocalEndPoint, connection.Abort)
        {
            Authenticated = true,
            IsMasterLink = true,
            Db = silo.Backlog.StreamDb,
        };
        _applied = new PropagationBuffer(silo.Propagation);
        var forms = new PropagationLog();
        forms.AddSink(this);
        var keyspace = new KeyspaceAccess(silo.ShardMap, new PropagationBuffer(forms));
        var context = new ClientContext(silo, _session, new RespWriter(_replies), keyspace);
        _dispatcher = new CommandDispatcher(context, new KeyspaceExecutor(silo.Grains, silo.ShardMap)) { IsMasterLink = true };
    }

    /// <summary>The master client, as CLIENT LIST and CLIENT KILL TYPE master see it.</summary>
    public ClientSession Session => _session;

    /// <summary>slave_read_repl_offset: the stream offset of the last byte received.</summary>
    public long ReadOffset { get; private set; }

    /// <summary>The master client appears in CLIENT LIST; the read offset starts after what is already buffered.</summary>
    public void Attach()
    {
        ReadOffset = _silo.Backlog.Offset + _connection.Buffered.Length;
        _silo.Clients.Add(_session);
    }

    public void Detach() => _silo.Clients.Remove(_session);

    /// <summary>Waits for more of the stream (outside the link grain's turns).</summary>
    public async ValueTask ReceiveAsync(CancellationToken cancellationToken)
    {
        ReadOffset += await _connection.FillAsync(cancellationToken);
        // The reader resumes an incomplete request by position: after the buffer moved, it starts over.
        _reader.Reset();
    }

    /// <summary>REPLCONF ACK &lt;offset&gt; with the offset applied so far.</summary>
    public async ValueTask SendAckAsync(CancellationToken cancellationToken)
    {
        byte[] request;
        lock (_ack)
        {
            _ack.ResetWrittenCount();
            RespCommandWriter.WriteArrayHeader(_ack, 3);
            RespCommandWriter.WriteBulk(_ack, "REPLCONF"u8);
            RespCommandWriter.WriteBulk(_ack, "ACK"u8);
            RespCommandWriter.WriteBulk(_ack, _silo.Backlog.Offset);
            request = _ack.WrittenSpan.ToArray();
        }
        await _connection.SendAsync(request, cancellationToken);
    }

    /// <summary>Applies the complete commands received so far, in a turn of the link grain.</summary>
    public async ValueTask ApplyBufferedAsync(CancellationToken cancellationToken)
    {
        _dispatcher.BeginBatch();
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var buffered = _connection.Buffered;
                if (buffered.IsEmpty)
                {
                    return;
                }
                var status = _reader.TryRead(buffered, _args, out var consumed, out var error);
                if (status == RespParseStatus.Incomplete)
                {
                    return;
                }
                if (status == RespParseStatus.Error)
                {
                    throw new ReplicationLinkException($"Protocol error from MASTER: {error}");
                }
                await ApplyAsync(buffered[..consumed], cancellationToken);
                _connection.Consume(consumed);
            }
        }
        finally
        {
            _dispatcher.EndBatch();
        }
    }

    private async ValueTask ApplyAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        _current = frame;
        _forwarded = false;
        if (_args.Count >= 2 && Ascii.EqualsIgnoreCase(_args[0], "REPLCONF"))
        {
            // Only GETACK is meant for us; the acknowledgement carries the offset before this request, as Redis sends it.
            if (Ascii.EqualsIgnoreCase(_args[1], "GETACK"))
            {
                // No shard turn kept by the batch is held across network I/O.
                _dispatcher.EndBatch();
                await SendAckAsync(cancellationToken);
                _dispatcher.BeginBatch();
            }
        }
        else if (_args.Count > 0)
        {
            var pending = _dispatcher.DispatchAsync(_args);
            if (!pending.IsCompletedSuccessfully)
            {
                await pending;
            }
            ReportErrorReply();
            _replies.ResetWrittenCount();
        }
        if (_session.Transaction.InMulti)
        {
            // Inside MULTI the offset does not move: the whole block is applied and counted at EXEC.
            _transaction.Write(frame.Span);
        }
        else if (!_forwarded)
        {
            Forward();
        }
        _current = default;
    }

    /// <summary>Moves the offset over the pending transaction bytes and the current request, handing them to sub-replicas.</summary>
    private void Forward()
    {
        _forwarded = true;
        if (_transaction.WrittenCount > 0)
        {
            Forward(_transaction.WrittenMemory);
            _transaction.ResetWrittenCount();
        }
        Forward(_current);
    }

    private void Forward(ReadOnlyMemory<byte> bytes) =>
        _silo.ReplicationStream.OnNextAsync(new ReplicationBatch(_silo.Backlog.Offset + 1, bytes, _session.Db));

    /// <summary>A command that changed data, in its propagated form, while its shard turns are held.</summary>
    void IPropagationSink.Append(int db, ReadOnlySpan<byte> command)
    {
        if (!_forwarded)
        {
            Forward();
        }
        // The AOF of a replica records what it applied, as Redis's does, a transaction as one unit (no
        // write of a client of a writable replica lands inside it).
        if (command.SequenceEqual(PropagationBuffer.Multi))
        {
            _applied.BeginTransaction();
        }
        else if (db == -1)
        {
            _applied.EndTransaction();
        }
        else if (_applied.InTransaction || _applied.Active)
        {
            _applied.AddRaw(db, command);
            _applied.Commit();
        }
    }

    private void ReportErrorReply()
    {
        var reply = _replies.WrittenSpan;
        if (reply.IsEmpty || reply[0] != (byte)'-')
        {
            return;
        }
        var end = reply.IndexOf((byte)'\r');
        var text = Encoding.UTF8.GetString(end > 0 ? reply[1..end] : reply[1..]);
        _silo.Log.Warning($"== CRITICAL == This replica is sending an error to its master: '{text}' after processing the command '{Encoding.UTF8.GetString(_args[0]).ToLowerInvariant()}'");
    }
}
