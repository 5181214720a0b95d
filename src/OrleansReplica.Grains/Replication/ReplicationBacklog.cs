using System.Security.Cryptography;

namespace OrleansReplica.Grains.Replication;

/// <summary>
/// A silo's replication history (PSYNC2): its replication id, the previous one (replid2) and the
/// offset up to which that one is valid, master_repl_offset, and the backlog: the last
/// repl-backlog-size bytes of the replication stream, kept in a chain of blocks shared with every
/// replica being fed (a replica behind the backlog keeps the blocks it still needs, as Redis 7.0's
/// shared replication buffer does). Appends happen under the propagation log's lock or, for bytes
/// forwarded from a master, on the link's turn; readers read completed bytes without locking.
/// </summary>
public sealed class ReplicationBacklog : IPropagationSink
{
    private const int BlockSize = 16 * 1024;
    // Blocks kept for reuse after trimming: a steady stream then allocates nothing (a fresh block per
    // 16 KB cost the master and each replica a tenth of their CPU in page faults and zeroing).
    private const int SpareBlocks = 16;
    private static readonly byte[] Ping = "*1\r\n$4\r\nPING\r\n"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly SelectedDatabase _selected = new();
    private readonly List<ReplicationReader> _readers = [];
    private volatile ReplicationReader[] _wakeList = [];
    private ReplicationBlock? _head;
    private ReplicationBlock? _tail;
    private readonly Stack<ReplicationBlock> _spare = new();
    private long _offset;

    public ReplicationBacklog()
    {
        ReplId = NewReplId();
    }

    /// <summary>master_replid.</summary>
    public string ReplId { get; private set; }

    /// <summary>master_replid2: the id this silo's history had before a promotion (40 zeros when none).</summary>
    public string ReplId2 { get; private set; } = new('0', 40);

    /// <summary>second_repl_offset: the last offset + 1 up to which <see cref="ReplId2"/> is valid (-1 when none).</summary>
    public long SecondReplOffset { get; private set; } = -1;

    /// <summary>master_repl_offset: how many bytes of replication stream this silo has produced or applied.</summary>
    public long Offset => Volatile.Read(ref _offset);

    /// <summary>repl_backlog_size.</summary>
    public long Size { get; set; } = 1024 * 1024;

    /// <summary>
    /// The database the stream has selected at its current end (repl-stream-db of a snapshot cut here):
    /// a replica continuing from this offset applies the next commands in it.
    /// </summary>
    public int StreamDb
    {
        get
        {
            lock (_gate)
            {
                return _rawStreamDb >= 0 ? _rawStreamDb : Math.Max(0, _selected.Db);
            }
        }
    }

    // The database of forwarded bytes (a replica's stream), -1 while the stream is this silo's own.
    private int _rawStreamDb = -1;

    /// <summary>True once a backlog exists (the first replica attached, or this silo is a replica).</summary>
    public bool Active { get; private set; }

    /// <summary>repl_backlog_first_byte_offset: the oldest offset still in the backlog.</summary>
    public long FirstByteOffset
    {
        get
        {
            lock (_gate)
            {
                return Active ? Math.Max(_head?.Start ?? _offset + 1, BacklogStart) : 0;
            }
        }
    }

    /// <summary>repl_backlog_histlen.</summary>
    public long HistoryLength => Active ? _offset - FirstByteOffset + 1 : 0;

    // The oldest offset the backlog must answer for: the last Size bytes.
    private long BacklogStart => Math.Max(_historyStart, _offset - Size + 1);

    private long _historyStart = 1;

    /// <summary>
    /// Creates the backlog for the first replica, as Redis does: with no past history a new
    /// replication id is taken and replid2 cleared. Call at a cut (no write in flight).
    /// </summary>
    public void Activate()
    {
        lock (_gate)
        {
            if (Active)
            {
                return;
            }
            Active = true;
            ReplId = NewReplId();
            ReplId2 = new string('0', 40);
            SecondReplOffset = -1;
            _historyStart = _offset + 1;
            _selected.Reset();
            _rawStreamDb = -1;
        }
    }

    /// <summary>
    /// Frees the backlog of a master that had no replica for repl-backlog-ttl seconds, as Redis does:
    /// with the history gone, a new replication id starts. Call with the backlog removed from the
    /// propagation log's sinks.
    /// </summary>
    public void Deactivate()
    {
        lock (_gate)
        {
            Active = false;
            _head = _tail = null;
            ReplId = NewReplId();
            ReplId2 = new string('0', 40);
            SecondReplOffset = -1;
            _selected.Reset();
        }
    }

    /// <summary>
    /// Takes a master's history (a replica after a full sync): its replid and offset, an empty backlog
    /// starting after that offset. Call with no write in flight.
    /// </summary>
    public void Reset(string replId, long offset, int streamDb = 0)
    {
        lock (_gate)
        {
            _rawStreamDb = streamDb;
            ReplId = replId;
            ReplId2 = new string('0', 40);
            SecondReplOffset = -1;
            _offset = offset;
            _head = _tail = null;
            _historyStart = offset + 1;
            Active = true;
            _selected.Reset();
        }
    }

    /// <summary>
    /// A promotion (REPLICAOF NO ONE) or a master change: the current id becomes replid2, valid up to
    /// the current offset, and a new id starts, so replicas of the old history can continue partially.
    /// </summary>
    public void ShiftReplId()
    {
        lock (_gate)
        {
            ReplId2 = ReplId;
            SecondReplOffset = _offset + 1;
            ReplId = NewReplId();
            _selected.Reset();
            _rawStreamDb = -1;
        }
    }

    /// <summary>A replica taking a new master's id after +CONTINUE with another id (PSYNC2 chaining).</summary>
    public void AdoptReplId(string replId)
    {
        lock (_gate)
        {
            ReplId2 = ReplId;
            SecondReplOffset = _offset + 1;
            ReplId = replId;
        }
    }

    /// <summary>Forgets which database the stream selected: the next command is preceded by SELECT.</summary>
    public void ForgetSelectedDatabase()
    {
        lock (_gate)
        {
            _selected.Reset();
        }
    }

    /// <summary>A propagated command (from the propagation log): SELECT first when its database differs.</summary>
    public void Append(int db, ReadOnlySpan<byte> command)
    {
        lock (_gate)
        {
            if (!Active)
            {
                return;
            }
            _selectBuffer.ResetWrittenCount();
            _selected.SelectFor(db, _selectBuffer);
            AppendLocked(_selectBuffer.WrittenSpan);
            AppendLocked(command);
        }
        WakeReaders();
    }

    private readonly System.Buffers.ArrayBufferWriter<byte> _selectBuffer = new(32);

    /// <summary>Bytes exactly as received from this silo's master (a replica forwards them to its own replicas), after which the stream has <paramref name="streamDb"/> selected.</summary>
    public void AppendRaw(ReadOnlySpan<byte> bytes, int streamDb)
    {
        lock (_gate)
        {
            AppendLocked(bytes);
            _rawStreamDb = streamDb;
        }
        WakeReaders();
    }

    /// <summary>Bytes that select no database (PING, REPLCONF GETACK).</summary>
    private void AppendRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            AppendLocked(bytes);
        }
        WakeReaders();
    }

    /// <summary>REPLCONF GETACK *, which asks every replica for its offset (WAIT).</summary>
    public void AppendGetAck() => AppendRaw(GetAck);

    private static readonly byte[] GetAck = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"u8.ToArray();

    /// <summary>The PING a master sends down the stream every repl-ping-replica-period seconds.</summary>
    public void AppendPing() => AppendRaw(Ping);

    /// <summary>
    /// Whether PSYNC &lt;replid&gt; &lt;offset&gt; can continue: the id is ours (or our previous one, up to
    /// where it is valid) and the offset is inside the backlog.
    /// </summary>
    public bool CanContinue(string replId, long offset)
    {
        lock (_gate)
        {
            if (!Active)
            {
                return false;
            }
            var idMatches = replId == ReplId || (replId == ReplId2 && offset <= SecondReplOffset);
            return idMatches && offset >= BacklogStart && offset <= _offset + 1 && (offset == _offset + 1 || FindBlock(offset) is not null);
        }
    }

    /// <summary>A reader of the stream from <paramref name="offset"/> on (the next byte it wants); null when that is no longer kept.</summary>
    internal ReplicationReader? OpenReader(long offset)
    {
        lock (_gate)
        {
            if (offset != _offset + 1 && FindBlock(offset) is null)
            {
                return null;
            }
            var reader = new ReplicationReader(this, offset);
            _readers.Add(reader);
            _wakeList = [.. _readers];
            return reader;
        }
    }

    internal void CloseReader(ReplicationReader reader)
    {
        lock (_gate)
        {
            _readers.Remove(reader);
            _wakeList = [.. _readers];
            Trim();
        }
    }

    /// <summary>
    /// The stream bytes from <paramref name="offset"/> to the end of the block holding it, as a slice of
    /// that block; empty when there are none yet. The slice stays valid while the reader's position is at
    /// or before <paramref name="offset"/>: a block is reused only once every reader has moved past it.
    /// </summary>
    internal ReadOnlyMemory<byte> Peek(long offset)
    {
        ReplicationBlock? block;
        lock (_gate)
        {
            block = FindBlock(offset);
        }
        while (block is not null)
        {
            var used = Volatile.Read(ref block.Used);
            var from = (int)(offset - block.Start);
            if (from < used)
            {
                return block.Data.AsMemory(from, used - from);
            }
            if (from < BlockSize)
            {
                return default;
            }
            block = Volatile.Read(ref block.Next);
        }
        return default;
    }

    /// <summary>Drops blocks older than both the backlog window and every reader's position.</summary>
    internal void Trim()
    {
        var keepFrom = BacklogStart;
        foreach (var reader in _readers)
        {
            keepFrom = Math.Min(keepFrom, reader.Position);
        }
        while (_head is not null && _head.Next is not null && _head.Start + BlockSize <= keepFrom)
        {
            var dropped = _head;
            _head = _head.Next;
            if (_spare.Count < SpareBlocks)
            {
                _spare.Push(dropped);
            }
        }
    }

    private void AppendLocked(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_tail is null || _tail.Used == BlockSize)
            {
                var block = _spare.TryPop(out var reused) ? reused.Restart(_offset + 1) : new ReplicationBlock(_offset + 1);
                if (_tail is null)
                {
                    _head = _tail = block;
                }
                else
                {
                    Volatile.Write(ref _tail.Next, block);
                    _tail = block;
                }
            }
            var count = Math.Min(bytes.Length, BlockSize - _tail.Used);
            bytes[..count].CopyTo(_tail.Data.AsSpan(_tail.Used));
            Volatile.Write(ref _tail.Used, _tail.Used + count);
            Volatile.Write(ref _offset, _offset + count);
            bytes = bytes[count..];
        }
        if (_head is not null && _head.Start + 2L * BlockSize < BacklogStart)
        {
            Trim();
        }
    }

    private ReplicationBlock? FindBlock(long offset)
    {
        for (var block = _head; block is not null; block = block.Next)
        {
            if (offset >= block.Start && offset < block.Start + BlockSize)
            {
                return offset < block.Start + block.Used || offset == _offset + 1 ? block : null;
            }
        }
        return null;
    }

    private void WakeReaders()
    {
        foreach (var reader in _wakeList)
        {
            reader.Wake();
        }
    }

    private static string NewReplId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>One block of the stream: bytes [Start, Start + Used).</summary>
    private sealed class ReplicationBlock(long start)
    {
        public long Start = start;
        public readonly byte[] Data = new byte[BlockSize];
        public int Used;
        public ReplicationBlock? Next;

        /// <summary>Makes a trimmed block the new tail, holding bytes from <paramref name="start"/> on.</summary>
        public ReplicationBlock Restart(long start)
        {
            Start = start;
            Used = 0;
            Next = null;
            return this;
        }
    }
}

/// <summary>One replica's position in the replication stream; it wakes when new bytes arrive.</summary>
internal sealed class ReplicationReader : IDisposable
{
    private readonly ReplicationBacklog _backlog;
    private readonly ReplicationSignal _signal = new();

    internal ReplicationReader(ReplicationBacklog backlog, long position)
    {
        _backlog = backlog;
        Position = position;
    }

    /// <summary>The next offset this reader will read.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes produced and not read yet (what client-output-buffer-limit replica bounds).</summary>
    public long Pending => _backlog.Offset + 1 - Position;

    /// <summary>The available bytes from <see cref="Position"/> on, up to the end of one backlog block, without advancing.</summary>
    public ReadOnlyMemory<byte> Peek() => _backlog.Peek(Position);

    /// <summary>Moves past bytes handed out by <see cref="Peek"/>.</summary>
    public void Advance(int count) => Position += count;

    /// <summary>Completes when bytes may be available (or after <see cref="Wake"/>, to notice an unsubscription).</summary>
    public ValueTask WaitAsync() => Pending > 0 ? default : _signal.WaitAsync();

    internal void Wake() => _signal.Wake();

    public void Dispose() => _backlog.CloseReader(this);
}
