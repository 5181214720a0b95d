using System.Diagnostics;

namespace OrleansReplica.SnapshotBenchmark;

/// <summary>
/// Samples a server's resident memory every few milliseconds on its own thread: VmRSS of the process and,
/// when it has a child (redis-server's fork for BGSAVE), the child's private pages from smaps_rollup —
/// the copy-on-write copies and the child's own allocations, i.e. the memory the snapshot adds.
/// smaps_rollup walks the child's page tables (~4 ms of kernel time for 200 MB), so the child is read only
/// every <see cref="ChildEvery"/>th sample: at every sample it would take half a core from the server under test.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly TimeSpan _interval;
    private const int ChildEvery = 10;

    private readonly ProcFile _status;
    private readonly ProcFile? _children;
    private readonly long[] _times;
    private readonly long[] _rssKiB;
    private readonly long[] _childPrivateKiB;
    private readonly Thread _thread;
    private volatile bool _stop;
    private volatile int _count;
    private int _childPid;
    private ProcFile? _childRollup;

    public MemorySampler(int pid, TimeSpan interval, int capacity)
    {
        _interval = interval;
        _status = ProcFile.TryOpen($"/proc/{pid}/status") ?? throw new InvalidOperationException($"no process {pid}");
        _children = ProcFile.TryOpen($"/proc/{pid}/task/{pid}/children");
        _times = new long[capacity];
        _rssKiB = new long[capacity];
        _childPrivateKiB = new long[capacity];
        _thread = new Thread(Run) { IsBackground = true, Name = "rss-sampler", Priority = ThreadPriority.AboveNormal };
    }

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    /// <summary>Process RSS (kB) of the last sample taken at or before <paramref name="time"/>.</summary>
    public long RssAt(long time)
    {
        long rss = -1;
        int n = _count;
        for (int i = 0; i < n && _times[i] <= time; i++)
        {
            rss = _rssKiB[i];
        }

        return rss;
    }

    /// <summary>Peaks over [from, to]: process RSS, child private memory, and process RSS growth plus child private memory.</summary>
    public MemoryPeaks Peaks(long from, long to, long rssBeforeKiB)
    {
        long rss = 0, child = 0, total = 0;
        int samples = 0;
        int n = _count;
        for (int i = 0; i < n; i++)
        {
            if (_times[i] < from || _times[i] > to)
            {
                continue;
            }

            samples++;
            rss = Math.Max(rss, _rssKiB[i]);
            child = Math.Max(child, _childPrivateKiB[i]);
            total = Math.Max(total, _rssKiB[i] - rssBeforeKiB + _childPrivateKiB[i]);
        }

        return new MemoryPeaks(samples, rss, child, total);
    }

    private void Run()
    {
        while (!_stop && _count < _times.Length)
        {
            long now = Stopwatch.GetTimestamp();
            long rss = ProcFields.KiB(_status.Read(), "VmRSS:"u8);
            int i = _count;
            long child = i % ChildEvery == 0 ? ChildPrivateKiB() : i == 0 ? 0 : _childPrivateKiB[i - 1];
            _times[i] = now;
            _rssKiB[i] = rss;
            _childPrivateKiB[i] = child;
            _count = i + 1;
            Thread.Sleep(_interval);
        }
    }

    private long ChildPrivateKiB()
    {
        if (_children is null)
        {
            return 0;
        }

        long pid = ProcFields.ParseNumber(_children.Read());
        if (pid <= 0)
        {
            return 0;
        }

        if (pid != _childPid)
        {
            _childRollup?.Dispose();
            _childRollup = ProcFile.TryOpen($"/proc/{pid}/smaps_rollup");
            _childPid = (int)pid;
        }

        if (_childRollup is null)
        {
            return 0;
        }

        var rollup = _childRollup.Read();
        long clean = ProcFields.KiB(rollup, "Private_Clean:"u8);
        long dirty = ProcFields.KiB(rollup, "Private_Dirty:"u8);
        return Math.Max(0, clean) + Math.Max(0, dirty);
    }

    public void Dispose()
    {
        _status.Dispose();
        _children?.Dispose();
        _childRollup?.Dispose();
    }
}

/// <summary>Memory peaks over one window, in kB.</summary>
internal readonly record struct MemoryPeaks(int Samples, long RssKiB, long ChildPrivateKiB, long ExtraKiB);
