using System.Diagnostics;
using System.Net.Sockets;

namespace OrleansReplica.SnapshotBenchmark;

/// <summary>
/// One connection issuing GET of a random existing key, one at a time, back to back, on its own thread;
/// records when each round trip started and how long it took.
/// </summary>
internal sealed class LatencyProbe : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _request;
    private readonly byte[] _reply = new byte[64 * 1024];
    private readonly long[] _starts;
    private readonly long[] _durations;
    private readonly Random _random = new(12345);
    private readonly int _keys;
    private readonly Thread _thread;
    private volatile bool _stop;
    private volatile int _count;
    private Exception? _failure;

    public LatencyProbe(string host, int port, int keys, int capacity)
    {
        _keys = keys;
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(host, port);
        _request = "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000000\r\n"u8.ToArray();
        _starts = new long[capacity];
        _durations = new long[capacity];
        _thread = new Thread(Run) { IsBackground = true, Name = "probe", Priority = ThreadPriority.Highest };
    }

    /// <summary>Round trips recorded so far (start timestamps are in <see cref="Stopwatch"/> ticks, ascending).</summary>
    public int Count => _count;

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stop = true;
        _thread.Join();
        if (_failure is not null)
        {
            throw new InvalidOperationException("probe failed", _failure);
        }
    }

    /// <summary>Max, p99.9 and count of the round trips that overlap [from, to] (Stopwatch ticks).</summary>
    public RoundTrips Window(long from, long to)
    {
        var inWindow = new List<long>();
        int n = _count;
        for (int i = 0; i < n; i++)
        {
            long start = _starts[i];
            if (start <= to && start + _durations[i] >= from)
            {
                inWindow.Add(_durations[i]);
            }
        }

        if (inWindow.Count == 0)
        {
            return new RoundTrips(0, 0, 0, 0, 0);
        }

        inWindow.Sort();
        double toMs = 1000.0 / Stopwatch.Frequency;
        int p999 = Math.Min(inWindow.Count - 1, (int)Math.Ceiling(inWindow.Count * 0.999) - 1);
        int p99 = Math.Min(inWindow.Count - 1, (int)Math.Ceiling(inWindow.Count * 0.99) - 1);
        double total = 0;
        foreach (long d in inWindow)
        {
            total += d;
        }

        return new RoundTrips(inWindow.Count, inWindow[^1] * toMs, inWindow[p999] * toMs, inWindow[p99] * toMs, total / inWindow.Count * toMs);
    }

    private void Run()
    {
        try
        {
            while (!_stop && _count < _starts.Length)
            {
                KeyFormat.WriteKey(_request.AsSpan(KeyFormat.CommandKeyOffset, KeyFormat.KeyLength), _random.Next(_keys));
                long start = Stopwatch.GetTimestamp();
                _socket.Send(_request);
                ReadOneReply();
                long end = Stopwatch.GetTimestamp();
                int i = _count;
                _starts[i] = start;
                _durations[i] = end - start;
                _count = i + 1;
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    /// <summary>Reads exactly one reply: a bulk string ($len, or $-1 for a missing key), or a one-line reply.</summary>
    private void ReadOneReply()
    {
        int have = 0;
        int needed = -1;
        while (needed < 0 || have < needed)
        {
            int n = _socket.Receive(_reply, have, _reply.Length - have, SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("server closed the probe connection");
            }

            have += n;
            if (needed < 0)
            {
                int eol = _reply.AsSpan(0, have).IndexOf("\r\n"u8);
                if (eol < 0)
                {
                    continue;
                }

                if (_reply[0] == (byte)'-')
                {
                    throw new IOException("probe GET failed: " + System.Text.Encoding.ASCII.GetString(_reply, 0, eol));
                }

                if (_reply[0] != (byte)'$')
                {
                    throw new IOException("unexpected probe reply: " + System.Text.Encoding.ASCII.GetString(_reply, 0, eol));
                }

                long length = _reply[1] == (byte)'-' ? -1 : ProcFields.ParseNumber(_reply.AsSpan(1, eol - 1));
                needed = length < 0 ? eol + 2 : eol + 2 + (int)length + 2;
            }
        }
    }

    /// <summary>Writes every round trip as "start_ms duration_ms" (start relative to <paramref name="origin"/>).</summary>
    public void WriteTrace(string path, long origin)
    {
        using var writer = new StreamWriter(path);
        double toMs = 1000.0 / Stopwatch.Frequency;
        for (int i = 0; i < _count; i++)
        {
            writer.Write(((_starts[i] - origin) * toMs).ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
            writer.Write(' ');
            writer.WriteLine((_durations[i] * toMs).ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>Round-trip statistics of the probe over one window, in milliseconds.</summary>
internal readonly record struct RoundTrips(int Count, double MaxMs, double P999Ms, double P99Ms, double MeanMs);
