using System.Buffers;
using System.Text;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Commands;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Tests.Unit;

/// <summary>
/// The per-command path (parse, table lookup, checks, shard turn, handler, reply) allocates nothing
/// for GET, SET on an existing key, INCR and MGET once warm.
/// </summary>
public sealed class HotPathAllocationTests : IAsyncLifetime
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 16);
    private readonly RespRequestReader _reader = new();
    private readonly CommandArguments _args = new();
    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"alloc-{Guid.NewGuid():N}.log");
    private Silo _silo = null!;
    private CommandDispatcher _dispatcher = null!;

    public Task InitializeAsync()
    {
        var config = new ServerConfig();
        // hz 1: the shards' expiry timer takes their turns as rarely as possible (see the measurement).
        config.ApplyDirectives([("save", [""]), ("shards", ["4"]), ("hz", ["1"])]);
        _silo = new Silo(config, new RedisLog(_logFile, LogLevel.Warning));
        var session = new ClientSession(1, null, null, static () => { }) { Authenticated = true };
        var context = new ClientContext(_silo, session, new RespWriter(_output), new KeyspaceAccess(_silo.ShardMap));
        _dispatcher = new CommandDispatcher(context, new KeyspaceExecutor(_silo.Grains, _silo.ShardMap));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        File.Delete(_logFile);
    }

    [Theory]
    [InlineData("*2\r\n$3\r\nGET\r\n$6\r\nkey:42\r\n")]
    [InlineData("*3\r\n$3\r\nSET\r\n$6\r\nkey:42\r\n$5\r\nvalue\r\n")]
    [InlineData("*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n")]
    [InlineData("*3\r\n$4\r\nMGET\r\n$6\r\nkey:42\r\n$6\r\nkey:43\r\n")]
    [InlineData("*1\r\n$4\r\nPING\r\n")]
    public void Warm_command_allocates_nothing(string request)
    {
        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(request, 100)));
        Run(Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$6\r\nkey:42\r\n$5\r\nvalue\r\n*3\r\n$3\r\nSET\r\n$6\r\nkey:43\r\n$5\r\nvalue\r\n"));
        for (var i = 0; i < 20; i++)
        {
            Run(batch);
        }
        // A shard's expiry timer may hold its turn at the very moment a command wants it; that command
        // then waits asynchronously (and allocates), which is correct. The path under test is the
        // uncontended one: of a few measured rounds, one must allocate nothing at all.
        var allocated = long.MaxValue;
        for (var attempt = 0; attempt < 3 && allocated != 0; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                Run(batch);
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, allocated);
        Assert.DoesNotContain((byte)'-', _output.WrittenSpan.ToArray().Take(1));
    }

    private void Run(ReadOnlyMemory<byte> requests)
    {
        _output.ResetWrittenCount();
        while (!requests.IsEmpty)
        {
            // A plain check: xunit's Assert.Equal itself allocates.
            if (_reader.TryRead(requests, _args, out int consumed, out _) != RespParseStatus.Complete)
            {
                Assert.Fail("the request did not parse");
            }
            var pending = _dispatcher.DispatchAsync(_args);
            if (!pending.IsCompletedSuccessfully)
            {
                // Only the first call to a shard waits (its activation); measured runs never do.
                pending.AsTask().GetAwaiter().GetResult();
            }
            requests = requests[consumed..];
        }
    }
}
