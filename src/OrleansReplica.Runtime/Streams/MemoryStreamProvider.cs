using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansReplica.Runtime;

/// <summary>
/// In-process streams: per stream, items reach each subscriber in token order, one at a time, and the
/// last <c>cacheSize</c> items are kept for subscriptions that replay from a token.
/// </summary>
public sealed class MemoryStreamProvider : IStreamProvider
{
    private readonly ConcurrentDictionary<StreamId, object> streams = new();

    public MemoryStreamProvider(string name, int cacheSize = 4096, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheSize);
        Name = name;
        CacheSize = cacheSize;
        Logger = logger ?? NullLogger.Instance;
    }

    public string Name { get; }

    public int CacheSize { get; }

    internal ILogger Logger { get; }

    public IAsyncStream<T> GetStream<T>(StreamId id) =>
        streams.GetOrAdd(id, static (streamId, provider) => new MemoryAsyncStream<T>(provider, streamId), this) as IAsyncStream<T>
        ?? throw new InvalidOperationException($"Stream {id} of provider '{Name}' already carries another item type than {typeof(T).Name}.");
}
