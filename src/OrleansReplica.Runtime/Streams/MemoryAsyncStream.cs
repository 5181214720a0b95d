namespace OrleansReplica.Runtime;

/// <summary>
/// One stream of a <see cref="MemoryStreamProvider"/>: assigns and checks tokens, keeps the replay cache
/// (a ring of the newest items) and fans each event out to the subscribers' queues.
/// </summary>
internal sealed class MemoryAsyncStream<T>(MemoryStreamProvider provider, StreamId streamId) : IAsyncStream<T>
{
    private readonly Lock gate = new();
    private readonly List<MemoryStreamSubscription<T>> subscribers = [];
    private readonly StreamEvent<T>[] cache = new StreamEvent<T>[provider.CacheSize];
    private int cacheStart;
    private int cacheCount;
    private StreamSequenceToken? lastToken;
    private StreamSequenceToken? lastEvicted;
    private long lastSequenceNumber;

    public StreamId StreamId { get; } = streamId;

    public string ProviderName => provider.Name;

    internal MemoryStreamProvider Provider => provider;

    public Task OnNextAsync(T item, StreamSequenceToken? token = null)
    {
        lock (gate)
        {
            if (token is null)
            {
                token = new LongSequenceToken(lastSequenceNumber + 1);
            }
            else if (lastToken is not null && token.CompareTo(lastToken) <= 0)
            {
                throw new ArgumentException($"Token {token} does not follow the stream's last token {lastToken}.", nameof(token));
            }

            lastToken = token;
            if (token is LongSequenceToken numbered)
            {
                lastSequenceNumber = numbered.SequenceNumber;
            }

            var next = new StreamEvent<T>(StreamEventKind.Next, item, token, null);
            AddToCache(next);
            foreach (var subscriber in subscribers)
            {
                subscriber.Enqueue(next);
            }
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Broadcast(new StreamEvent<T>(StreamEventKind.Completed, default!, null, null));

    public Task OnErrorAsync(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return Broadcast(new StreamEvent<T>(StreamEventKind.Error, default!, null, ex));
    }

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = new MemoryStreamSubscription<T>(this, observer);
        lock (gate)
        {
            if (token is not null)
            {
                if (lastEvicted is not null && token.CompareTo(lastEvicted) <= 0)
                {
                    throw new QueueCacheMissException(
                        $"Stream {StreamId} of provider '{ProviderName}' no longer caches token {token}; the oldest cached item follows {lastEvicted}.");
                }

                for (var i = 0; i < cacheCount; i++)
                {
                    var cached = cache[(cacheStart + i) % cache.Length];
                    if (cached.Token!.CompareTo(token) >= 0)
                    {
                        subscription.Enqueue(cached);
                    }
                }
            }

            subscribers.Add(subscription);
        }

        return Task.FromResult<StreamSubscriptionHandle<T>>(subscription);
    }

    public bool Equals(IAsyncStream<T>? other) =>
        other is not null && other.StreamId == StreamId && other.ProviderName == ProviderName;

    public override bool Equals(object? obj) => obj is IAsyncStream<T> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(StreamId, ProviderName);

    public override string ToString() => $"{ProviderName}:{StreamId}";

    internal void Remove(MemoryStreamSubscription<T> subscription)
    {
        lock (gate)
        {
            subscribers.Remove(subscription);
        }
    }

    private Task Broadcast(StreamEvent<T> streamEvent)
    {
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Enqueue(streamEvent);
            }
        }

        return Task.CompletedTask;
    }

    private void AddToCache(StreamEvent<T> next)
    {
        if (cache.Length == 0)
        {
            lastEvicted = next.Token;
            return;
        }

        if (cacheCount == cache.Length)
        {
            lastEvicted = cache[cacheStart].Token;
            cache[cacheStart] = next;
            cacheStart = (cacheStart + 1) % cache.Length;
            return;
        }

        cache[(cacheStart + cacheCount) % cache.Length] = next;
        cacheCount++;
    }
}
