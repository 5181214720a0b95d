using OrleansReplica.SnapshotBenchmark;

// load    --port P --keys N [--value-of KEY | --value-size 100]
//                                                     fill key:%012d with KEY's current value (else 'x's), pipelined
// pace    --port P --keys N --rate R [--connections 8] [--value-of KEY | --value-size 100]
//                                                     SET random key:%012d to that value at R writes/s until stopped
// header                                              prints the column names of measure's line
// measure --port P --pid PID --dir D --server NAME    one BGSAVE under the running load; prints one TSV line
//         [--round R] [--keys N] [--before SECONDS] [--trace FILE (every probe round trip)]
var options = new CommandLineOptions(args.Skip(1));
if (args.FirstOrDefault() == "header")
{
    Console.WriteLine(SnapshotMeasurement.Header);
    return 0;
}

string host = options.Get("host", "127.0.0.1");
int port = options.Int("port", null);
int keys = options.Int("keys", "1000000");
switch (args.FirstOrDefault())
{
    case "load":
        KeyspaceLoader.Load(host, port, keys, await ValueAsync());
        return 0;
    case "pace":
        PacedWriteLoad.Run(host, port, keys, await ValueAsync(), options.Double("rate", null), options.Int("connections", "8"));
        return 0;
    case "measure":
        var measurement = new MeasurementOptions(
            options.Get("server", null), options.Int("round", "1"), host, port,
            options.Int("pid", null), options.Get("dir", null), keys,
            TimeSpan.FromSeconds(options.Double("before", "4")),
            TimeSpan.FromMilliseconds(5), options.TryGet("trace", out var trace) ? trace : null);
        Console.WriteLine(await SnapshotMeasurement.RunAsync(measurement));
        return 0;
    default:
        Console.Error.WriteLine("usage: load|pace|measure --port P [options] (see Program.cs)");
        return 2;
}

// --value-of KEY: that key's current value; else --value-size 'x's.
async Task<byte[]> ValueAsync()
{
    if (options.TryGet("value-of", out var sample))
    {
        await using var connection = await OrleansReplica.Client.RedisConnection.ConnectAsync(host, port);
        var reply = await connection.ExecuteAsync("GET", sample);
        return (reply as OrleansReplica.Client.RespBulkString)?.Value ?? throw new InvalidOperationException($"GET {sample}: {reply}");
    }
    var value = new byte[options.Int("value-size", "100")];
    value.AsSpan().Fill((byte)'x');
    return value;
}
