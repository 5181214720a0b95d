namespace OrleansReplica.Runtime.Tests.Grains;

public interface IStreamGrain : IGrainWithStringKey
{
    Task Subscribe(string provider, StreamId stream);

    Task Unsubscribe();

    ValueTask<int> Count();
}

/// <summary>Subscribes itself to a stream: deliveries must arrive as turns of this grain.</summary>
internal sealed class StreamGrain(TurnProbe probe) : Grain, IStreamGrain, IAsyncObserver<int>
{
    private StreamSubscriptionHandle<int>? subscription;
    private int count;

    public async Task Subscribe(string provider, StreamId stream) =>
        subscription = await GetStreamProvider(provider).GetStream<int>(stream).SubscribeAsync(this);

    public Task Unsubscribe() => subscription?.UnsubscribeAsync() ?? Task.CompletedTask;

    public ValueTask<int> Count()
    {
        probe.Enter();
        var seen = count;
        probe.Leave();
        return new ValueTask<int>(seen);
    }

    public async Task OnNextAsync(int item, StreamSequenceToken? token = null)
    {
        probe.Enter();
        await Task.Yield();
        probe.StreamItems.Enqueue(item);
        count++;
        probe.Leave();
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

internal sealed class StreamGrainReference(GrainInvoker<IStreamGrain> invoker) : GrainReference<IStreamGrain>(invoker), IStreamGrain
{
    public Task Subscribe(string provider, StreamId stream) =>
        InvokeAsync((provider, stream), static (g, a) => g.Subscribe(a.provider, a.stream));

    public Task Unsubscribe() => InvokeAsync(0, static (g, _) => g.Unsubscribe());

    public ValueTask<int> Count() => InvokeAsync(0, static (g, _) => g.Count());
}
