using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Hosting.Clients;

/// <summary>A client's MULTI/EXEC state: the queued requests and the keys it WATCHes.</summary>
public sealed class TransactionState : IKeyWatcher
{
    private volatile bool _watchedKeyModified;

    public bool InMulti { get; set; }

    /// <summary>A command was rejected while queueing: EXEC will answer EXECABORT.</summary>
    public bool Aborted { get; set; }

    /// <summary>Raw request frames queued by MULTI, re-parsed at EXEC.</summary>
    public List<(CommandDefinition Command, byte[] Frame)> Queued { get; } = [];

    /// <summary>(database, key) pairs watched by WATCH.</summary>
    public List<(int Db, byte[] Key)> Watched { get; } = [];

    public bool WatchedKeyModified => _watchedKeyModified;

    /// <summary>Called, possibly from another client's command, when a watched key changes.</summary>
    public void OnWatchedKeyModified() => _watchedKeyModified = true;

    public void MarkWatchedKeyModified() => _watchedKeyModified = true;

    /// <summary>Leaves MULTI state (EXEC, DISCARD, RESET); watches are released separately.</summary>
    public void ClearMulti()
    {
        InMulti = false;
        Aborted = false;
        Queued.Clear();
    }

    public void ClearWatches()
    {
        Watched.Clear();
        _watchedKeyModified = false;
    }
}
