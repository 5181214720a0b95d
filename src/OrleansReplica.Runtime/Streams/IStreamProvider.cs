namespace OrleansReplica.Runtime;

/// <summary>A named source of streams.</summary>
public interface IStreamProvider
{
    string Name { get; }

    IAsyncStream<T> GetStream<T>(StreamId id);
}
