using System.Diagnostics;
using System.Net;
using System.Text;
using OrleansReplica.Hosting.Replication.Transport;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// A replica's connection to its master (TCP, or in memory between silos of one process): one receive buffer read as reply lines, snapshot
/// payload and the replication stream, in that order, and writes serialized between the stream
/// applier (REPLCONF ACK after GETACK) and the once-a-second acknowledgements.
/// </summary>
internal sealed class MasterConnection : IDisposable
{
    private const int InitialBufferSize = 64 * 1024;
    private const int MaxLineLength = 64 * 1024;

    private readonly Stream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private long _lastIo;
    private int _aborted;

    public MasterConnection(ReplicationConnection connection)
    {
        _stream = connection.Stream;
        RemoteEndPoint = connection.RemoteEndPoint;
        LocalEndPoint = connection.LocalEndPoint;
        _lastIo = Stopwatch.GetTimestamp();
    }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    /// <summary>Stopwatch timestamp of the last bytes received (the master's last interaction).</summary>
    public long LastIo => Volatile.Read(ref _lastIo);

    public bool Aborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Received bytes not consumed yet.</summary>
    public ReadOnlyMemory<byte> Buffered => _buffer.AsMemory(_start, _end - _start);

    public void Consume(int count) => _start += count;

    /// <summary>Restarts the idle clock (the link becomes live after a long load with nothing to read).</summary>
    public void Touch() => Volatile.Write(ref _lastIo, Stopwatch.GetTimestamp());

    /// <summary>Receives more bytes after the buffered ones (the buffer grows when a frame does not fit); returns how many.</summary>
    public async ValueTask<int> FillAsync(CancellationToken cancellationToken)
    {
        MakeRoom();
        return Received(await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken));
    }

    /// <summary>
    /// <see cref="FillAsync"/> blocking the calling thread, for the snapshot loader (which parses synchronously):
    /// no thread pool round trip per receive. The link's cron closes a connection idle past repl-timeout, which
    /// ends a blocked read, as does closing the link.
    /// </summary>
    public int Fill(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MakeRoom();
        return Received(_stream.Read(_buffer.AsSpan(_end)));
    }

    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_start > 0 && (_end == _buffer.Length || _start >= _buffer.Length / 2))
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
    }

    private int Received(int read)
    {
        if (read == 0)
        {
            throw new EndOfStreamException("Connection closed by the master");
        }
        _end += read;
        Volatile.Write(ref _lastIo, Stopwatch.GetTimestamp());
        return read;
    }

    /// <summary>One reply line without its CR LF (an empty string for the bare newlines a master sends to keep the link alive).</summary>
    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = newline > 0 && _buffer[_start + newline - 1] == (byte)'\r' ? newline - 1 : newline;
                var line = Encoding.Latin1.GetString(_buffer, _start, length);
                _start += newline + 1;
                return line;
            }
            if (_end - _start > MaxLineLength)
            {
                throw new InvalidDataException("Protocol error: too big reply line from the master");
            }
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Fills <paramref name="destination"/> completely from the buffer and the socket.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }
            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(destination.Span);
            _start += count;
            destination = destination[count..];
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes the connection at once (timeouts, CLIENT KILL TYPE master, REPLICAOF): pending reads fail.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        _stream.Dispose();
    }

    public void Dispose() => Abort();
}
