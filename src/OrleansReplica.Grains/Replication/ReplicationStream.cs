using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Replication;

/// <summary>
/// A silo's replication stream as an <see cref="IAsyncStream{T}"/> of offset-stamped byte batches. The
/// backlog is its cache: a subscription from a token (an offset) replays what the backlog still holds
/// and then follows new bytes; a token the backlog no longer holds is a <see cref="QueueCacheMissException"/>,
/// which for a replica means a full resync. Producers are the propagation log (this silo's own writes,
/// appended in their shard turns) and, on a replica, <see cref="OnNextAsync"/> with the master's bytes.
/// </summary>
public sealed class ReplicationStream(ReplicationBacklog backlog) : IAsyncStream<ReplicationBatch>
{
    private readonly Lock _gate = new();
    private readonly List<ReplicationSubscription> _subscriptions = [];

    public StreamId StreamId { get; } = new("replication", "backlog");

    public string ProviderName => "replication";

    /// <summary>The subscriptions being fed (the replicas streaming).</summary>
    public IReadOnlyList<ReplicationSubscription> Subscriptions
    {
        get
        {
            lock (_gate)
            {
                return [.. _subscriptions];
            }
        }
    }

    /// <summary>Appends bytes received from this silo's master, exactly as applied (the token, if any, must be their offset).</summary>
    public Task OnNextAsync(ReplicationBatch item, StreamSequenceToken? token = null)
    {
        var expected = backlog.Offset + 1;
        if (item.Offset != expected || (token is LongSequenceToken numbered && numbered.SequenceNumber != expected))
        {
            throw new ArgumentException($"Bytes at offset {item.Offset} do not follow the stream's end (next offset {expected}).", nameof(item));
        }
        backlog.AppendRaw(item.Bytes.Span, item.StreamDb);
        return Task.CompletedTask;
    }

    /// <summary>Ends every subscription: each observer gets OnCompletedAsync after the bytes it was given.</summary>
    public Task OnCompletedAsync()
    {
        foreach (var subscription in Subscriptions)
        {
            subscription.Complete(null);
        }
        return Task.CompletedTask;
    }

    public Task OnErrorAsync(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        foreach (var subscription in Subscriptions)
        {
            subscription.Complete(ex);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Feeds <paramref name="observer"/> from <paramref name="token"/> (a <see cref="LongSequenceToken"/>
    /// holding the next offset it wants; none: from the current end). Delivery starts at once, one batch
    /// at a time: the next waits for the observer's task, so a slow replica holds back only itself.
    /// </summary>
    public Task<StreamSubscriptionHandle<ReplicationBatch>> SubscribeAsync(IAsyncObserver<ReplicationBatch> observer, StreamSequenceToken? token = null)
    {
        var offset = token switch
        {
            null => backlog.Offset + 1,
            LongSequenceToken numbered => numbered.SequenceNumber,
            _ => throw new ArgumentException($"A replication stream is positioned by offsets ({nameof(LongSequenceToken)}), not by {token.GetType().Name}.", nameof(token)),
        };
        return Task.FromResult<StreamSubscriptionHandle<ReplicationBatch>>(Subscribe(observer, offset));
    }

    /// <summary><see cref="SubscribeAsync"/> from <paramref name="offset"/>, for callers that cannot wait (a snapshot cut).</summary>
    public ReplicationSubscription Subscribe(IAsyncObserver<ReplicationBatch> observer, long offset)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var reader = backlog.OpenReader(offset)
            ?? throw new QueueCacheMissException($"The backlog no longer holds offset {offset} (it holds {backlog.FirstByteOffset} to {backlog.Offset}).");
        var subscription = new ReplicationSubscription(this, reader, observer);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }
        subscription.Start();
        return subscription;
    }

    /// <summary>
    /// A full sync's cut, while every shard turn is held (no write in flight): subscribes
    /// <paramref name="replicas"/> right after the current end, where their snapshot stops; the stream
    /// selects its database again first, since a replica loading a snapshot knows none.
    /// </summary>
    public ReplicationCut SubscribeAtCut(IReadOnlyList<IAsyncObserver<ReplicationBatch>> replicas)
    {
        backlog.ForgetSelectedDatabase();
        var offset = backlog.Offset;
        var subscriptions = replicas.Select(replica => Subscribe(replica, offset + 1)).ToArray();
        return new ReplicationCut(backlog.ReplId, offset, backlog.StreamDb, subscriptions);
    }

    public bool Equals(IAsyncStream<ReplicationBatch>? other) =>
        other is not null && other.StreamId == StreamId && other.ProviderName == ProviderName;

    public override bool Equals(object? obj) => obj is IAsyncStream<ReplicationBatch> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(StreamId, ProviderName);

    public override string ToString() => $"{ProviderName}:{StreamId}";

    internal void Remove(ReplicationSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }
}
