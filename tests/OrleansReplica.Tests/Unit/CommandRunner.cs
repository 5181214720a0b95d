using System.Buffers;
using System.Text;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Tests.Unit;

/// <summary>
/// Runs keyspace command handlers directly, without a server: a keyspace of several shards whose
/// turns are all held, a fixed clock, and the raw reply of each command.
/// </summary>
internal sealed class CommandRunner
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly CommandContext _context;
    private readonly CommandTable _table = CommandTable.FromRedisMetadata();
    private readonly RespRequestReader _reader = new();

    public CommandRunner(int shardCount, long nowMs, params Action<CommandTable>[] registrations)
    {
        Shards = Enumerable.Range(0, shardCount).Select(i => new ShardKeyspace(i, 16)).ToArray();
        Access = new KeyspaceAccess(new ShardMap(shardCount)) { NowMs = nowMs };
        foreach (var shard in Shards)
        {
            Access.Hold(shard);
        }
        _context = new CommandContext(new RespWriter(_output), Access);
        foreach (var register in registrations)
        {
            register(_table);
        }
    }

    public ShardKeyspace[] Shards { get; }

    public KeyspaceAccess Access { get; }

    public long ExpiredKeys => Shards.Sum(shard => shard.Stats.ExpiredKeys);

    public long KeyspaceHits => Shards.Sum(shard => shard.Stats.KeyspaceHits);

    public long KeyspaceMisses => Shards.Sum(shard => shard.Stats.KeyspaceMisses);

    public RedisValue? Find(string key) => Access.Find(Encoding.UTF8.GetBytes(key));

    public void Store(string key, RedisValue value) => Access.Set(Encoding.UTF8.GetBytes(key), value);

    public FlagWatcher Watch(int db, string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var watcher = new FlagWatcher();
        Shards[Access.Map.ShardOf(bytes)].Watches(db).Watch(bytes, watcher);
        return watcher;
    }

    public string Execute(string inlineCommand)
    {
        Invoke(Prepare(inlineCommand));
        return Encoding.UTF8.GetString(_output.WrittenSpan);
    }

    /// <summary>Parses and resolves a command once, so that <see cref="Invoke"/> can run it repeatedly.</summary>
    public (CommandArguments Args, CommandDefinition Command) Prepare(string inlineCommand)
    {
        var args = new CommandArguments();
        var request = Encoding.UTF8.GetBytes(inlineCommand + "\r\n");
        var status = _reader.TryRead(request, args, out _, out var error);
        Assert.True(status == RespParseStatus.Complete, error);
        var command = _table.Find(args[0]);
        Assert.NotNull(command);
        if (command.Subcommands is not null)
        {
            command = _table.FindSubcommand(command, args[1]);
            Assert.NotNull(command);
        }
        Assert.True(command.AcceptsArgumentCount(args.Count), inlineCommand);
        return (args, command);
    }

    public void Invoke((CommandArguments Args, CommandDefinition Command) prepared)
    {
        _output.ResetWrittenCount();
        _context.Args = prepared.Args;
        _context.Command = prepared.Command;
        _context.Failed = false;
        prepared.Command.Handler!(_context);
    }

    /// <summary>Runs a SCAN and splits its reply into the next cursor and the keys.</summary>
    public (string Cursor, string[] Keys) Scan(string inlineCommand)
    {
        var lines = Execute(inlineCommand).Split("\r\n");
        Assert.Equal("*2", lines[0]);
        var cursor = lines[2];
        var count = int.Parse(lines[3][1..]);
        var keys = Enumerable.Range(0, count).Select(i => lines[5 + 2 * i]).ToArray();
        return (cursor, keys);
    }
}

/// <summary>A value of a type other than string, standing in for lists, sets and hashes.</summary>
internal sealed class OtherTypeValue : RedisValue
{
    public override RedisType Type => RedisType.List;

    public override string EncodingName => "listpack";

    public override RedisValue Clone() => new OtherTypeValue();
}

/// <summary>Records whether a watched key was modified.</summary>
internal sealed class FlagWatcher : IKeyWatcher
{
    public bool Modified { get; private set; }

    public void OnWatchedKeyModified() => Modified = true;
}
