using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Commands;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Benchmarks;

/// <summary>
/// The per-command server path without sockets: parse a pipelined batch of requests, dispatch each
/// through the command table and the shard grain's turn, write the replies. Reports time and bytes
/// allocated per command.
/// </summary>
[MemoryDiagnoser]
public class CommandPathBenchmarks
{
    private const int Batch = 100;

    private Silo _silo = null!;
    private CommandDispatcher _dispatcher = null!;
    private RespRequestReader _reader = null!;
    private CommandArguments _args = null!;
    private ArrayBufferWriter<byte> _output = null!;
    private ReadOnlyMemory<byte> _gets;
    private ReadOnlyMemory<byte> _sets;
    private ReadOnlyMemory<byte> _incrs;
    private ReadOnlyMemory<byte> _pings;

    [GlobalSetup]
    public void Setup()
    {
        var config = new ServerConfig();
        config.ApplyDirectives([("save", [""]), ("loglevel", ["warning"])]);
        _silo = new Silo(config, new RedisLog(Path.Combine(Path.GetTempPath(), "bench-silo.log"), LogLevel.Warning));
        _output = new ArrayBufferWriter<byte>(1 << 20);
        var session = new ClientSession(1, null, null, static () => { }) { Authenticated = true };
        var context = new ClientContext(_silo, session, new RespWriter(_output), new KeyspaceAccess(_silo.ShardMap));
        _dispatcher = new CommandDispatcher(context, new KeyspaceExecutor(_silo.Grains, _silo.ShardMap));
        _reader = new RespRequestReader();
        _args = new CommandArguments();
        _gets = Pipeline("GET", "key:000000000042", null);
        _sets = Pipeline("SET", "key:000000000042", "xxx");
        _incrs = Pipeline("INCR", "counter:000000000042", null);
        _pings = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n$4\r\nPING\r\n", Batch)));
        Run(_sets);
    }

    [GlobalCleanup]
    public void Cleanup() => _silo.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Ping() => Run(_pings);

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Get() => Run(_gets);

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Set() => Run(_sets);

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Incr() => Run(_incrs);

    private void Run(ReadOnlyMemory<byte> requests)
    {
        _output.ResetWrittenCount();
        var buffer = requests;
        // As a connection does with what one read brought.
        _dispatcher.BeginBatch();
        while (!buffer.IsEmpty)
        {
            _reader.TryRead(buffer, _args, out int consumed, out _);
            if (!_dispatcher.TryDispatch(_args, out var pending))
            {
                pending.AsTask().GetAwaiter().GetResult();
            }
            buffer = buffer[consumed..];
        }
        _dispatcher.EndBatch();
    }

    private static byte[] Pipeline(string command, string key, string? value)
    {
        var one = value is null
            ? $"*2\r\n${command.Length}\r\n{command}\r\n${key.Length}\r\n{key}\r\n"
            : $"*3\r\n${command.Length}\r\n{command}\r\n${key.Length}\r\n{key}\r\n${value.Length}\r\n{value}\r\n";
        return Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(one, Batch)));
    }
}
