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
var options = new CommandLineOptions(args.Skip(1));
string host = options.Get("host", "127.0.0.1");
switch (args.FirstOrDefault())
{
    case "header":
        Console.WriteLine(args.ElementAtOrDefault(1) == "fullsync" ? FullSyncMeasurement.Header : WriteLoadMeasurement.Header);
        return 0;
    case "load":
        var value = new byte[options.Int("value-size", "100")];
        value.AsSpan().Fill((byte)'x');
        KeyspaceLoader.Load(host, options.Int("port", null), options.Int("keys", "1000000"), value);
        return 0;
    case "fullsync":
        Console.WriteLine(await FullSyncMeasurement.RunAsync(new FullSyncOptions(
            options.Get("server", null), options.Int("round", "1"), options.Int("replica-number", "1"), host,
            options.Int("master", null), options.Int("master-pid", "0"), options.Int("replica", null), options.Int("replica-pid", "0"))));
        return 0;
    case "writeload":
        var replicas = options.Get("replicas", "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.Split(':'))
            .Select(r => (int.Parse(r[0], CultureInfo.InvariantCulture), r.Length > 1 ? int.Parse(r[1], CultureInfo.InvariantCulture) : 0))
            .ToArray();
        Console.WriteLine(await WriteLoadMeasurement.RunAsync(new WriteLoadOptions(
            options.Get("server", null), options.Int("round", "1"), host, options.Int("master", null), options.Int("master-pid", "0"), replicas,
            options.Int("clients", "50"), options.Int("requests", "1000000"), options.Int("pipeline", "16"), options.Int("value-size", "100"),
            options.Int("keyspace", "1000000"), TimeSpan.FromMilliseconds(options.Int("sample-ms", "10")))));
        return 0;
    default:
        Console.Error.WriteLine("usage: load|fullsync|writeload|header [options] (see Program.cs)");
        return 2;
}
