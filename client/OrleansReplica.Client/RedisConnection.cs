using System.Buffers;
using System.Net.Sockets;

namespace OrleansReplica.Client;

/// <summary>
/// A small async Redis connection: sends commands and reads replies one at a time (operations are serialized), or sends
/// raw bytes for pipelines, inline commands and malformed input.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly Socket _socket;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RespReplyScanner _scanner = new();
    private readonly ArrayBufferWriter<byte> _request = new();
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private bool _peerClosed;
    private bool _disposed;

    private RedisConnection(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>False once the server closed the connection (or this side disposed it).</summary>
    public bool IsConnected
    {
        get
        {
            if (_peerClosed || _disposed)
            {
                return false;
            }

            try
            {
                // Readable with nothing to read means the peer sent FIN (or the connection broke).
                if (_socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0)
                {
                    _peerClosed = true;
                }
            }
            catch (SocketException)
            {
                _peerClosed = true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }

            return !_peerClosed;
        }
    }

    /// <summary>How long one reply may take to arrive before a read throws <see cref="TimeoutException"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public static async Task<RedisConnection> ConnectAsync(string host, int port, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RedisConnection(socket);
    }

    /// <summary>Sends one command (strings, byte arrays, numbers) as a multibulk request and returns its reply.</summary>
    public async Task<RespValue> ExecuteAsync(params object[] args)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await SendCommandAsync(args).ConfigureAwait(false);
            return await ReadParsedAsync(default).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends one command and returns the exact bytes of its complete reply.</summary>
    public async Task<byte[]> ExecuteRawAsync(params object[] args)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await SendCommandAsync(args).ConfigureAwait(false);
            return await ReadRawAsync(default).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes arbitrary bytes to the server; read the replies with <see cref="ReadReplyAsync"/>.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await SendAsync(bytes).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads the next reply (including out-of-band push messages).</summary>
    public async Task<RespValue> ReadReplyAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await ReadParsedAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads the exact bytes of the next complete reply.</summary>
    public async Task<byte[]> ReadRawReplyAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await ReadRawAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already closed by the peer.
            }

            _socket.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendCommandAsync(object[] args)
    {
        _request.ResetWrittenCount();
        RespCommandEncoder.Encode(_request, args);
        await SendAsync(_request.WrittenMemory).ConfigureAwait(false);
    }

    private async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            while (!bytes.IsEmpty)
            {
                int sent = await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
                bytes = bytes.Slice(sent);
            }
        }
        catch (SocketException e)
        {
            _peerClosed = true;
            throw new IOException("The connection to the server was lost.", e);
        }
    }

    private async Task<RespValue> ReadParsedAsync(CancellationToken ct)
    {
        int length = await ReadFrameAsync(ct).ConfigureAwait(false);
        var value = RespReplyParser.Parse(_buffer.AsSpan(_start, length));
        Consume(length);
        return value;
    }

    private async Task<byte[]> ReadRawAsync(CancellationToken ct)
    {
        int length = await ReadFrameAsync(ct).ConfigureAwait(false);
        byte[] raw = _buffer.AsSpan(_start, length).ToArray();
        Consume(length);
        return raw;
    }

    // Receives until the buffer holds one whole reply starting at _start; returns its length.
    private async Task<int> ReadFrameAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        while (true)
        {
            if (_scanner.TryScan(_buffer.AsSpan(_start, _end - _start), out int length))
            {
                return length;
            }

            if (_peerClosed)
            {
                throw new IOException("The server closed the connection.");
            }

            MakeRoom();
            int received;
            try
            {
                received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"No complete reply within {Timeout}.");
            }
            catch (SocketException e)
            {
                _peerClosed = true;
                throw new IOException("The connection to the server was lost.", e);
            }

            if (received == 0)
            {
                _peerClosed = true;
            }

            _end += received;
        }
    }

    private void MakeRoom()
    {
        if (_end < _buffer.Length)
        {
            return;
        }

        int pending = _end - _start;
        if (_start > 0 && pending < _buffer.Length / 2)
        {
            // The scanner's progress is relative to _start, so shifting the pending bytes keeps it valid.
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }
        else
        {
            var larger = new byte[_buffer.Length * 2];
            _buffer.AsSpan(_start, pending).CopyTo(larger);
            _buffer = larger;
        }

        _start = 0;
        _end = pending;
    }

    private void Consume(int length)
    {
        _start += length;
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
    }
}
