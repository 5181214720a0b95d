using System.Buffers;
using OrleansReplica.Grains.Replication;

namespace OrleansReplica.Hosting.Persistence;

/// <summary>
/// Appends propagated writes to the current incremental AOF file. Commands are buffered as they are
/// propagated and written out by whoever flushes: a connection before it replies (appendfsync always:
/// written and fsynced first, so an acknowledged write is on disk), or the AOF's background loop
/// (everysec, no). Concurrent flushes form one group commit.
/// </summary>
public sealed class AofWriter : IPropagationSink, IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly SelectedDatabase _selected = new();
    private ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private ArrayBufferWriter<byte> _spare = new(64 * 1024);
    private FileStream _file;
    private FileStream? _nextFile;
    private long _nextFileStart;
    private long _appended;
    private long _written;
    private long _synced;

    /// <param name="file">The incremental file, opened for appending.</param>
    public AofWriter(FileStream file)
    {
        _file = file;
        CurrentFileSize = file.Length;
    }

    /// <summary>Bytes accepted so far (a position in this writer's stream).</summary>
    public long Appended => Volatile.Read(ref _appended);

    /// <summary>Bytes accepted and not yet written to the file (aof_buffer_length).</summary>
    public long BufferLength => Volatile.Read(ref _appended) - Volatile.Read(ref _written);

    /// <summary>Size of the file being appended to.</summary>
    public long CurrentFileSize { get; private set; }

    /// <summary>Bytes written to the file but not yet fsynced.</summary>
    public bool HasUnsyncedWrites => Volatile.Read(ref _written) != Volatile.Read(ref _synced);

    public void Append(int db, ReadOnlySpan<byte> command)
    {
        lock (_gate)
        {
            var before = _pending.WrittenCount;
            _selected.SelectFor(db, _pending);
            _pending.Write(command);
            _appended += _pending.WrittenCount - before;
        }
    }

    /// <summary>
    /// From now on writes go to <paramref name="next"/> (called at a rewrite's cut, with every shard's
    /// turn held): what was appended before still goes to the current file, which is then synced and closed.
    /// </summary>
    public void StartNextFile(FileStream next)
    {
        lock (_gate)
        {
            _nextFile = next;
            _nextFileStart = _appended;
            _selected.Reset();
        }
    }

    /// <summary>Writes what was appended (and fsyncs when <paramref name="sync"/>); returns when it is done.</summary>
    public async ValueTask FlushAsync(bool sync)
    {
        await _flushing.WaitAsync().ConfigureAwait(false);
        try
        {
            ArrayBufferWriter<byte> batch;
            FileStream? next;
            long start, switchAt;
            lock (_gate)
            {
                batch = _pending;
                (_pending, _spare) = (_spare, _pending);
                start = _written;
                next = _nextFile;
                switchAt = _nextFileStart;
                _nextFile = null;
            }
            var bytes = batch.WrittenSpan;
            if (next is not null)
            {
                // The bytes before the cut end the old file, which is made durable and closed.
                var beforeCut = (int)(switchAt - start);
                _file.Write(bytes[..beforeCut]);
                _file.Flush(flushToDisk: true);
                _file.Dispose();
                _file = next;
                CurrentFileSize = next.Length;
                bytes = bytes[beforeCut..];
            }
            if (!bytes.IsEmpty)
            {
                _file.Write(bytes);
                CurrentFileSize += bytes.Length;
            }
            var written = start + batch.WrittenCount;
            batch.ResetWrittenCount();
            Volatile.Write(ref _written, written);
            if (sync && written != _synced)
            {
                _file.Flush(flushToDisk: true);
                Volatile.Write(ref _synced, written);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        _nextFile?.Dispose();
    }
}
