using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Replication;

/// <summary>
/// One observer's subscription to the replication stream: its position in the backlog and the loop
/// that hands it the bytes from there on, as slices of the backlog's blocks (no copy).
/// </summary>
public sealed class ReplicationSubscription : StreamSubscriptionHandle<ReplicationBatch>
{
    private readonly ReplicationStream _stream;
    private readonly ReplicationReader _reader;
    private readonly IAsyncObserver<ReplicationBatch> _observer;
    private readonly CancellationTokenSource _stopped = new();
    private Exception? _error;
    private volatile bool _completing;

    internal ReplicationSubscription(ReplicationStream stream, ReplicationReader reader, IAsyncObserver<ReplicationBatch> observer)
    {
        _stream = stream;
        _reader = reader;
        _observer = observer;
    }

    /// <summary>Bytes produced and not handed to the observer yet (what client-output-buffer-limit replica bounds).</summary>
    public long Pending => _reader.Pending;

    /// <summary>Completes when delivery ended (unsubscribed, completed, or the observer failed).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public override Task UnsubscribeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    internal void Start() => Completion = Task.Run(DeliverAsync);

    internal void Complete(Exception? error)
    {
        _error = error;
        _completing = true;
        _reader.Wake();
    }

    private void Stop()
    {
        if (_stopped.IsCancellationRequested)
        {
            return;
        }
        _stopped.Cancel();
        _stream.Remove(this);
        _reader.Dispose();
        // A delivery loop waiting for bytes notices the unsubscription.
        _reader.Wake();
    }

    private async Task DeliverAsync()
    {
        var stop = _stopped.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var position = _reader.Position;
                var bytes = _reader.Peek();
                if (!bytes.IsEmpty)
                {
                    await _observer.OnNextAsync(new ReplicationBatch(position, bytes, MoreReady: _reader.Pending > bytes.Length));
                    _reader.Advance(bytes.Length);
                    continue;
                }
                if (_completing)
                {
                    await (_error is null ? _observer.OnCompletedAsync() : _observer.OnErrorAsync(_error));
                    return;
                }
                await _reader.WaitAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            Stop();
        }
    }
}
