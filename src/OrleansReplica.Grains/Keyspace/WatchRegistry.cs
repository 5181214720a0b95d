namespace OrleansReplica.Grains.Keyspace;

/// <summary>Someone (a client in a WATCH/MULTI) that must learn when a watched key is modified.</summary>
public interface IKeyWatcher
{
    void OnWatchedKeyModified();
}

/// <summary>The keys of one database index in one shard that clients WATCH.</summary>
public sealed class WatchRegistry
{
    private readonly Dictionary<byte[], List<IKeyWatcher>> _watchers = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], List<IKeyWatcher>>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

    public WatchRegistry()
    {
        _bySpan = _watchers.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public bool IsEmpty => _watchers.Count == 0;

    public void Watch(ReadOnlySpan<byte> key, IKeyWatcher watcher)
    {
        if (!_bySpan.TryGetValue(key, out var list))
        {
            list = [];
            _watchers.Add(key.ToArray(), list);
        }
        if (!list.Contains(watcher))
        {
            list.Add(watcher);
        }
    }

    public void Unwatch(ReadOnlySpan<byte> key, IKeyWatcher watcher)
    {
        if (_bySpan.TryGetValue(key, out var list) && list.Remove(watcher) && list.Count == 0)
        {
            _bySpan.Remove(key);
        }
    }

    /// <summary>A write touched <paramref name="key"/>: every client watching it will fail its EXEC.</summary>
    public void Touch(ReadOnlySpan<byte> key)
    {
        if (_watchers.Count != 0 && _bySpan.TryGetValue(key, out var list))
        {
            foreach (var watcher in list)
            {
                watcher.OnWatchedKeyModified();
            }
        }
    }

    /// <summary>FLUSHDB, FLUSHALL, SWAPDB: touch every watched key that exists in <paramref name="database"/>.</summary>
    public void TouchExisting(Database database)
    {
        foreach (var (key, list) in _watchers)
        {
            if (database.Find(key) is not null)
            {
                foreach (var watcher in list)
                {
                    watcher.OnWatchedKeyModified();
                }
            }
        }
    }
}
