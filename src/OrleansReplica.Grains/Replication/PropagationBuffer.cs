using System.Buffers;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Grains.Replication;

/// <summary>
/// The propagated form of the command a connection is running: the commands replicas and the AOF
/// must apply to reach the same data, as Redis 7.0 propagates them (DEL for keys found expired,
/// absolute expire times instead of relative ones, ...). More than one is wrapped in MULTI/EXEC.
/// One per connection; handed to the <see cref="PropagationLog"/> while the command's turns are held.
/// </summary>
public sealed class PropagationBuffer(PropagationLog log)
{
    /// <summary>The MULTI that opens a transaction's propagated commands.</summary>
    public static ReadOnlySpan<byte> Multi => "*1\r\n$5\r\nMULTI\r\n"u8;
    private static readonly byte[] Exec = "*1\r\n$4\r\nEXEC\r\n"u8.ToArray();

    private readonly ArrayBufferWriter<byte> _bytes = new(256);
    private readonly List<(int Db, int Start, int Length)> _commands = [];
    private int _commandDb;
    private int _commandStart = -1;
    private int _transactions;

    /// <summary>False when nobody consumes writes: nothing needs to be recorded.</summary>
    public bool Active => log.HasSinks;

    /// <summary>How many times commands were handed to the log (a connection compares it around a batch).</summary>
    public long Commits { get; private set; }

    /// <summary>True once the running command recorded its own propagated form (no verbatim copy then).</summary>
    public bool CommandRecorded { get; private set; }

    /// <summary>Called before a command runs.</summary>
    public void BeginCommand() => CommandRecorded = false;

    /// <summary>Records the command verbatim (a write that needs no rewriting).</summary>
    public void AddVerbatim(int db, CommandArguments arguments)
    {
        var start = _bytes.WrittenCount;
        RespCommandWriter.WriteCommand(_bytes, arguments);
        _commands.Add((db, start, _bytes.WrittenCount - start));
        CommandRecorded = true;
    }

    /// <summary>A command already in its propagated form (a replica re-recording what its master sent).</summary>
    public void AddRaw(int db, ReadOnlySpan<byte> command)
    {
        var start = _bytes.WrittenCount;
        _bytes.Write(command);
        _commands.Add((db, start, command.Length));
        CommandRecorded = true;
    }

    /// <summary>DEL of a key found expired (before the command that found it).</summary>
    public void AddDelete(int db, ReadOnlySpan<byte> key)
    {
        var start = _bytes.WrittenCount;
        RespCommandWriter.WriteArrayHeader(_bytes, 2);
        RespCommandWriter.WriteBulk(_bytes, "DEL"u8);
        RespCommandWriter.WriteBulk(_bytes, key);
        _commands.Add((db, start, _bytes.WrittenCount - start));
    }

    /// <summary>Starts the rewritten form of the running command (or an extra command): the name, then <see cref="Argument(ReadOnlySpan{byte})"/> for the rest.</summary>
    public void StartCommand(int db, int argumentCount, ReadOnlySpan<byte> name)
    {
        _commandDb = db;
        _commandStart = _bytes.WrittenCount;
        RespCommandWriter.WriteArrayHeader(_bytes, argumentCount);
        RespCommandWriter.WriteBulk(_bytes, name);
    }

    public void Argument(ReadOnlySpan<byte> value) => RespCommandWriter.WriteBulk(_bytes, value);

    public void Argument(long value) => RespCommandWriter.WriteBulk(_bytes, value);

    public void EndCommand()
    {
        _commands.Add((_commandDb, _commandStart, _bytes.WrittenCount - _commandStart));
        _commandStart = -1;
        CommandRecorded = true;
    }

    /// <summary>True between <see cref="BeginTransaction"/> and its <see cref="EndTransaction"/>.</summary>
    public bool InTransaction => _transactions > 0;

    /// <summary>EXEC: the queued commands' propagated forms are kept together until <see cref="EndTransaction"/>.</summary>
    public void BeginTransaction() => _transactions++;

    public void EndTransaction()
    {
        _transactions--;
        Commit();
    }

    /// <summary>Hands what was recorded to the log (unless inside a transaction) and starts afresh.</summary>
    public void Commit()
    {
        if (_transactions > 0 || _commands.Count == 0)
        {
            return;
        }
        log.Append(this);
        Commits++;
        _commands.Clear();
        _bytes.ResetWrittenCount();
    }

    /// <summary>Called by the log under its lock: a single command as is, several inside MULTI/EXEC.</summary>
    internal void CopyTo(IPropagationSink sink)
    {
        var wrap = _commands.Count > 1;
        if (wrap)
        {
            // MULTI takes the first command's database, so a SELECT it needs comes before MULTI (as Redis writes it).
            sink.Append(_commands[0].Db, Multi);
        }
        var bytes = _bytes.WrittenSpan;
        foreach (var (db, start, length) in _commands)
        {
            sink.Append(db, bytes.Slice(start, length));
        }
        if (wrap)
        {
            sink.Append(-1, Exec);
        }
    }
}
