using System.Buffers;

namespace OrleansReplica.Hosting.PubSub;

/// <summary>What happened to a frame posted to a <see cref="PushOutbox"/>.</summary>
public enum OutboxPost
{
    /// <summary>Queued; the owner's connection will write it.</summary>
    Queued,

    /// <summary>This frame took the outbox past its limit: everything queued was dropped and the client must be closed.</summary>
    OverLimit,

    /// <summary>Dropped: the outbox went over its limit earlier, or its connection has ended.</summary>
    Closed,
}

/// <summary>
/// Pre-encoded push frames (published messages) waiting to be written to one client. Publishers on
/// other connections post into it; only the client's own connection loop drains it into its output,
/// so no other thread ever writes to that connection's pipe.
/// </summary>
public sealed class PushOutbox(Action? wakeUp)
{
    private readonly Lock _gate = new();
    private List<byte[]> _frames = [];
    private List<byte[]> _spare = [];
    private long _bytes;
    private volatile bool _pending;
    private volatile bool _closed;

    /// <summary>True when frames are waiting; a lock-free check for the connection loop.</summary>
    public bool HasPending => _pending;

    /// <summary>Bytes queued and not yet drained.</summary>
    public long PendingBytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="frame"/> (shared, never modified). Over <paramref name="hardLimit"/> bytes
    /// (0: unlimited) the outbox drops its frames and refuses more, as Redis closes a client over its
    /// output buffer limit. <paramref name="wake"/> false skips waking the loop (the publisher itself drains).
    /// </summary>
    public OutboxPost Post(byte[] frame, ulong hardLimit, bool wake = true)
    {
        ArgumentNullException.ThrowIfNull(frame);
        bool wasEmpty;
        lock (_gate)
        {
            if (_closed)
            {
                return OutboxPost.Closed;
            }
            if (hardLimit > 0 && (ulong)(_bytes + frame.Length) > hardLimit)
            {
                _closed = true;
                _frames.Clear();
                _bytes = 0;
                _pending = false;
                return OutboxPost.OverLimit;
            }
            wasEmpty = _frames.Count == 0;
            _frames.Add(frame);
            _bytes += frame.Length;
            _pending = true;
        }
        // One wake-up per empty-to-pending transition is enough: the loop drains everything it finds.
        // It runs on the thread pool because the connection's reader may continue inline inside the
        // wake-up, and that must not happen on the publisher's thread.
        if (wasEmpty && wake && wakeUp is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static outbox => outbox.WakeNow(), this, preferLocal: false);
        }
        return OutboxPost.Queued;
    }

    /// <summary>Writes every queued frame to <paramref name="output"/>; called only by the owning connection.</summary>
    public void DrainTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!_pending)
        {
            return;
        }
        List<byte[]> frames;
        lock (_gate)
        {
            frames = _frames;
            _frames = _spare;
            _bytes = 0;
            _pending = false;
        }
        foreach (var frame in frames)
        {
            output.Write(frame);
        }
        frames.Clear();
        lock (_gate)
        {
            _spare = frames;
        }
    }

    /// <summary>The connection ended: drop what is queued and accept nothing more.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _frames.Clear();
            _bytes = 0;
            _pending = false;
        }
    }

    private void WakeNow()
    {
        if (_closed)
        {
            return;
        }
        try
        {
            wakeUp!();
        }
        catch (InvalidOperationException)
        {
            // The connection completed or disposed its pipe meanwhile: nothing left to wake.
        }
    }
}
