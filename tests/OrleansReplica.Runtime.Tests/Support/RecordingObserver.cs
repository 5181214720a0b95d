using System.Collections.Concurrent;

namespace OrleansReplica.Runtime.Tests.Support;

/// <summary>Records what a stream delivers and fails the test if two deliveries ever overlap.</summary>
internal sealed class RecordingObserver<T> : IAsyncObserver<T>
{
    private int inside;

    public ConcurrentQueue<(T Item, StreamSequenceToken? Token)> Items { get; } = new();

    public bool Overlapped { get; private set; }

    public bool Completed { get; private set; }

    public Exception? Error { get; private set; }

    /// <summary>When set, each delivery waits for it first.</summary>
    public Task? Gate { get; set; }

    public async Task OnNextAsync(T item, StreamSequenceToken? token = null)
    {
        if (Interlocked.Increment(ref inside) > 1)
        {
            Overlapped = true;
        }

        if (Gate is { } gate)
        {
            await gate;
        }

        await Task.Yield();
        Items.Enqueue((item, token));
        Interlocked.Decrement(ref inside);
    }

    public Task OnCompletedAsync()
    {
        Completed = true;
        return Task.CompletedTask;
    }

    public Task OnErrorAsync(Exception ex)
    {
        Error = ex;
        return Task.CompletedTask;
    }
}
