using System.Diagnostics;
using System.Globalization;
using OrleansReplica.Client;

namespace OrleansReplica.ReplicationBenchmark;

/// <summary>What one full sync measurement needs: the loaded master and the empty replica (with their pids, for CPU time).</summary>
internal sealed record FullSyncOptions(string Server, int Round, int ReplicaNumber, string Host, int MasterPort, int MasterPid, int ReplicaPort, int ReplicaPid);

/// <summary>
/// Times one full sync: REPLICAOF on the replica, then INFO replication of both polled every 2 ms until the replica
/// reports master_link_status:up and a slave_repl_offset equal to the master's master_repl_offset (the clock starts at
/// the REPLICAOF reply); then DEBUG DIGEST of both must match.
/// </summary>
internal static class FullSyncMeasurement
{
    /// <summary>Column names of the tab-separated line <see cref="RunAsync"/> prints.</summary>
    public const string Header =
        "server\tround\treplica\tkeys\tsync_s\tlink_up_s\tmaster_offset\treplica_offset\tdigest\tmaster_cpu_s\treplica_cpu_s\tpolls\tmode";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static async Task<string> RunAsync(FullSyncOptions options)
    {
        await using var master = await RedisConnection.ConnectAsync(options.Host, options.MasterPort);
        await using var replica = await RedisConnection.ConnectAsync(options.Host, options.ReplicaPort);
        master.Timeout = replica.Timeout = TimeSpan.FromSeconds(60);
        long keys = (await master.ExecuteAsync("DBSIZE")).AsInt64();
        double masterCpu = CpuTime.Seconds(options.MasterPid);
        double replicaCpu = CpuTime.Seconds(options.ReplicaPid);

        var reply = await replica.ExecuteAsync("REPLICAOF", options.Host, options.MasterPort.ToString(CultureInfo.InvariantCulture));
        long started = Stopwatch.GetTimestamp();
        if (reply.IsError)
        {
            throw new InvalidOperationException($"REPLICAOF failed: {reply}");
        }

        long linkUp = 0;
        long deadline = started + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        int polls = 0;
        ReplicaProgress progress;
        long masterOffset;
        while (true)
        {
            progress = await ReplicaProgress.ReadAsync(replica);
            masterOffset = await ReplicaProgress.MasterOffsetAsync(master);
            polls++;
            if (progress.LinkUp && linkUp == 0 && progress.Reported)
            {
                linkUp = Stopwatch.GetTimestamp();
            }

            // A replica that does not report its link yet counts as synced once it holds every key at the master's offset.
            if (progress.LinkUp && progress.Offset == masterOffset &&
                (progress.Reported || (await replica.ExecuteAsync("DBSIZE")).AsInt64() == keys))
            {
                break;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException(
                    $"{options.Server} replica {options.ReplicaPort} not in sync after {Timeout}: link up {progress.LinkUp}, offset {progress.Offset}, master offset {masterOffset}");
            }

            Thread.Sleep(2);
        }

        long synced = Stopwatch.GetTimestamp();
        // Give redis-server time to reap its fork (serverCron, 10 times a second), so that the child's CPU counts.
        Thread.Sleep(250);
        masterCpu = CpuTime.Seconds(options.MasterPid) - masterCpu;
        replicaCpu = CpuTime.Seconds(options.ReplicaPid) - replicaCpu;
        string digest = await DigestCheck.CompareAsync(master, replica);

        var f = CultureInfo.InvariantCulture;
        return string.Join('\t',
            options.Server,
            options.Round.ToString(f),
            options.ReplicaNumber.ToString(f),
            keys.ToString(f),
            Stopwatch.GetElapsedTime(started, synced).TotalSeconds.ToString("F3", f),
            linkUp == 0 ? "-" : Stopwatch.GetElapsedTime(started, linkUp).TotalSeconds.ToString("F3", f),
            masterOffset.ToString(f),
            progress.Offset.ToString(f),
            digest,
            masterCpu.ToString("F2", f),
            replicaCpu.ToString("F2", f),
            polls.ToString(f),
            progress.Reported ? "info" : "fallback");
    }
}

/// <summary>Compares DEBUG DIGEST of a master and its replicas.</summary>
internal static class DigestCheck
{
    /// <summary>"equal", or "DIFF(master/replica...)" with the first 8 hex digits of each digest.</summary>
    public static async Task<string> CompareAsync(RedisConnection master, params RedisConnection[] replicas)
    {
        string expected = await DigestAsync(master);
        var seen = new List<string>();
        bool equal = true;
        foreach (var replica in replicas)
        {
            string digest = await DigestAsync(replica);
            seen.Add(digest[..Math.Min(8, digest.Length)]);
            equal &= digest == expected;
        }

        return equal ? "equal" : $"DIFF({expected[..Math.Min(8, expected.Length)]}/{string.Join('/', seen)})";
    }

    private static async Task<string> DigestAsync(RedisConnection connection)
    {
        var reply = await connection.ExecuteAsync("DEBUG", "DIGEST");
        return reply.IsError ? "ERR:" + reply.AsString() : reply.AsString() ?? "null";
    }
}
