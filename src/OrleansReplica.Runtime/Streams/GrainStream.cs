using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>A stream seen from a grain: producing is unchanged, subscriptions deliver as turns of the grain.</summary>
internal sealed class GrainStream<T>(IAsyncStream<T> stream, GrainActivation activation, Grain owner) : IAsyncStream<T>
{
    public StreamId StreamId => stream.StreamId;

    public string ProviderName => stream.ProviderName;

    public Task OnNextAsync(T item, StreamSequenceToken? token = null) => stream.OnNextAsync(item, token);

    public Task OnCompletedAsync() => stream.OnCompletedAsync();

    public Task OnErrorAsync(Exception ex) => stream.OnErrorAsync(ex);

    public async Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = new GrainStreamSubscription<T>(activation, owner, observer);
        subscription.Attach(await stream.SubscribeAsync(subscription, token).ConfigureAwait(false));
        activation.Track(owner, subscription);
        return subscription;
    }

    public bool Equals(IAsyncStream<T>? other) =>
        other is not null && other.StreamId == StreamId && other.ProviderName == ProviderName;

    public override bool Equals(object? obj) => obj is IAsyncStream<T> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(StreamId, ProviderName);
}
