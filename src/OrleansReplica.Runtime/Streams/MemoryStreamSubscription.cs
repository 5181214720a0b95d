using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansReplica.Runtime;

/// <summary>
/// A subscriber's queue and its delivery loop: one event at a time, in queue order, on the thread pool,
/// started when the queue becomes non-empty so producers never wait for observers.
/// </summary>
internal sealed class MemoryStreamSubscription<T>(MemoryAsyncStream<T> stream, IAsyncObserver<T> observer)
    : StreamSubscriptionHandle<T>, IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<StreamEvent<T>> queue = new();
    private int delivering;
    private volatile bool unsubscribed;

    public override Task UnsubscribeAsync()
    {
        unsubscribed = true;
        stream.Remove(this);
        return Task.CompletedTask;
    }

    internal void Enqueue(StreamEvent<T> streamEvent)
    {
        queue.Enqueue(streamEvent);
        if (Interlocked.CompareExchange(ref delivering, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = DeliverAsync();

    private async Task DeliverAsync()
    {
        while (true)
        {
            while (!unsubscribed && queue.TryDequeue(out var next))
            {
                try
                {
                    await Deliver(next).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    stream.Provider.Logger.LogError(ex, "Observer of stream {Stream} failed", stream);
                }
            }

            Volatile.Write(ref delivering, 0);

            // An event enqueued after the loop emptied the queue but before the flag dropped finds the
            // flag still set and relies on this check to be delivered.
            if (unsubscribed || queue.IsEmpty || Interlocked.CompareExchange(ref delivering, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private Task Deliver(StreamEvent<T> next) => next.Kind switch
    {
        StreamEventKind.Next => observer.OnNextAsync(next.Item, next.Token),
        StreamEventKind.Completed => observer.OnCompletedAsync(),
        _ => observer.OnErrorAsync(next.Error!),
    };
}
