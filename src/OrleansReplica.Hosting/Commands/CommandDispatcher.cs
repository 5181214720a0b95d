using System.Diagnostics;
using System.Text;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Commands;

/// <summary>
/// Takes one parsed request of a connection through Redis's checks, in Redis's order (lookup,
/// arity, authentication, read-only replica, RESP2 subscribed context, stale replica, transaction queueing), then runs it on the shards it needs.
/// </summary>
public sealed class CommandDispatcher(ClientContext context, KeyspaceExecutor executor)
{
    private readonly CommandTable _table = context.Silo.Commands;
    private readonly KeyspaceOptions _options = context.Silo.KeyspaceOptions;

    // The keyspace's Unix time for the last clock reading (recomputed only when the clock was read again).
    private long _nowMsAt;
    private long _nowMs;

    // The clock is read once per command at most: the end of one command is the start of the next.
    // Within a batch, a run of one constant-time command is timed as a whole, with one read when the
    // run ends, and each call counts at the run's average: a clock read here costs about as much as a GET.
    private long _clock;
    private bool _batching;
    private int _untimedCalls;
    private long _untimedSince;

    // Untimed calls are settled at least this often, so that the keyspace's clock stays fresh in long pipelines.
    private const int MaxUntimedCalls = 128;

    // Statistics of consecutive calls to one command (a pipelined run) are added to the shared
    // counters once per run rather than once per call, sparing contended atomics.
    private CommandDefinition? _runCommand;
    private long _runCalls;
    private long _runTicks;

    // The last command name looked up, for pipelines that repeat one command.
    private readonly byte[] _lastName = new byte[32];
    private int _lastNameLength;
    private CommandDefinition? _lastCommand;

    public ClientContext Context => context;

    /// <summary>The connection to this replica's master: its writes are obeyed even on a read-only replica.</summary>
    public bool IsMasterLink { get; init; }

    public KeyspaceExecutor Executor => executor;

    /// <summary>Starts a batch of requests received together.</summary>
    public void BeginBatch()
    {
        _clock = Stopwatch.GetTimestamp();
        _batching = true;
        executor.BeginBatch();
    }

    /// <summary>Ends a batch: shard turns it kept are handed back and its statistics become visible to INFO.</summary>
    public void EndBatch()
    {
        executor.EndBatch();
        _batching = false;
        FlushRun();
    }

    public ValueTask DispatchAsync(CommandArguments args) => TryDispatch(args, out var pending) ? default : pending;

    /// <summary>
    /// Dispatches one request: true when it completed synchronously (the usual case), otherwise
    /// <paramref name="pending"/> completes it. A bool spares the hot path copying ValueTasks
    /// through the stack at every level.
    /// </summary>
    public bool TryDispatch(CommandArguments args, out ValueTask pending)
    {
        pending = default;
        if (args.Count == 0)
        {
            return true;
        }
        var session = context.Session;
        var command = Resolve(args);
        if (command is null)
        {
            return true;
        }
        if (!command.AcceptsArgumentCount(args.Count))
        {
            Reject(command, CommandErrors.WrongArgumentCount(command.Name));
            return true;
        }
        if (!session.Authenticated && (command.Flags & CommandFlags.NoAuth) == 0 && context.Silo.RequiresAuthentication)
        {
            Reject(command, CommandErrors.NoAuth);
            return true;
        }
        // Redis checks the good replicas of a master and a read-only replica before the subscribed
        // context, a stale replica after it.
        var replica = context.Silo.Replica;
        var isReplica = replica.IsReplica && !IsMasterLink;
        var config = context.Silo.Config;
        if (!replica.IsReplica && config.MinReplicasToWrite > 0 && config.MinReplicasMaxLag > 0 &&
            IsWrite(command, session.Transaction) && context.Silo.Replication.GoodReplicas() < config.MinReplicasToWrite)
        {
            Reject(command, "NOREPLICAS Not enough good replicas to write.");
            return true;
        }
        if (isReplica && config.ReplicaReadOnly && IsWrite(command, session.Transaction))
        {
            Reject(command, "READONLY You can't write against a read only replica.");
            return true;
        }
        if (session.Protocol == RespProtocol.Resp2 && session.Subscriptions.Active && !AllowedWhileSubscribed(command))
        {
            Reject(command, $"ERR Can't execute '{command.Name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return true;
        }
        if (isReplica && !replica.LinkUp && !config.ReplicaServeStaleData && DeniedWhileStale(command, session.Transaction))
        {
            Reject(command, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
            return true;
        }
        var transaction = session.Transaction;
        if (transaction.InMulti && !RunsInsideMulti(command))
        {
            if ((command.Flags & CommandFlags.NoMulti) != 0)
            {
                Reject(command, "ERR Command not allowed inside a transaction");
                return true;
            }
            transaction.Queued.Add((command, args.RawFrame.ToArray()));
            context.Reply.WriteQueued();
            return true;
        }
        return TryExecute(command, args, out pending);
    }

    /// <summary>Runs a command whose checks passed (also used by EXEC for each queued command).</summary>
    public ValueTask ExecuteAsync(CommandDefinition command, CommandArguments args) => TryExecute(command, args, out var pending) ? default : pending;

    private bool TryExecute(CommandDefinition command, CommandArguments args, out ValueTask pending)
    {
        var session = context.Session;
        // Stored only when they change: a reference store costs a GC write barrier, and a pipeline
        // repeats the same command with the same arguments object.
        if (context.Args != args)
        {
            context.Args = args;
        }
        if (context.Command != command)
        {
            context.Command = command;
        }
        context.Failed = false;
        var keyspace = context.Keyspace;
        var options = _options;
        keyspace.Db = session.Db;
        keyspace.ExpiresKeys = options.ExpiresKeys;
        // The master's commands see keys the replica only hides: its DEL of an expired key deletes
        // it, and its writes find the value the master saw.
        keyspace.SeesExpiredKeys = IsMasterLink;
        keyspace.LfuPolicy = options.LfuPolicy;
        var untimed = _batching && command.ConstantTime;
        if (command != _runCommand || (!command.ConstantTime && !command.IsWrite))
        {
            // A new run, or a command that may read the counters (INFO, SAVE): what came before is
            // counted first, so that it sees the commands sent before it.
            FlushRun();
            _runCommand = command;
        }
        else if (_untimedCalls >= MaxUntimedCalls)
        {
            // Untimed calls only ever belong to the current run of a constant-time command within this
            // batch (a new run and the batch's end settle them), so only their number can call for it.
            SettleUntimedCalls();
        }
        var started = _clock == 0 ? Stopwatch.GetTimestamp() : _clock;
        if (started != _nowMsAt)
        {
            _nowMs = options.Clock.UnixMsAt(started);
            _nowMsAt = started;
        }
        keyspace.NowMs = _nowMs;
        session.Touch(started);
        if (!ReferenceEquals(session.LastCommand, command.Name))
        {
            session.LastCommand = command.Name;
        }
        if (!executor.TryExecute(context, out var running))
        {
            if (_untimedCalls > 0)
            {
                // The untimed calls before this one end here, and its own time starts here.
                SettleUntimedCalls();
                started = _clock;
            }
            pending = AwaitAndRecordAsync(running, command, started);
            return false;
        }
        pending = default;
        Record(command, started, timed: !untimed);
        return true;
    }

    private async ValueTask AwaitAndRecordAsync(ValueTask pending, CommandDefinition command, long started)
    {
        await pending;
        Record(command, started, timed: true);
    }

    private void Record(CommandDefinition command, long started, bool timed)
    {
        var session = context.Session;
        session.Db = context.Keyspace.Db;
        if (command != _runCommand)
        {
            FlushRun();
            _runCommand = command;
        }
        _runCalls++;
        if (timed)
        {
            var now = Stopwatch.GetTimestamp();
            _clock = now;
            _runTicks += now - started;
            command.RecordLatency(Stopwatch.GetElapsedTime(started, now));
        }
        else if (_untimedCalls++ == 0)
        {
            _untimedSince = started;
        }
        if (context.Failed)
        {
            command.RecordFailed();
        }
        if (!_batching)
        {
            context.Silo.Dirty(context.Keyspace);
        }
    }

    /// <summary>Times the run's untimed calls with one clock read: each counts at their average.</summary>
    private void SettleUntimedCalls()
    {
        if (_untimedCalls == 0)
        {
            return;
        }
        var now = Stopwatch.GetTimestamp();
        var ticks = now - _untimedSince;
        _clock = now;
        _runTicks += ticks;
        _runCommand!.RecordLatency(Stopwatch.GetElapsedTime(0, ticks / _untimedCalls), _untimedCalls);
        _untimedCalls = 0;
    }

    /// <summary>Adds the run's calls, time and changes (the silo's dirty count) to the shared counters.</summary>
    private void FlushRun()
    {
        SettleUntimedCalls();
        context.Silo.Dirty(context.Keyspace);
        if (_runCommand is null || _runCalls == 0)
        {
            _runCommand = null;
            return;
        }
        _runCommand.RecordCalls(_runCalls, TimeSpan.FromTicks(_runTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
        Interlocked.Add(ref context.Silo.Stats.TotalCommandsProcessed, _runCalls);
        _runCommand = null;
        _runCalls = 0;
        _runTicks = 0;
    }

    private CommandDefinition? Resolve(CommandArguments args)
    {
        // An exact byte match with the last name skips the case-insensitive lookup.
        var command = _lastCommand is not null && args[0].SequenceEqual(_lastName.AsSpan(0, _lastNameLength))
            ? _lastCommand
            : Remember(args[0], _table.Find(args[0]));
        if (command is null)
        {
            RejectUnknown(args);
            return null;
        }
        if (command.Subcommands is null || args.Count < 2)
        {
            return command;
        }
        var sub = _table.FindSubcommand(command, args[1]);
        if (sub is null)
        {
            Reject(null, CommandErrors.UnknownSubcommand(Encoding.UTF8.GetString(args[1]), Encoding.UTF8.GetString(args[0])));
        }
        return sub;
    }

    /// <summary>A RESP2 client with subscriptions can only manage them, PING, QUIT or RESET: its replies share the stream with messages.</summary>
    private static bool AllowedWhileSubscribed(CommandDefinition command) =>
        command.Name is "subscribe" or "psubscribe" or "ssubscribe" or "unsubscribe" or "punsubscribe" or "sunsubscribe" or "ping" or "quit" or "reset";

    private CommandDefinition? Remember(ReadOnlySpan<byte> name, CommandDefinition? command)
    {
        if (command is not null && name.Length <= _lastName.Length)
        {
            name.CopyTo(_lastName);
            _lastNameLength = name.Length;
            _lastCommand = command;
        }
        return command;
    }

    /// <summary>A write, or an EXEC of queued writes.</summary>
    private static bool IsWrite(CommandDefinition command, TransactionState transaction) =>
        command.IsWrite || (transaction.InMulti && command.Name == "exec" && transaction.Queued.Exists(static queued => queued.Command.IsWrite));

    /// <summary>Without the stale flag (or an EXEC queueing such a command): refused while the master link is down.</summary>
    private static bool DeniedWhileStale(CommandDefinition command, TransactionState transaction) =>
        (command.Flags & CommandFlags.Stale) == 0
        || (transaction.InMulti && command.Name == "exec" && transaction.Queued.Exists(static queued => (queued.Command.Flags & CommandFlags.Stale) == 0));

    private static bool RunsInsideMulti(CommandDefinition command) => command.Name is "exec" or "discard" or "multi" or "watch" or "quit" or "reset";

    private void RejectUnknown(CommandArguments args)
    {
        var shown = new StringBuilder();
        for (var i = 1; i < args.Count && shown.Length < 128; i++)
        {
            var text = Encoding.UTF8.GetString(args[i]);
            var room = 128 - shown.Length;
            shown.Append('\'').Append(text.Length > room ? text[..room] : text).Append("' ");
        }
        var name = CommandErrors.Truncate(Encoding.UTF8.GetString(args[0]));
        Reject(null, $"ERR unknown command '{name}', with args beginning with: {shown}");
    }

    /// <summary>A command refused before it ran: counted as rejected, and it aborts an open transaction.</summary>
    private void Reject(CommandDefinition? command, string error)
    {
        command?.RecordRejected();
        context.Error(error.Replace('\r', ' ').Replace('\n', ' '));
        context.Failed = false;
        if (context.Session.Transaction.InMulti)
        {
            context.Session.Transaction.Aborted = true;
        }
    }
}
