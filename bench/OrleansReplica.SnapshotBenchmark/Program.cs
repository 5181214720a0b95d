using System.Globalization;
using OrleansReplica.SnapshotBenchmark;

// load    --port P --keys N [--value-of KEY | --value-size 100]
//                                                     fill key:%012d with KEY's current value (else 'x's), pipelined
// header                                              prints the column names of measure's line
// measure --port P --pid PID --dir D --server NAME    one BGSAVE under the running load; prints one TSV line
//         [--round R] [--keys N] [--before SECONDS] [--trace FILE (every probe round trip)]
var options = ParseOptions(args.Skip(1));
if (args.FirstOrDefault() == "header")
{
    Console.WriteLine(SnapshotMeasurement.Header);
    return 0;
}

string host = Get("host", "127.0.0.1");
int port = int.Parse(Get("port", null), CultureInfo.InvariantCulture);
int keys = int.Parse(Get("keys", "1000000"), CultureInfo.InvariantCulture);
switch (args.FirstOrDefault())
{
    case "load":
        byte[] value;
        if (options.TryGetValue("value-of", out var sample))
        {
            await using var connection = await OrleansReplica.Client.RedisConnection.ConnectAsync(host, port);
            var reply = await connection.ExecuteAsync("GET", sample);
            value = (reply as OrleansReplica.Client.RespBulkString)?.Value ?? throw new InvalidOperationException($"GET {sample}: {reply}");
        }
        else
        {
            value = new byte[int.Parse(Get("value-size", "100"), CultureInfo.InvariantCulture)];
            value.AsSpan().Fill((byte)'x');
        }

        KeyspaceLoader.Load(host, port, keys, value);
        return 0;
    case "measure":
        var measurement = new MeasurementOptions(
            Get("server", null), int.Parse(Get("round", "1"), CultureInfo.InvariantCulture), host, port,
            int.Parse(Get("pid", null), CultureInfo.InvariantCulture), Get("dir", null), keys,
            TimeSpan.FromSeconds(double.Parse(Get("before", "4"), CultureInfo.InvariantCulture)),
            TimeSpan.FromMilliseconds(5), options.GetValueOrDefault("trace"));
        Console.WriteLine(await SnapshotMeasurement.RunAsync(measurement));
        return 0;
    default:
        Console.Error.WriteLine("usage: load|measure --port P [options] (see Program.cs)");
        return 2;
}

string Get(string name, string? fallback) =>
    options.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

static Dictionary<string, string> ParseOptions(IEnumerable<string> args)
{
    var result = new Dictionary<string, string>();
    string? name = null;
    foreach (var arg in args)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            name = arg[2..];
            result[name] = "";
        }
        else if (name is not null)
        {
            result[name] = arg;
            name = null;
        }
    }

    return result;
}
