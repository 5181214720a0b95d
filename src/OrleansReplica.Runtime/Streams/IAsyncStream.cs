namespace OrleansReplica.Runtime;

/// <summary>A stream of items: producers push with OnNextAsync, observers subscribe.</summary>
public interface IAsyncStream<T> : IEquatable<IAsyncStream<T>>
{
    StreamId StreamId { get; }

    string ProviderName { get; }

    /// <summary>Enqueues the item for every current subscriber; without a token the provider assigns the next <see cref="LongSequenceToken"/>.</summary>
    Task OnNextAsync(T item, StreamSequenceToken? token = null);

    Task OnCompletedAsync();

    Task OnErrorAsync(Exception ex);

    /// <summary>Subscribes; with a token, first replays the cached items from that token on.</summary>
    Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null);
}
