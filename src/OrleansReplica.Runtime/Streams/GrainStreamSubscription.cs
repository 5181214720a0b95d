using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>
/// A grain's subscription: turns each delivery into a turn of the grain's activation and ends when the
/// grain deactivates (the subscription belongs to that grain object).
/// </summary>
internal sealed class GrainStreamSubscription<T>(GrainActivation activation, Grain owner, IAsyncObserver<T> observer)
    : StreamSubscriptionHandle<T>, IAsyncObserver<T>, IDisposable
{
    private StreamSubscriptionHandle<T>? inner;

    public Task OnNextAsync(T item, StreamSequenceToken? token = null) =>
        activation.RunTurnAsync(owner, () => observer.OnNextAsync(item, token));

    public Task OnCompletedAsync() => activation.RunTurnAsync(owner, observer.OnCompletedAsync);

    public Task OnErrorAsync(Exception ex) => activation.RunTurnAsync(owner, () => observer.OnErrorAsync(ex));

    public override Task UnsubscribeAsync()
    {
        activation.Untrack(this);
        return inner?.UnsubscribeAsync() ?? Task.CompletedTask;
    }

    public void Dispose() => _ = inner?.UnsubscribeAsync();

    internal void Attach(StreamSubscriptionHandle<T> handle) => inner = handle;
}
