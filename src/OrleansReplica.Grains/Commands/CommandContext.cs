using System.Text;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Resp;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Commands;

/// <summary>
/// Everything a command handler works with: its arguments, the reply writer and the keyspace it
/// may touch. One instance per connection, reused for every command.
/// </summary>
public class CommandContext(RespWriter reply, KeyspaceAccess keyspace)
{
    public CommandArguments Args { get; set; } = null!;

    public CommandDefinition Command { get; set; } = null!;

    public RespWriter Reply { get; } = reply;

    public KeyspaceAccess Keyspace { get; } = keyspace;

    /// <summary>Set when the handler replied with an error (counted as a failed call).</summary>
    public bool Failed { get; set; }

    /// <summary>Runs the command's synchronous handler (see <see cref="RunAsync"/>).</summary>
    public void RunHandler()
    {
        var dirty = BeforeHandler();
        Command.Handler!(this);
        AfterHandler(dirty);
    }

    /// <summary>
    /// Runs the command's handler while its shard turns are held: a write first announces its keys
    /// (a running snapshot saves them before they change), and what changed is propagated afterwards.
    /// </summary>
    public ValueTask RunAsync()
    {
        if (Command.AsyncHandler is { } handler)
        {
            return RunAsync(handler);
        }
        RunHandler();
        return default;
    }

    /// <summary>Propagates the command verbatim even when it changed nothing (FLUSHALL, FLUSHDB on an empty database), as Redis forces.</summary>
    public void ForcePropagation() => _forcePropagation = true;

    /// <summary>The command is not propagated itself (EXEC: its commands were, inside MULTI/EXEC).</summary>
    public void PreventPropagation() => _preventPropagation = true;

    private bool _forcePropagation;
    private bool _preventPropagation;

    private async ValueTask RunAsync(AsyncCommandHandler handler)
    {
        var dirty = BeforeHandler();
        await handler(this);
        AfterHandler(dirty);
    }

    private long BeforeHandler()
    {
        var command = Command;
        if ((command.Flags & CommandFlags.Write) != 0 && command.TryGetKeyRange(Args.Count, out var first, out var last, out var step))
        {
            for (var i = first; i <= last; i += step)
            {
                Keyspace.BeforeWrite(Args[i]);
            }
        }
        _forcePropagation = false;
        _preventPropagation = false;
        _commandDb = Keyspace.Db;
        Keyspace.Propagation?.BeginCommand();
        return Keyspace.Dirty;
    }

    private int _commandDb;

    private void AfterHandler(long dirtyBefore)
    {
        if (Keyspace.Propagation is not { Active: true } propagation)
        {
            return;
        }
        if ((Keyspace.Dirty != dirtyBefore || _forcePropagation) && !_preventPropagation && !propagation.CommandRecorded)
        {
            propagation.AddVerbatim(_commandDb, Args);
        }
        propagation.Commit();
    }

    /// <summary>Writes an error reply.</summary>
    public virtual void Error(string message)
    {
        Failed = true;
        Reply.WriteError(message);
    }

    /// <summary>Case-insensitive comparison of argument <paramref name="index"/> with an upper-case ASCII word.</summary>
    public bool ArgIs(int index, string upperWord) => Ascii.EqualsIgnoreCase(Args[index], upperWord);

    /// <summary>The argument decoded as UTF-8 text (allocates: for error messages and admin commands).</summary>
    public string ArgText(int index) => Encoding.UTF8.GetString(Args[index]);

    /// <summary>Parses an integer argument, replying with Redis's error when it is not one.</summary>
    public bool TryGetInt64(int index, out long value, string error = CommandErrors.NotInteger)
    {
        if (RedisNumber.TryParseInt64(Args[index], out value))
        {
            return true;
        }
        Error(error);
        return false;
    }

    /// <summary>Parses a float argument, replying with Redis's error when it is not one.</summary>
    public bool TryGetDouble(int index, out double value)
    {
        if (RedisNumber.TryParseDouble(Args[index], out value))
        {
            return true;
        }
        Error(CommandErrors.NotFloat);
        return false;
    }

    /// <summary>Reads the string at <paramref name="key"/>; replies WRONGTYPE and returns false for another type.</summary>
    public bool TryReadString(ReadOnlySpan<byte> key, out RedisString? value)
    {
        var found = Keyspace.Read(key);
        return TryAsString(found, out value);
    }

    /// <summary>Finds the string at <paramref name="key"/> for a write; replies WRONGTYPE for another type.</summary>
    public bool TryFindString(ReadOnlySpan<byte> key, out RedisString? value) => TryAsString(Keyspace.Find(key), out value);

    private bool TryAsString(RedisValue? found, out RedisString? value)
    {
        value = found as RedisString;
        if (found is null || value is not null)
        {
            return true;
        }
        Error(CommandErrors.WrongType);
        return false;
    }
}
