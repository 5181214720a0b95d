using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Shards;

/// <summary>
/// Runs a command against the shards it needs, for one connection: a single-shard command is one
/// call into that shard grain; a command spanning shards (or all of them) holds their turns, taken
/// in ascending shard order so that two such commands can never deadlock, and runs atomically.
/// Within a batch of pipelined requests, consecutive commands on the same shards share their turns.
/// </summary>
public sealed class KeyspaceExecutor
{
    private readonly IShardGrain[] _shards;
    private readonly bool[] _needed;
    private readonly GrainTurnLease<IShardGrain>[] _leases;

    // The shard turns kept between consecutive keyed commands of a batch: taking and handing back
    // turns per command costs more than the command itself when a pipeline hits the same shards.
    // Kept turns are only ever added to by trying, never by waiting, and all are handed back before
    // a command waits for a turn: no turn is ever waited for while one is kept.
    private readonly bool[] _kept;
    private readonly GrainTurnLease<IShardGrain>[] _keptTurns;
    private int _keptCount;
    private bool _batching;

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
        _kept = new bool[map.ShardCount];
        _keptTurns = new GrainTurnLease<IShardGrain>[map.ShardCount];
    }

    public ShardMap Map { get; }

    /// <summary>Starts a batch of requests that run back to back (the connection does not wait on I/O until <see cref="EndBatch"/>).</summary>
    public void BeginBatch() => _batching = true;

    /// <summary>Ends a batch: the turns kept for it go back to their shards.</summary>
    public void EndBatch()
    {
        _batching = false;
        ReleaseKeptTurns();
    }

    /// <summary>Runs the command; true when it completed synchronously, otherwise <paramref name="pending"/> completes it.</summary>
    public bool TryExecute(CommandContext context, out ValueTask pending)
    {
        var command = context.Command;
        // Movable keys are not all at the key positions: only holding every shard is safe for them.
        var single = -1;
        var keyed = command.Scope == KeyScope.Keys && (command.Flags & CommandFlags.MovableKeys) == 0 && FindShards(context, out single);
        if (keyed && single >= 0 && TryRunOnKeptTurn(context, single))
        {
            pending = default;
            return true;
        }
        pending = Execute(context, keyed, single);
        return pending.IsCompletedSuccessfully;
    }

    private ValueTask Execute(CommandContext context, bool keyed, int single)
    {
        if (keyed && single >= 0)
        {
            return _shards[single].Execute(context);
        }
        if (keyed && _batching && TryKeepNeededTurns())
        {
            return RunOnKeptTurns(context);
        }
        ReleaseKeptTurns();
        if (keyed)
        {
            return ExecuteHoldingAsync(context, allShards: false);
        }
        if (context.Command.Scope is KeyScope.AllShards or KeyScope.Keys)
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

    /// <summary>
    /// Runs a single-shard command on that shard's kept turn, keeping it first when the batch can;
    /// false (other turns handed back) when the turn must be waited for through the grain.
    /// </summary>
    private bool TryRunOnKeptTurn(CommandContext context, int shard)
    {
        if (!_kept[shard])
        {
            ReleaseKeptTurns();
            if (!_batching || !TryKeepTurn(shard))
            {
                return false;
            }
        }
        ((ShardGrain)_keptTurns[shard].Grain).RunInTurn(context);
        return true;
    }

    /// <summary>Keeps the turns of every shard marked needed, taken in ascending order without waiting; false (nothing kept) when one is busy.</summary>
    private bool TryKeepNeededTurns()
    {
        var missing = false;
        for (var i = 0; i < _needed.Length && !missing; i++)
        {
            missing = _needed[i] && !_kept[i];
        }
        if (!missing)
        {
            return true;
        }
        ReleaseKeptTurns();
        for (var i = 0; i < _needed.Length; i++)
        {
            if (_needed[i] && !TryKeepTurn(i))
            {
                ReleaseKeptTurns();
                return false;
            }
        }
        return true;
    }

    /// <summary>Runs a multi-shard command on kept turns: the keyspace sees only the shards it needs.</summary>
    private ValueTask RunOnKeptTurns(CommandContext context)
    {
        for (var i = 0; i < _needed.Length; i++)
        {
            if (_needed[i])
            {
                context.Keyspace.Hold(_keptTurns[i].Grain.KeyspaceInTurn);
                _needed[i] = false;
            }
        }
        var pending = context.RunAsync();
        if (!pending.IsCompletedSuccessfully)
        {
            return ReleaseKeyspaceAfterAsync(pending, context);
        }
        context.Keyspace.ReleaseAll();
        return default;
    }

    private static async ValueTask ReleaseKeyspaceAfterAsync(ValueTask pending, CommandContext context)
    {
        try
        {
            await pending;
        }
        finally
        {
            context.Keyspace.ReleaseAll();
        }
    }

    private bool TryKeepTurn(int shard)
    {
        if (!((GrainReference<IShardGrain>)_shards[shard]).TryAcquireTurn(out _keptTurns[shard]))
        {
            return false;
        }
        _kept[shard] = true;
        _keptCount++;
        return true;
    }

    private void ReleaseKeptTurns()
    {
        if (_keptCount == 0)
        {
            return;
        }
        for (var i = _kept.Length - 1; i >= 0; i--)
        {
            if (_kept[i])
            {
                _kept[i] = false;
                _keptTurns[i].Dispose();
                _keptTurns[i] = default;
            }
        }
        _keptCount = 0;
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
        ReleaseKeptTurns();
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
