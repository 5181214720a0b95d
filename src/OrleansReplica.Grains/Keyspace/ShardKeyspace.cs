namespace OrleansReplica.Grains.Keyspace;

/// <summary>The state of one shard: its part of every database, the watched keys and counters.</summary>
public sealed class ShardKeyspace
{
    private readonly WatchRegistry?[] _watches;

    public ShardKeyspace(int index, int databases)
    {
        Index = index;
        Databases = new Database[databases];
        for (var i = 0; i < databases; i++)
        {
            Databases[i] = new Database();
        }
        _watches = new WatchRegistry?[databases];
    }

    public int Index { get; }

    public Database[] Databases { get; }

    public KeyspaceStats Stats { get; } = new();

    /// <summary>The watch registry of a database index (it stays with the index across SWAPDB).</summary>
    public WatchRegistry Watches(int db) => _watches[db] ??= new WatchRegistry();

    /// <summary>Signals a write to <paramref name="key"/> in database <paramref name="db"/> to its watchers.</summary>
    public void Touch(int db, ReadOnlySpan<byte> key) => _watches[db]?.Touch(key);

    /// <summary>Signals that every existing key of <paramref name="db"/> changes (FLUSHDB, SWAPDB).</summary>
    public void TouchAll(int db) => _watches[db]?.TouchExisting(Databases[db]);
}
