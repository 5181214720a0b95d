using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Runtime;

namespace OrleansReplica.Hosting.Replication.Master;

/// <summary>The state of a replica as INFO replication shows it.</summary>
public enum ReplicaState
{
    /// <summary>Waiting for the snapshot of a full sync to start.</summary>
    WaitBgsave,

    /// <summary>Receiving the snapshot.</summary>
    SendBulk,

    /// <summary>Receiving the stream.</summary>
    Online,
}

/// <summary>
/// One replica attached to this master: owns the output of its connection from PSYNC on, sends it
/// the snapshot of a full sync (or nothing, after +CONTINUE), then, as an observer of the replication
/// stream subscribed from its position, the stream; records the offsets it acknowledges.
/// </summary>
public sealed class ReplicaSender : IAsyncObserver<ReplicationBatch>
{
    // Bytes written since the last flush: one backlog block, so a replica far behind gets full sends without
    // waiting for several blocks, and one caught up gets each batch at once.
    private const int FlushThreshold = 16 * 1024;

    private readonly PipeWriter _output;
    private readonly ServerConfig _config;
    private readonly RedisLog _log;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _firstAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _streamStart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ReplicationSubscription? _subscription;
    private long _overSoftLimitSince;
    private int _unflushed;

    public ReplicaSender(ClientSession session, PipeWriter output, ServerConfig config, RedisLog log)
    {
        Session = session;
        _output = output;
        _config = config;
        _log = log;
        AckAt = Stopwatch.GetTimestamp();
    }

    public ClientSession Session { get; }

    public ReplicaState State { get; set; } = ReplicaState.WaitBgsave;

    /// <summary>REPLCONF listening-port.</summary>
    public int ListeningPort { get; set; }

    /// <summary>REPLCONF ip-address, else the connection's address.</summary>
    public string? AnnouncedIp { get; set; }

    /// <summary>REPLCONF capa eof: the replica takes a diskless ($EOF:) transfer.</summary>
    public bool AcceptsEofTransfer { get; set; }

    /// <summary>REPLCONF capa psync2: +CONTINUE may carry the replication id.</summary>
    public bool AcceptsPsync2 { get; set; }

    /// <summary>The last offset the replica acknowledged (REPLCONF ACK).</summary>
    public long AckOffset { get; private set; }

    /// <summary>When the last acknowledgement arrived (Stopwatch ticks).</summary>
    public long AckAt { get; private set; }

    /// <summary>Seconds since the last acknowledgement (INFO's lag=).</summary>
    public long LagSeconds => (long)Stopwatch.GetElapsedTime(AckAt).TotalSeconds;

    public string Ip => AnnouncedIp ?? Session.Address[..Math.Max(0, Session.Address.LastIndexOf(':'))];

    public bool Closed => _closed.IsCancellationRequested;

    public CancellationToken ClosedToken => _closed.Token;

    /// <summary>Fires when an acknowledgement arrives (WAIT listens).</summary>
    public event Action? Acknowledged;

    public void Acknowledge(long offset)
    {
        AckOffset = Math.Max(AckOffset, offset);
        AckAt = Stopwatch.GetTimestamp();
        _firstAck.TrySetResult();
        Acknowledged?.Invoke();
    }

    /// <summary>Writes a line (+FULLRESYNC, +CONTINUE, the transfer header) straight to the replica.</summary>
    public async Task WriteLineAsync(string line)
    {
        _output.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
        await FlushAsync();
    }

    /// <summary>Writes snapshot bytes straight to the replica.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        _output.Write(bytes.Span);
        await FlushAsync();
    }

    /// <summary>The replica's subscription to the replication stream (made at PSYNC, or at its full sync's cut).</summary>
    public void Subscribed(ReplicationSubscription subscription)
    {
        _subscription = subscription;
        if (Closed)
        {
            _ = subscription.UnsubscribeAsync();
        }
    }

    /// <summary>
    /// Lets the stream flow (after +CONTINUE, or after the snapshot). After a diskless transfer it waits
    /// for the replica's first REPLCONF ACK, as Redis does: the replica finds the end of the transfer by
    /// its closing mark, and bytes sent right behind the mark would hide it.
    /// </summary>
    public void StartStream(bool afterFirstAck = false)
    {
        State = ReplicaState.Online;
        if (!afterFirstAck)
        {
            _streamStart.TrySetResult();
            return;
        }
        _firstAck.Task.ContinueWith(static (_, self) => ((ReplicaSender)self!)._streamStart.TrySetResult(), this, TaskScheduler.Default);
    }

    /// <summary>Stream bytes for this replica, in order; written once the stream may flow.</summary>
    public async Task OnNextAsync(ReplicationBatch item, StreamSequenceToken? token = null)
    {
        if (!_streamStart.Task.IsCompleted)
        {
            await _streamStart.Task.WaitAsync(_closed.Token);
        }
        try
        {
            _output.Write(item.Bytes.Span);
            _unflushed += item.Bytes.Length;
            // Bytes that were already waiting behind these come in the next call: they go out in the same send.
            if (!item.MoreReady || _unflushed >= FlushThreshold)
            {
                _unflushed = 0;
                await FlushAsync();
            }
        }
        catch (Exception error) when (error is IOException or InvalidOperationException or ObjectDisposedException)
        {
            Close();
            throw new OperationCanceledException("The replica's connection closed.", error);
        }
    }

    public Task OnCompletedAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    public Task OnErrorAsync(Exception ex)
    {
        Close();
        return Task.CompletedTask;
    }

    /// <summary>Disconnects the replica (timeout, output limit, master change, shutdown).</summary>
    public void Close(string? reason = null)
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }
        if (reason is not null)
        {
            _log.Warning(reason);
        }
        _closed.Cancel();
        _ = _subscription?.UnsubscribeAsync();
        Session.Kill();
    }

    private async Task FlushAsync()
    {
        var result = await _output.FlushAsync(_closed.Token);
        if (result.IsCompleted || result.IsCanceled)
        {
            Close();
            throw new OperationCanceledException();
        }
        if (_subscription is { } subscription)
        {
            OverOutputLimit(subscription.Pending);
        }
    }

    /// <summary>Once a second (the sender may be stuck waiting on a replica that does not read): the output limit.</summary>
    public void CheckOutputLimit()
    {
        if (_subscription is { } subscription)
        {
            OverOutputLimit(subscription.Pending);
        }
    }

    /// <summary>client-output-buffer-limit replica: a replica too far behind is disconnected.</summary>
    private bool OverOutputLimit(long pending)
    {
        var limit = _config.GetOutputBufferLimit(ClientClass.Replica);
        var hard = limit.HardLimitBytes != 0 && (ulong)pending > limit.HardLimitBytes;
        var soft = false;
        if (limit.SoftLimitBytes != 0 && (ulong)pending > limit.SoftLimitBytes)
        {
            _overSoftLimitSince = _overSoftLimitSince == 0 ? Stopwatch.GetTimestamp() : _overSoftLimitSince;
            soft = Stopwatch.GetElapsedTime(_overSoftLimitSince).TotalSeconds >= limit.SoftLimitSeconds;
        }
        else
        {
            _overSoftLimitSince = 0;
        }
        if (hard || soft)
        {
            Close($"Client id={Session.Id} addr={Session.Address} scheduled to be closed ASAP for overcoming of output buffer limits.");
            return true;
        }
        return false;
    }
}
