using System.Diagnostics;
using System.Net.Sockets;

namespace OrleansReplica.SnapshotBenchmark;

/// <summary>
/// SETs of random keys (key:%012d) to one value at a fixed rate over a few connections,
/// until the process is stopped: a write load that leaves the machine CPU time to spare, unlike
/// redis-benchmark's back-to-back requests, so pauses the snapshot causes stand out from the
/// scheduling delays of a saturated machine. Each millisecond the writes that are due go out, spread
/// over the connections and pipelined; a tick that runs late sends the writes it missed.
/// </summary>
internal static class PacedWriteLoad
{
    public static void Run(string host, int port, int keys, byte[] value, double writesPerSecond, int connections)
    {
        var sockets = new Socket[connections];
        for (var i = 0; i < connections; i++)
        {
            sockets[i] = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            sockets[i].Connect(host, port);
        }
        var request = KeyFormat.SetCommand(value);
        var batch = new byte[request.Length * 256];
        var replies = new byte[64 * 1024];
        var random = new Random(54321);
        long sent = 0;
        var next = 0;
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * writesPerSecond) - sent;
            while (due > 0)
            {
                // Up to 256 writes per send on the next connection in turn, then their replies ("+OK\r\n" each).
                var count = (int)Math.Min(due, 256);
                for (var w = 0; w < count; w++)
                {
                    request.CopyTo(batch, w * request.Length);
                    KeyFormat.WriteKey(batch.AsSpan(w * request.Length + KeyFormat.CommandKeyOffset, KeyFormat.KeyLength), random.Next(keys));
                }
                var socket = sockets[next];
                next = (next + 1) % connections;
                socket.Send(batch, count * request.Length, SocketFlags.None);
                for (var expected = count * 5; expected > 0;)
                {
                    var n = socket.Receive(replies, 0, Math.Min(expected, replies.Length), SocketFlags.None);
                    if (n == 0)
                    {
                        throw new IOException("the server closed a load connection");
                    }
                    if (replies.AsSpan(0, n).Contains((byte)'-'))
                    {
                        throw new IOException("a load SET failed: " + System.Text.Encoding.ASCII.GetString(replies, 0, n));
                    }
                    expected -= n;
                }
                sent += count;
                due -= count;
            }
            Thread.Sleep(1);
        }
    }
}
