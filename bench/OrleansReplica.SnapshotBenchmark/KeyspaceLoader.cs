using System.Net.Sockets;

namespace OrleansReplica.SnapshotBenchmark;

/// <summary>
/// Fills a server with key:000000000000 .. key:N-1, all holding the same value (the shell passes the one
/// redis-benchmark -d writes, so that the write load leaves the dataset unchanged), pipelined: one thread writes SET batches while the caller counts the +OK replies. At most
/// <see cref="WindowCommands"/> commands are in flight, so the server's input buffer stays small (a silo parses a
/// multi-segment input buffer in time quadratic in its length, which made an unbounded 150 MB pipe take ~50 s).
/// </summary>
internal static class KeyspaceLoader
{
    private const int BatchCommands = 256;
    private const int WindowCommands = 1024;

    public static void Load(string host, int port, int keys, ReadOnlySpan<byte> value)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(host, port);
        byte[] command = KeyFormat.SetCommand(value);
        Exception? writeFailure = null;
        long replied = 0;
        using var progress = new SemaphoreSlim(0);
        var writer = new Thread(() =>
        {
            try
            {
                var batch = new byte[command.Length * BatchCommands];
                for (int first = 0; first < keys; first += BatchCommands)
                {
                    while (first - Interlocked.Read(ref replied) > WindowCommands)
                    {
                        progress.Wait();
                    }

                    int count = Math.Min(BatchCommands, keys - first);
                    for (int i = 0; i < count; i++)
                    {
                        var slot = batch.AsSpan(i * command.Length, command.Length);
                        command.CopyTo(slot);
                        KeyFormat.WriteKey(slot.Slice(KeyFormat.CommandKeyOffset, KeyFormat.KeyLength), first + i);
                    }

                    socket.Send(batch.AsSpan(0, count * command.Length));
                }
            }
            catch (Exception e)
            {
                writeFailure = e;
            }
        }) { IsBackground = true };
        writer.Start();

        // Every reply is "+OK\r\n"; anything else (an error, a short read) shows as a wrong byte count or a '-'.
        long expected = 5L * keys;
        long received = 0;
        var buffer = new byte[256 * 1024];
        while (received < expected)
        {
            int n = socket.Receive(buffer);
            if (n == 0)
            {
                throw new IOException($"server closed the connection after {received / 5} replies");
            }

            if (buffer.AsSpan(0, n).Contains((byte)'-'))
            {
                throw new IOException("SET failed: " + System.Text.Encoding.ASCII.GetString(buffer, 0, Math.Min(n, 200)));
            }

            received += n;
            Interlocked.Exchange(ref replied, received / 5);
            if (progress.CurrentCount == 0)
            {
                progress.Release();
            }
        }

        writer.Join();
        if (writeFailure is not null)
        {
            throw new IOException("writing SET commands failed", writeFailure);
        }
    }
}
