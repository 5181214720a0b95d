using System.Diagnostics;
using System.Globalization;
using System.Text;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// The snapshot of one full sync: reads the "$&lt;length&gt;" or diskless "$EOF:&lt;mark&gt;" transfer,
/// to a temporary file (repl-diskless-load disabled) or straight from the socket (on-empty-db and
/// swapdb alike: the load never touches the live data, so no mode puts it at risk), and loads it into
/// fresh databases aside from the live ones. Nothing is installed here: a transfer that fails at any
/// point leaves the old data untouched. Its progress is what INFO shows as master_sync_*.
/// </summary>
internal sealed class SnapshotTransfer
{
    private const int MarkLength = 40;

    private readonly Silo _silo;
    private readonly MasterConnection _connection;

    private long _read;
    private long _lastIo = Stopwatch.GetTimestamp();

    public SnapshotTransfer(Silo silo, MasterConnection connection)
    {
        _silo = silo;
        _connection = connection;
    }

    /// <summary>master_sync_total_bytes: the announced length, -1 for the diskless form (unknown until the mark).</summary>
    public long TotalBytes { get; private set; } = -1;

    /// <summary>master_sync_read_bytes.</summary>
    public long ReadBytes => Volatile.Read(ref _read);

    /// <summary>Stopwatch timestamp of the last payload bytes received.</summary>
    public long LastIo => Volatile.Read(ref _lastIo);

    /// <summary>True once every payload byte arrived (the snapshot may still be loading).</summary>
    public bool PayloadReceived { get; private set; }

    /// <summary>The temporary file the payload went to (disk load), null otherwise.</summary>
    public string? TempFile { get; private set; }

    /// <summary>Receives and loads the snapshot; throws on a broken transfer or a bad RDB.</summary>
    public async Task<SnapshotLoader> ReceiveAsync(CancellationToken cancellationToken)
    {
        var header = await MasterHandshake.ReadNonEmptyLineAsync(_connection, cancellationToken);
        if (header.StartsWith('-'))
        {
            throw new ReplicationLinkException($"MASTER aborted replication with an error: {header[1..]}");
        }
        if (!header.StartsWith('$'))
        {
            throw new ReplicationLinkException($"Bad protocol from MASTER, the first byte is not '$' (we received '{header}'), are you sure the host and port are right?");
        }
        byte[]? mark = null;
        if (header.StartsWith("$EOF:", StringComparison.Ordinal) && header.Length >= 5 + MarkLength)
        {
            mark = Encoding.Latin1.GetBytes(header.Substring(5, MarkLength));
        }
        else if (long.TryParse(header.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            TotalBytes = length;
        }
        else
        {
            throw new ReplicationLinkException($"Bad bulk length from MASTER: '{header}'");
        }

        var log = _silo.Log;
        if (_silo.Config.ReplDisklessLoad == "disabled")
        {
            log.Notice(mark is null
                ? $"MASTER <-> REPLICA sync: receiving {TotalBytes} bytes from master to disk"
                : "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
            return await ReceiveToDiskAsync(mark, cancellationToken);
        }
        log.Notice("MASTER <-> REPLICA sync: Loading DB in memory");
        return await LoadFromSocketAsync(mark, cancellationToken);
    }

    /// <summary>Deletes the temporary file, or keeps it as dir/dbfilename when RDB persistence is configured (as Redis renames it).</summary>
    public void DisposeTempFile(bool keepAsRdb)
    {
        if (TempFile is not { } path)
        {
            return;
        }
        try
        {
            if (keepAsRdb)
            {
                File.Move(path, _silo.Rdb.FilePath, overwrite: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (IOException error)
        {
            _silo.Log.Warning($"Failed to remove the temporary file {path} of a full sync: {error.Message}");
        }
        TempFile = null;
    }

    /// <summary>
    /// The payload goes to the temporary file and, in the same pass, to the loader: parsing overlaps the transfer
    /// instead of waiting for its end (the loaded data is installed only afterwards, as with any mode).
    /// </summary>
    private async Task<SnapshotLoader> ReceiveToDiskAsync(byte[]? mark, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_silo.Config.Dir, $"temp-{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.ProcessId}.{_silo.Port}.rdb");
        TempFile = path;
        _silo.Log.Notice("MASTER <-> REPLICA sync: Loading DB in memory");
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var payload = new PayloadStream(this, mark, TotalBytes, file, cancellationToken);
        var loader = await LoadAsync(payload, Path.GetFileName(path), cancellationToken);
        // Whatever follows the RDB up to the end of the payload is kept in the file, as a plain copy keeps it.
        if (mark is null)
        {
            await CopyLengthAsync(file, payload.Left, cancellationToken);
        }
        else
        {
            await CopyUntilMarkAsync(file, mark, cancellationToken);
        }
        await file.FlushAsync(cancellationToken);
        PayloadReceived = true;
        return loader;
    }

    private async Task CopyLengthAsync(Stream file, long length, CancellationToken cancellationToken)
    {
        var left = length;
        while (left > 0)
        {
            if (_connection.Buffered.IsEmpty)
            {
                await FillAsync(cancellationToken);
            }
            var chunk = _connection.Buffered;
            var count = (int)Math.Min(chunk.Length, left);
            await file.WriteAsync(chunk[..count], cancellationToken);
            _connection.Consume(count);
            left -= count;
            Interlocked.Add(ref _read, count);
        }
    }

    /// <summary>The diskless form ends with the mark: everything before it is the RDB, anything after it is already the stream.</summary>
    private async Task CopyUntilMarkAsync(Stream file, byte[] mark, CancellationToken cancellationToken)
    {
        while (true)
        {
            var chunk = _connection.Buffered;
            var at = chunk.Span.IndexOf(mark);
            if (at >= 0)
            {
                await file.WriteAsync(chunk[..at], cancellationToken);
                _connection.Consume(at + mark.Length);
                Interlocked.Add(ref _read, at + mark.Length);
                return;
            }
            // The last bytes may be the start of the mark: keep them until more arrive.
            var safe = Math.Max(0, chunk.Length - (mark.Length - 1));
            if (safe > 0)
            {
                await file.WriteAsync(chunk[..safe], cancellationToken);
                _connection.Consume(safe);
                Interlocked.Add(ref _read, safe);
            }
            await FillAsync(cancellationToken);
        }
    }

    private async Task<SnapshotLoader> LoadFromSocketAsync(byte[]? mark, CancellationToken cancellationToken)
    {
        var payload = new PayloadStream(this, mark, TotalBytes, copy: null, cancellationToken);
        var loader = await LoadAsync(payload, "replication stream", cancellationToken);
        if (mark is not null)
        {
            var received = new byte[MarkLength];
            await _connection.ReadExactlyAsync(received, cancellationToken);
            Interlocked.Add(ref _read, MarkLength);
            if (!received.AsSpan().SequenceEqual(mark))
            {
                throw new ReplicationLinkException("MASTER <-> REPLICA sync: the RDB from the master does not end with the EOF mark");
            }
        }
        else if (payload.Left > 0)
        {
            throw new ReplicationLinkException($"MASTER <-> REPLICA sync: the RDB ended {payload.Left} bytes before the announced length");
        }
        PayloadReceived = true;
        return loader;
    }

    /// <summary>Parses on a thread of its own: it blocks on the socket for as long as the transfer lasts, which a pool thread should not.</summary>
    private Task<SnapshotLoader> LoadAsync(PayloadStream payload, string source, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() =>
        {
            var loader = NewLoader();
            // The payload stream ends where the payload does, so the reader may buffer ahead freely.
            loader.Read(payload, source, payload.Bound);
            return loader;
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private SnapshotLoader NewLoader() =>
        // A replica keeps keys that are already expired: the master's DEL will come.
        new(_silo.ShardMap, _silo.Config.Databases, skipExpiredBeforeMs: -1);

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        await _connection.FillAsync(cancellationToken);
        Volatile.Write(ref _lastIo, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// The payload as a forward-only stream for the synchronous RDB reader, copied to <c>copy</c> as it is read:
    /// it ends after the announced length, or right before the EOF mark of the diskless form (a position is
    /// handed out only once the bytes after it show it does not start the mark).
    /// </summary>
    private sealed class PayloadStream(SnapshotTransfer transfer, byte[]? mark, long length, Stream? copy, CancellationToken cancellationToken) : Stream
    {
        // Mark form: buffered bytes known not to start the mark, and where the mark starts (-1 until seen).
        private int _clean;
        private int _markAt = -1;

        /// <summary>Payload bytes not handed out yet (announced length form).</summary>
        public long Left { get; private set; } = length;

        /// <summary>A length no read goes past: the announced one, or unbounded until the mark.</summary>
        public long Bound { get; } = mark is null ? length : long.MaxValue;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var connection = transfer._connection;
            while (!buffer.IsEmpty)
            {
                var available = Available(connection.Buffered.Span);
                if (available > 0)
                {
                    var count = Math.Min(available, buffer.Length);
                    var bytes = connection.Buffered.Span[..count];
                    bytes.CopyTo(buffer);
                    copy?.Write(bytes);
                    connection.Consume(count);
                    Handed(count);
                    return count;
                }
                if (Left == 0 || _markAt == 0)
                {
                    break;
                }
                connection.Fill(cancellationToken);
                Volatile.Write(ref transfer._lastIo, Stopwatch.GetTimestamp());
            }
            return 0;
        }

        private int Available(ReadOnlySpan<byte> buffered)
        {
            if (mark is null)
            {
                return (int)Math.Min(buffered.Length, Left);
            }
            if (_markAt < 0)
            {
                var found = buffered[_clean..].IndexOf(mark);
                if (found >= 0)
                {
                    _markAt = _clean + found;
                }
                else
                {
                    _clean = Math.Max(_clean, buffered.Length - (mark.Length - 1));
                }
            }
            return _markAt >= 0 ? _markAt : _clean;
        }

        private void Handed(int count)
        {
            if (mark is null)
            {
                Left -= count;
            }
            else
            {
                _clean = Math.Max(0, _clean - count);
                if (_markAt > 0)
                {
                    _markAt -= count;
                }
            }
            Interlocked.Add(ref transfer._read, count);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
