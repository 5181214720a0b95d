namespace OrleansReplica.Runtime;

/// <summary>Consumer of a stream: receives items, then at most one completion or error.</summary>
public interface IAsyncObserver<in T>
{
    Task OnNextAsync(T item, StreamSequenceToken? token = null);

    Task OnCompletedAsync();

    Task OnErrorAsync(Exception ex);
}
