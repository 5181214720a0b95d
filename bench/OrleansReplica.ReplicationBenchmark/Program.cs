using System.Globalization;
using OrleansReplica.ReplicationBenchmark;
using OrleansReplica.SnapshotBenchmark;

// load      --port P --keys N [--value-size 100]      fill key:%012d with 'x' values, pipelined
// header    fullsync|writeload                         prints the column names of that command's line
// fullsync  --server NAME --master P --master-pid PID --replica P --replica-pid PID [--round R] [--replica-number K]
//                                                      REPLICAOF on the empty replica, time until in sync; one TSV line
// writeload --server NAME --master P --master-pid PID [--replicas P:PID,P:PID] [--round R]
//           [--clients 50] [--requests 1000000] [--pipeline 16] [--value-size 100] [--keyspace 1000000] [--sample-ms 10]
//                                                      redis-benchmark SET with replica lag sampling; one TSV line
var options = ParseOptions(args.Skip(1));
string host = Get("host", "127.0.0.1");
switch (args.FirstOrDefault())
{
    case "header":
        Console.WriteLine(args.ElementAtOrDefault(1) == "fullsync" ? FullSyncMeasurement.Header : WriteLoadMeasurement.Header);
        return 0;
    case "load":
        var value = new byte[Int("value-size", "100")];
        value.AsSpan().Fill((byte)'x');
        KeyspaceLoader.Load(host, Int("port", null), Int("keys", "1000000"), value);
        return 0;
    case "fullsync":
        Console.WriteLine(await FullSyncMeasurement.RunAsync(new FullSyncOptions(
            Get("server", null), Int("round", "1"), Int("replica-number", "1"), host,
            Int("master", null), Int("master-pid", "0"), Int("replica", null), Int("replica-pid", "0"))));
        return 0;
    case "writeload":
        var replicas = Get("replicas", "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.Split(':'))
            .Select(r => (int.Parse(r[0], CultureInfo.InvariantCulture), r.Length > 1 ? int.Parse(r[1], CultureInfo.InvariantCulture) : 0))
            .ToArray();
        Console.WriteLine(await WriteLoadMeasurement.RunAsync(new WriteLoadOptions(
            Get("server", null), Int("round", "1"), host, Int("master", null), Int("master-pid", "0"), replicas,
            Int("clients", "50"), Int("requests", "1000000"), Int("pipeline", "16"), Int("value-size", "100"),
            Int("keyspace", "1000000"), TimeSpan.FromMilliseconds(Int("sample-ms", "10")))));
        return 0;
    default:
        Console.Error.WriteLine("usage: load|fullsync|writeload|header [options] (see Program.cs)");
        return 2;
}

string Get(string name, string? fallback) =>
    options.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

int Int(string name, string? fallback) => int.Parse(Get(name, fallback), CultureInfo.InvariantCulture);

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
