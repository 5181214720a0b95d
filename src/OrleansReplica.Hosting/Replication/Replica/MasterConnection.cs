using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// A replica's TCP connection to its master: one receive buffer read as reply lines, snapshot
/// payload and the replication stream, in that order, and writes serialized between the stream
/// applier (REPLCONF ACK after GETACK) and the once-a-second acknowledgements.
/// </summary>
internal sealed class MasterConnection : IDisposable
{
    private const int InitialBufferSize = 64 * 1024;
    private const int MaxLineLength = 64 * 1024;

    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private long _lastIo;
    private int _aborted;

    private MasterConnection(Socket socket)
    {
        _socket = socket;
        RemoteEndPoint = socket.RemoteEndPoint;
        LocalEndPoint = socket.LocalEndPoint;
        _lastIo = Stopwatch.GetTimestamp();
    }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    /// <summary>Stopwatch timestamp of the last bytes received (the master's last interaction).</summary>
    public long LastIo => Volatile.Read(ref _lastIo);

    public bool Aborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Received bytes not consumed yet.</summary>
    public ReadOnlyMemory<byte> Buffered => _buffer.AsMemory(_start, _end - _start);

    public static async Task<MasterConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
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
            return new MasterConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Consume(int count) => _start += count;

    /// <summary>Restarts the idle clock (the link becomes live after a long load with nothing to read).</summary>
    public void Touch() => Volatile.Write(ref _lastIo, Stopwatch.GetTimestamp());

    /// <summary>Receives more bytes after the buffered ones (the buffer grows when a frame does not fit); returns how many.</summary>
    public async ValueTask<int> FillAsync(CancellationToken cancellationToken)
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
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
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

    /// <summary>A blocking read for the snapshot loader (which parses synchronously): buffered bytes first, then the socket.</summary>
    public int Read(Span<byte> destination, TimeSpan timeout)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }
        if (_start < _end)
        {
            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(destination);
            _start += count;
            return count;
        }
        _socket.ReceiveTimeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
        int read;
        try
        {
            read = _socket.Receive(destination);
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.TimedOut)
        {
            throw new TimeoutException("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
        }
        if (read == 0)
        {
            throw new EndOfStreamException("Connection closed by the master");
        }
        Volatile.Write(ref _lastIo, Stopwatch.GetTimestamp());
        return read;
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            while (!bytes.IsEmpty)
            {
                var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
                bytes = bytes[sent..];
            }
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
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }

    public void Dispose() => Abort();
}
