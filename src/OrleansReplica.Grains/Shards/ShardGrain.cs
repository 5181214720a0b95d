using System.Buffers;
using System.Diagnostics;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Protocol.Resp;
using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Shards;

/// <summary>
/// Owns one shard of the keyspace: executes commands on its keys one turn at a time and runs
/// Redis's active expiry cycle on them (on a master only).
/// </summary>
public sealed class ShardGrain(KeyspaceOptions options, PropagationLog propagation) : Grain, IShardGrain
{
    // Redis samples this many keys per round and repeats while more than 10% were stale.
    private const int KeysPerSample = 20;
    private const int AcceptableStalePercent = 10;

    private readonly Random _random = new();
    private readonly ArrayBufferWriter<byte> _deletion = new(64);
    private ShardKeyspace _keyspace = null!;
    private int _nextExpireDb;

    public ShardKeyspace KeyspaceInTurn => _keyspace;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _keyspace = new ShardKeyspace((int)GetPrimaryKeyLong(), options.Databases);
        var period = TimeSpan.FromMilliseconds(1000.0 / Math.Max(1, options.Hz));
        RegisterGrainTimer(static (self, _) => self.ActiveExpireCycle(), this, period, period);
        return Task.CompletedTask;
    }

    public ValueTask Execute(CommandContext context)
    {
        RunInTurn(context);
        return default;
    }

    /// <summary>Runs a command's synchronous handler on this shard's keyspace; the caller holds the turn.</summary>
    internal void RunInTurn(CommandContext context)
    {
        var keyspace = context.Keyspace;
        keyspace.Hold(_keyspace);
        try
        {
            context.RunHandler();
        }
        finally
        {
            keyspace.Release(_keyspace);
        }
    }

    /// <summary>
    /// Deletes expired keys that nobody reads: samples keys with an expire, deletes the stale ones,
    /// and repeats while many were stale, within a quarter of the cron period.
    /// </summary>
    private Task ActiveExpireCycle()
    {
        if (!options.ActiveExpireEnabled || !options.ExpiresKeys)
        {
            return Task.CompletedTask;
        }
        var started = Stopwatch.GetTimestamp();
        var budget = TimeSpan.FromMilliseconds(250.0 / Math.Max(1, options.Hz));
        var now = options.Clock.NowMs();
        var databases = _keyspace.Databases;
        for (var i = 0; i < databases.Length; i++)
        {
            var db = (_nextExpireDb + i) % databases.Length;
            if (!ExpireDatabase(db, now, started, budget))
            {
                _nextExpireDb = db;
                break;
            }
        }
        _keyspace.Stats.ExpireCycleCpuMs += (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return Task.CompletedTask;
    }

    /// <summary>Replicas and the AOF delete the key too: they never expire keys on their own.</summary>
    private void PropagateDeletion(int db, byte[] key)
    {
        if (!propagation.HasSinks)
        {
            return;
        }
        _deletion.ResetWrittenCount();
        RespCommandWriter.WriteArrayHeader(_deletion, 2);
        RespCommandWriter.WriteBulk(_deletion, "DEL"u8);
        RespCommandWriter.WriteBulk(_deletion, key);
        propagation.Append(db, _deletion.WrittenSpan);
    }

    /// <summary>Returns false when the time budget ran out.</summary>
    private bool ExpireDatabase(int db, long now, long started, TimeSpan budget)
    {
        var database = _keyspace.Databases[db];
        while (database.Expires.Count > 0)
        {
            var sampled = Math.Min(KeysPerSample, database.Expires.Count);
            var expired = 0;
            for (var i = 0; i < sampled && database.Expires.Count > 0; i++)
            {
                var (key, expiresAt) = database.Expires.At(_random.Next(database.Expires.Count));
                if (expiresAt <= now)
                {
                    database.Remove(key);
                    _keyspace.Stats.ExpiredKeys++;
                    _keyspace.Touch(db, key);
                    PropagateDeletion(db, key);
                    expired++;
                }
            }
            _keyspace.Stats.ExpiredStaleKeysSampled += expired;
            if (Stopwatch.GetElapsedTime(started) > budget)
            {
                return false;
            }
            if (expired * 100 <= sampled * AcceptableStalePercent)
            {
                break;
            }
        }
        return true;
    }
}
