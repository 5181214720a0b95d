using System.Diagnostics;
using System.Globalization;
using OrleansReplica.Client;

namespace OrleansReplica.ReplicationBenchmark;

/// <summary>One redis-benchmark SET run against a master with its replicas (possibly none) attached.</summary>
internal sealed record WriteLoadOptions(
    string Server, int Round, string Host, int MasterPort, int MasterPid, IReadOnlyList<(int Port, int Pid)> Replicas,
    int Clients, int Requests, int Pipeline, int ValueSize, int Keyspace, TimeSpan SampleInterval);

/// <summary>
/// Runs redis-benchmark -t set against the master and, while it runs, samples INFO replication of the master and of
/// every replica at once every ~10 ms: lag = master_repl_offset − slave_repl_offset, in bytes. After the benchmark
/// exits, polls every 2 ms until every replica's offset equals the master's (the catch-up time), then compares
/// DEBUG DIGEST of master and replicas.
/// </summary>
internal static class WriteLoadMeasurement
{
    /// <summary>Column names of the tab-separated line <see cref="RunAsync"/> prints.</summary>
    public const string Header =
        "server\tround\treplicas\tpipeline\trequests\tops_s\tsamples\tr1_max_B\tr1_mean_B\tr2_max_B\tr2_mean_B\tend_lag_B\tcatchup_s\tlink_down\tmaster_cpu_s\treplica_cpu_s\tbench_s\tdigest\tmode";

    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(120);

    public static async Task<string> RunAsync(WriteLoadOptions options)
    {
        await using var master = await RedisConnection.ConnectAsync(options.Host, options.MasterPort);
        var replicas = new RedisConnection[options.Replicas.Count];
        for (int i = 0; i < replicas.Length; i++)
        {
            replicas[i] = await RedisConnection.ConnectAsync(options.Host, options.Replicas[i].Port);
            replicas[i].Timeout = TimeSpan.FromSeconds(60);
        }

        master.Timeout = TimeSpan.FromSeconds(60);
        try
        {
            return await MeasureAsync(options, master, replicas);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    private static async Task<string> MeasureAsync(WriteLoadOptions options, RedisConnection master, RedisConnection[] replicas)
    {
        int n = replicas.Length;
        var maxLag = new long[n];
        var sumLag = new double[n];
        int samples = 0, linkDown = 0;
        bool reported = true;
        double masterCpu = CpuTime.Seconds(options.MasterPid);
        double replicaCpu = options.Replicas.Sum(r => CpuTime.Seconds(r.Pid));

        using var bench = StartBenchmark(options);
        long benchStarted = Stopwatch.GetTimestamp();
        var output = bench.StandardOutput.ReadToEndAsync();
        var errors = bench.StandardError.ReadToEndAsync();
        while (!bench.HasExited)
        {
            if (n > 0)
            {
                var (masterOffset, progress) = await SampleAsync(master, replicas);
                for (int i = 0; i < n; i++)
                {
                    long lag = Math.Max(0, masterOffset - progress[i].Offset);
                    maxLag[i] = Math.Max(maxLag[i], lag);
                    sumLag[i] += lag;
                    linkDown += progress[i].LinkUp ? 0 : 1;
                    reported &= progress[i].Reported;
                }

                samples++;
            }

            Thread.Sleep(options.SampleInterval);
        }

        long benchEnded = Stopwatch.GetTimestamp();
        await bench.WaitForExitAsync();
        string csv = await output;
        if (bench.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-benchmark exited with {bench.ExitCode}: {await errors}");
        }

        // The catch-up clock starts when the benchmark's last reply was in: the process exit seen above.
        long endLag = -1;
        long caughtUp = benchEnded;
        long deadline = benchEnded + (long)(CatchUpTimeout.TotalSeconds * Stopwatch.Frequency);
        while (n > 0)
        {
            var (masterOffset, progress) = await SampleAsync(master, replicas);
            long lag = progress.Max(p => masterOffset - p.Offset);
            if (endLag < 0)
            {
                endLag = lag;
            }

            if (lag == 0 && progress.All(p => p.LinkUp))
            {
                caughtUp = Stopwatch.GetTimestamp();
                break;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException(
                    $"{options.Server} replicas not caught up {CatchUpTimeout} after the load: master offset {masterOffset}, replicas {string.Join(",", progress.Select(p => p.Offset))}");
            }

            Thread.Sleep(2);
        }

        masterCpu = CpuTime.Seconds(options.MasterPid) - masterCpu;
        replicaCpu = options.Replicas.Sum(r => CpuTime.Seconds(r.Pid)) - replicaCpu;
        string digest = n == 0 ? "-" : await DigestCheck.CompareAsync(master, replicas);

        var f = CultureInfo.InvariantCulture;
        string Lag(int i, bool max) => i >= n || samples == 0 ? "-" : max ? maxLag[i].ToString(f) : (sumLag[i] / samples).ToString("F0", f);
        return string.Join('\t',
            options.Server,
            options.Round.ToString(f),
            n.ToString(f),
            options.Pipeline.ToString(f),
            options.Requests.ToString(f),
            BenchmarkRate(csv).ToString("F0", f),
            samples.ToString(f),
            Lag(0, true),
            Lag(0, false),
            Lag(1, true),
            Lag(1, false),
            n == 0 ? "-" : endLag.ToString(f),
            n == 0 ? "-" : Stopwatch.GetElapsedTime(benchEnded, caughtUp).TotalSeconds.ToString("F3", f),
            linkDown.ToString(f),
            masterCpu.ToString("F2", f),
            replicaCpu.ToString("F2", f),
            Stopwatch.GetElapsedTime(benchStarted, benchEnded).TotalSeconds.ToString("F2", f),
            digest,
            reported ? "info" : "fallback");
    }

    /// <summary>The master's offset and every replica's progress, asked of all of them at the same moment.</summary>
    private static async Task<(long MasterOffset, ReplicaProgress[] Progress)> SampleAsync(RedisConnection master, RedisConnection[] replicas)
    {
        var masterOffset = ReplicaProgress.MasterOffsetAsync(master);
        var progress = replicas.Select(ReplicaProgress.ReadAsync).ToArray();
        return (await masterOffset, await Task.WhenAll(progress));
    }

    private static Process StartBenchmark(WriteLoadOptions o)
    {
        var info = new ProcessStartInfo("redis-benchmark")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "-h", o.Host, "-p", o.MasterPort.ToString(CultureInfo.InvariantCulture), "-t", "set",
            "-c", o.Clients.ToString(CultureInfo.InvariantCulture), "-n", o.Requests.ToString(CultureInfo.InvariantCulture),
            "-P", o.Pipeline.ToString(CultureInfo.InvariantCulture), "-d", o.ValueSize.ToString(CultureInfo.InvariantCulture),
            "-r", o.Keyspace.ToString(CultureInfo.InvariantCulture), "-q", "--csv",
        })
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start redis-benchmark");
    }

    /// <summary>The rps column of the SET row of redis-benchmark --csv ("test","rps",... then "SET","123.45",...).</summary>
    private static double BenchmarkRate(string csv)
    {
        foreach (var line in csv.Split('\n'))
        {
            var cells = line.Trim().Split(',');
            if (cells.Length > 1 && cells[0].Trim('"') == "SET")
            {
                return double.Parse(cells[1].Trim('"'), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("no SET row in redis-benchmark output: " + csv);
    }
}
