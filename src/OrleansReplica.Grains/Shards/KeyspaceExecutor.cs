using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Shards;

/// <summary>
/// Runs a command against the shards it needs, for one connection: a single-shard command is one
/// call into that shard grain; a command spanning shards (or all of them) holds their turns, taken
/// in ascending shard order so that two such commands can never deadlock, and runs atomically.
/// Within a batch of pipelined requests, consecutive commands on one shard share one turn.
/// </summary>
public sealed class KeyspaceExecutor
{
    private readonly IShardGrain[] _shards;
    private readonly bool[] _needed;
    private readonly GrainTurnLease<IShardGrain>[] _leases;

    // The shard turn kept between consecutive single-shard commands of a batch: taking and handing
    // back a turn per command costs more than the command itself when a pipeline hits one shard.
    // Never held across anything but such commands, so no other turn is ever waited for meanwhile.
    private bool _batching;
    private int _keptShard = -1;
    private GrainTurnLease<IShardGrain> _keptTurn;

    public KeyspaceExecutor(IGrainFactory grains, ShardMap map)
    {
        Map = map;
        _shards = new IShardGrain[map.ShardCount];
        for (var i = 0; i < _shards.Length; i++)
        {
            _shards[i] = grains.GetGrain<IShardGrain>(i);
        }
        _needed = new bool[map.ShardCount];
        _leases = new GrainTurnLease<IShardGrain>[map.ShardCount];
    }

    public ShardMap Map { get; }

    /// <summary>Starts a batch of requests that run back to back (the connection does not wait on I/O until <see cref="EndBatch"/>).</summary>
    public void BeginBatch() => _batching = true;

    /// <summary>Ends a batch: a turn kept for it goes back to the shard.</summary>
    public void EndBatch()
    {
        _batching = false;
        ReleaseKeptTurn();
    }

    public ValueTask ExecuteAsync(CommandContext context)
    {
        var command = context.Command;
        // Movable keys are not all at the key positions: only holding every shard is safe for them.
        var single = -1;
        var keyed = command.Scope == KeyScope.Keys && (command.Flags & CommandFlags.MovableKeys) == 0 && FindShards(context, out single);
        if (keyed && single >= 0)
        {
            return ExecuteOnShard(context, single);
        }
        ReleaseKeptTurn();
        if (keyed)
        {
            return ExecuteHoldingAsync(context, allShards: false);
        }
        if (command.Scope is KeyScope.AllShards or KeyScope.Keys)
        {
            return ExecuteHoldingAsync(context, allShards: true);
        }
        return context.RunAsync();
    }

    /// <summary>Runs <paramref name="action"/> while holding every shard's turn (EXEC, DEBUG DIGEST, snapshots).</summary>
    public async ValueTask RunHoldingAllAsync<TState>(CommandContext context, TState state, Action<CommandContext, TState> action)
    {
        await AcquireAsync(context, allShards: true);
        try
        {
            action(context, state);
        }
        finally
        {
            ReleaseAll(context);
        }
    }

    private ValueTask ExecuteOnShard(CommandContext context, int shard)
    {
        if (_keptShard == shard)
        {
            return _keptTurn.Grain.Execute(context);
        }
        ReleaseKeptTurn();
        if (_batching && ((GrainReference<IShardGrain>)_shards[shard]).TryAcquireTurn(out _keptTurn))
        {
            _keptShard = shard;
            return _keptTurn.Grain.Execute(context);
        }
        return _shards[shard].Execute(context);
    }

    private void ReleaseKeptTurn()
    {
        if (_keptShard >= 0)
        {
            _keptShard = -1;
            _keptTurn.Dispose();
            _keptTurn = default;
        }
    }

    /// <summary>Marks the shards of the command's keys; returns the shard index when there is exactly one.</summary>
    private bool FindShards(CommandContext context, out int single)
    {
        single = -1;
        var args = context.Args;
        if (!context.Command.TryGetKeyRange(args.Count, out var first, out var last, out var step))
        {
            return false;
        }
        if (first == last)
        {
            single = Map.ShardOf(args[first]);
            return true;
        }
        Array.Clear(_needed);
        var distinct = 0;
        for (var i = first; i <= last; i += step)
        {
            var shard = Map.ShardOf(args[i]);
            if (!_needed[shard])
            {
                _needed[shard] = true;
                distinct++;
                single = shard;
            }
        }
        if (distinct > 1)
        {
            single = -1;
        }
        return true;
    }

    private async ValueTask ExecuteHoldingAsync(CommandContext context, bool allShards)
    {
        await AcquireAsync(context, allShards);
        try
        {
            await context.RunAsync();
        }
        finally
        {
            ReleaseAll(context);
        }
    }

    private async ValueTask AcquireAsync(CommandContext context, bool allShards)
    {
        ReleaseKeptTurn();
        for (var i = 0; i < _shards.Length; i++)
        {
            if (allShards || _needed[i])
            {
                var lease = await ((GrainReference<IShardGrain>)_shards[i]).AcquireTurnAsync();
                _leases[i] = lease;
                _needed[i] = true;
                context.Keyspace.Hold(lease.Grain.KeyspaceInTurn);
            }
        }
    }

    private void ReleaseAll(CommandContext context)
    {
        context.Keyspace.ReleaseAll();
        for (var i = _shards.Length - 1; i >= 0; i--)
        {
            if (_needed[i])
            {
                _needed[i] = false;
                _leases[i].Dispose();
                _leases[i] = default;
            }
        }
    }
}
