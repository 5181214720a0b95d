using System.Buffers;
using System.Text;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Commands.Introspection;
using OrleansReplica.Grains.Commands.Metadata;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Tests.Unit;

public class CommandTableTests
{
    // Replies captured from redis-server 7.0.15 (HELLO 3 first for the RESP3 ones).
    private const string InfoGetResp2 =
        "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
        "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
        "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

    private const string InfoGetResp3 =
        "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n" +
        "~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n" +
        "$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n";

    private const string DocsGetResp2 =
        "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n" +
        "$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n";

    private const string DocsGetResp3 =
        "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n" +
        "$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n";

    private const string InfoConfigGetResp2 =
        "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n" +
        "*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n";

    private const string InfoMsetResp3 =
        "*1\r\n*10\r\n$4\r\nmset\r\n:-3\r\n~2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n~3\r\n+@write\r\n+@string\r\n+@slow\r\n" +
        "~2\r\n$26\r\nrequest_policy:multi_shard\r\n$29\r\nresponse_policy:all_succeeded\r\n" +
        "~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n" +
        "$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n~0\r\n";

    private const string GetKeysAndFlagsSetGetResp3 = "*1\r\n*2\r\n$1\r\nk\r\n~3\r\n+RW\r\n+access\r\n+update\r\n";

    // COMMAND INFO object (RESP2), cut into the container's own fields and one entry per subcommand.
    private const string ObjectInfoHead =
        "*1\r\n*10\r\n$6\r\nobject\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n";

    private const string ObjectEncoding = "*10\r\n$15\r\nobject|encoding\r\n" + ObjectKeyedSubcommandTail;

    private const string ObjectFreq = "*10\r\n$11\r\nobject|freq\r\n" + ObjectKeyedSubcommandTail;

    private const string ObjectIdletime = "*10\r\n$15\r\nobject|idletime\r\n" + ObjectKeyedSubcommandTail;

    private const string ObjectRefcount = "*10\r\n$15\r\nobject|refcount\r\n" + ObjectKeyedSubcommandTail;

    private const string ObjectHelp =
        "*10\r\n$11\r\nobject|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@keyspace\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n";

    private const string ObjectKeyedSubcommandTail =
        ":3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n" +
        "*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n" +
        "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

    private static readonly CommandHandler Ok = static c => c.Reply.WriteOk();

    [Fact]
    public void LoadsEveryRedisCommandAndSubcommand()
    {
        var table = CommandTable.FromRedisMetadata();

        Assert.Equal(240, table.Metadata.Commands.Count);
        // Redis 7.0's 126 subcommands, plus CLIENT SETINFO (7.2) that clients send on connect.
        Assert.Equal(127, table.Metadata.Commands.Sum(c => c.Subcommands.Count));
        Assert.NotNull(table.Metadata.Find("client|setinfo"));
        Assert.Contains("7.0", table.Metadata.Source);
        Assert.Empty(table.Commands);
    }

    [Fact]
    public void FindIsCaseInsensitive()
    {
        var table = CommandTable.FromRedisMetadata();
        table.Handle("get", Ok);
        table.Handle("CONFIG|Get", Ok);

        var get = table.Find("get"u8);
        Assert.NotNull(get);
        Assert.Same(get, table.Find("GET"u8));
        Assert.Same(get, table.Find("gEt"u8));
        Assert.Null(table.Find("gets"u8));
        Assert.Null(table.Find("ge"u8));
        Assert.Null(table.Find("g\u00e9t"u8));

        var config = table.Find("Config"u8)!;
        var configGet = table.FindSubcommand(config, "GET"u8);
        Assert.Equal("config|get", configGet!.Name);
        Assert.Same(config, configGet.Container);
    }

    [Fact]
    public void FindDoesNotAllocate()
    {
        var table = CommandTable.FromRedisMetadata();
        table.Handle("get", Ok);
        table.Handle("config|get", Ok);
        var config = table.Find("config"u8)!;
        for (var i = 0; i < 10; i++)
        {
            Lookups(table, config);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Lookups(table, config);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void Lookups(CommandTable table, CommandDefinition config)
        {
            _ = table.Find("GET"u8);
            _ = table.Find("get"u8);
            _ = table.Find("nosuchcommand"u8);
            _ = table.Find("set"u8);
            _ = table.FindSubcommand(config, "Get"u8);
            _ = table.FindSubcommand(config, "set"u8);
        }
    }

    [Theory]
    [InlineData("get", 2, CommandFlags.ReadOnly | CommandFlags.Fast, 1, 1, 1)]
    [InlineData("set", -3, CommandFlags.Write | CommandFlags.DenyOom, 1, 1, 1)]
    [InlineData("mset", -3, CommandFlags.Write | CommandFlags.DenyOom, 1, -1, 2)]
    [InlineData("bitop", -4, CommandFlags.Write | CommandFlags.DenyOom, 2, -1, 1)]
    [InlineData("rename", 3, CommandFlags.Write, 1, 2, 1)]
    [InlineData("copy", -3, CommandFlags.Write | CommandFlags.DenyOom, 1, 2, 1)]
    [InlineData("object|encoding", 3, CommandFlags.ReadOnly, 2, 2, 1)]
    [InlineData("config|get", -3, CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0)]
    [InlineData("eval", -3, CommandFlags.NoScript | CommandFlags.Stale | CommandFlags.SkipMonitor | CommandFlags.NoMandatoryKeys | CommandFlags.MovableKeys, 0, 0, 0)]
    public void RowsCarryRedisArityFlagsAndKeyPositions(string name, int arity, CommandFlags flags, int first, int last, int step)
    {
        var table = CommandTable.FromRedisMetadata();
        table.Handle(name, Ok);

        var row = Lookup(table, name)!;

        Assert.Equal(name, row.Name);
        Assert.Equal(arity, row.Arity);
        Assert.Equal(flags, row.Flags);
        Assert.Equal((first, last, step), (row.FirstKey, row.LastKey, row.KeyStep));
        Assert.Equal(first > 0 ? KeyScope.Keys : KeyScope.None, row.Scope);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, row.Metadata.ValueKind);
    }

    [Fact]
    public void ExplicitScopeWinsAndKeyRangeFollowsRedis()
    {
        var table = CommandTable.FromRedisMetadata();
        table.Handle("mset", Ok);
        table.Handle("keys", Ok, KeyScope.AllShards);

        Assert.Equal(KeyScope.AllShards, table.Find("keys"u8)!.Scope);
        Assert.True(table.Find("mset"u8)!.TryGetKeyRange(5, out var first, out var last, out var step));
        Assert.Equal((1, 4, 2), (first, last, step)); // MSET k v k v: keys at 1 and 3
    }

    [Fact]
    public void RowsWithoutHandlersAreInvisible()
    {
        var table = CommandTable.FromRedisMetadata();
        Assert.Null(table.Find("get"u8));
        Assert.Null(table.Find("config"u8));

        table.Handle("config|get", Ok);
        var config = table.Find("config"u8);

        Assert.NotNull(config);
        Assert.Null(table.Find("get"u8));
        Assert.NotNull(table.FindSubcommand(config!, "get"u8));
        Assert.Null(table.FindSubcommand(config!, "set"u8));
        Assert.Equal(["config"], table.Commands.Select(c => c.Name));
        Assert.Throws<ArgumentException>(() => table.Handle("nosuch", Ok));
        Assert.Throws<ArgumentException>(() => table.Handle("config|nosuch", Ok));
    }

    [Fact]
    public void ResetStatsClearsEveryRow()
    {
        var table = CommandTable.FromRedisMetadata();
        table.Handle("get", Ok);
        table.Handle("config|get", Ok);
        var get = table.Find("get"u8)!;
        var configGet = table.FindSubcommand(table.Find("config"u8)!, "get"u8)!;
        get.RecordCall(TimeSpan.FromMicroseconds(5));
        configGet.RecordFailed();

        table.ResetStats();

        Assert.Equal((0, 0, 0), (get.Calls, get.Microseconds, configGet.FailedCalls));
    }

    [Theory]
    [InlineData(RespProtocol.Resp2, "COMMAND INFO get", InfoGetResp2)]
    [InlineData(RespProtocol.Resp3, "COMMAND INFO GET", InfoGetResp3)]
    [InlineData(RespProtocol.Resp2, "COMMAND DOCS get", DocsGetResp2)]
    [InlineData(RespProtocol.Resp3, "COMMAND DOCS Get", DocsGetResp3)]
    [InlineData(RespProtocol.Resp2, "COMMAND INFO config|get", InfoConfigGetResp2)]
    [InlineData(RespProtocol.Resp3, "COMMAND INFO mset", InfoMsetResp3)]
    [InlineData(RespProtocol.Resp3, "COMMAND GETKEYSANDFLAGS set k v GET", GetKeysAndFlagsSetGetResp3)]
    public void RepliesAreRedisBytes(RespProtocol protocol, string request, string expected)
    {
        var table = HandledTable("get", "set", "mset", "config|get");

        Assert.Equal(expected, Execute(table, protocol, request));
    }

    [Fact]
    public void ContainerListsOnlyHandledSubcommands()
    {
        var table = HandledTable("object|encoding");
        Assert.Equal(ObjectInfoHead + "*1\r\n" + ObjectEncoding, Execute(table, RespProtocol.Resp2, "COMMAND INFO object"));

        // With every subcommand handled the reply is Redis's, subcommands in name order (Redis uses its hash-table order).
        foreach (var sub in new[] { "object|freq", "object|help", "object|idletime", "object|refcount" })
        {
            table.Handle(sub, Ok);
        }
        Assert.Equal(
            ObjectInfoHead + "*5\r\n" + ObjectEncoding + ObjectFreq + ObjectHelp + ObjectIdletime + ObjectRefcount,
            Execute(table, RespProtocol.Resp2, "COMMAND INFO object"));
    }

    [Fact]
    public void InfoAndDocsCoverHandledCommandsOnly()
    {
        var table = HandledTable("get");

        Assert.Equal(InfoGetResp2.Replace("*1\r\n*10", "*3\r\n*10") + "$-1\r\n$-1\r\n", Execute(table, RespProtocol.Resp2, "COMMAND INFO get set nosuch"));
        Assert.EndsWith("_\r\n", Execute(table, RespProtocol.Resp3, "COMMAND INFO set"));
        Assert.Equal(DocsGetResp3, Execute(table, RespProtocol.Resp3, "COMMAND DOCS get set nosuch"));
        Assert.StartsWith("%2\r\n$7\r\ncommand\r\n", Execute(table, RespProtocol.Resp3, "COMMAND DOCS"));
        Assert.EndsWith(DocsGetResp3[4..], Execute(table, RespProtocol.Resp3, "COMMAND DOCS"));
        Assert.Equal(":2\r\n", Execute(table, RespProtocol.Resp2, "COMMAND COUNT"));
        Assert.StartsWith("*2\r\n*10\r\n$7\r\ncommand\r\n", Execute(table, RespProtocol.Resp2, "COMMAND"));
        Assert.EndsWith(InfoGetResp2[4..], Execute(table, RespProtocol.Resp2, "COMMAND"));
    }

    [Theory]
    [InlineData("COMMAND GETKEYS nosuch a", "-ERR Invalid command specified\r\n")]
    [InlineData("COMMAND GETKEYS set a", "-ERR Invalid command specified\r\n")] // not handled, so unknown here
    [InlineData("COMMAND GETKEYS config nosuch x", "-ERR Invalid command specified\r\n")]
    [InlineData("COMMAND GETKEYS get a b", "-ERR Invalid number of arguments specified for command\r\n")]
    [InlineData("COMMAND GETKEYS config get", "-ERR The command has no key arguments\r\n")]
    [InlineData("COMMAND GETKEYS mset a 1 b 2", "*2\r\n$1\r\na\r\n$1\r\nb\r\n")]
    [InlineData("COMMAND GETKEYS zunionstore d 0 a", "-ERR Invalid arguments specified for command\r\n")]
    [InlineData("COMMAND GETKEYS eval s 0", "*0\r\n")]
    [InlineData("COMMAND GETKEYS sort k limit 0 1 store d", "*2\r\n$1\r\nk\r\n$1\r\nd\r\n")]
    [InlineData("COMMAND GETKEYSANDFLAGS mset a 1", "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n")]
    public void GetKeysAnswersAsRedis(string request, string expected)
    {
        var table = HandledTable("get", "mset", "config|get", "zunionstore", "eval", "sort");

        Assert.Equal(expected, Execute(table, RespProtocol.Resp2, request));
    }

    [Fact]
    public void ListFiltersHandledCommands()
    {
        var table = HandledTable("get", "config|get", "config|set", "pfadd");

        Assert.Equal("*3\r\n$10\r\nconfig|get\r\n$10\r\nconfig|set\r\n$3\r\nget\r\n", Execute(table, RespProtocol.Resp2, "COMMAND LIST FILTERBY PATTERN *E*T"));
        Assert.Equal("*1\r\n$5\r\npfadd\r\n", Execute(table, RespProtocol.Resp2, "COMMAND LIST FILTERBY ACLCAT HyperLogLog"));
        Assert.Equal("*0\r\n", Execute(table, RespProtocol.Resp2, "COMMAND LIST FILTERBY MODULE x"));
        Assert.Equal("-ERR syntax error\r\n", Execute(table, RespProtocol.Resp2, "COMMAND LIST FILTERBY ACLCAT"));
    }

    private static CommandTable HandledTable(params string[] names)
    {
        var table = CommandTable.FromRedisMetadata();
        CommandCommand.Register(table);
        foreach (var name in names)
        {
            table.Handle(name, Ok);
        }
        return table;
    }

    private static CommandDefinition? Lookup(CommandTable table, string name)
    {
        var parts = name.Split('|');
        var row = table.Find(Encoding.ASCII.GetBytes(parts[0]));
        return parts.Length == 1 || row is null ? row : table.FindSubcommand(row, Encoding.ASCII.GetBytes(parts[1]));
    }

    /// <summary>Runs one space-separated request through the table as the server's dispatcher does.</summary>
    private static string Execute(CommandTable table, RespProtocol protocol, string request)
    {
        var words = request.Split(' ');
        var frame = new StringBuilder($"*{words.Length}\r\n");
        foreach (var word in words)
        {
            frame.Append($"${word.Length}\r\n{word}\r\n");
        }
        var args = new CommandArguments();
        Assert.Equal(RespParseStatus.Complete, new RespRequestReader().TryRead(Encoding.ASCII.GetBytes(frame.ToString()), args, out _, out _));
        var output = new ArrayBufferWriter<byte>();
        var context = new CommandContext(new RespWriter(output) { Protocol = protocol }, new KeyspaceAccess(new ShardMap(1))) { Args = args };
        var command = table.Find(args[0])!;
        if (command.Subcommands is not null && args.Count > 1)
        {
            command = table.FindSubcommand(command, args[1])!;
        }
        Assert.True(command.AcceptsArgumentCount(args.Count), request);
        context.Command = command;
        command.Handler!(context);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
