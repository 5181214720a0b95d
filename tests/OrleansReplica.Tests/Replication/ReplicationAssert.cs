using OrleansReplica.Client;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Replication;

/// <summary>Waits for a replica to catch up with its master and checks they hold the same data.</summary>
public static class ReplicationAssert
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Waits until the replica's link is up and its offset equals the master's, then checks that
    /// DEBUG DIGEST is equal (a replica's data at offset X equals the master's at X).
    /// </summary>
    public static async Task InSyncAsync(RedisConnection master, RedisConnection replica)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var replicaInfo = await replica.InfoAsync("replication");
            var masterInfo = await master.InfoAsync("replication");
            if (replicaInfo.GetValueOrDefault("master_link_status") == "up" && replicaInfo["slave_repl_offset"] == masterInfo["master_repl_offset"])
            {
                break;
            }
            if (watch.Elapsed > SyncTimeout)
            {
                Assert.Fail($"The replica did not reach the master's offset within {SyncTimeout.TotalSeconds} s.\nmaster: {Describe(masterInfo)}\nreplica: {Describe(replicaInfo)}");
            }
            await Task.Delay(5);
        }
        Assert.Equal((await master.ExecuteAsync("DEBUG", "DIGEST")).AsString(), (await replica.ExecuteAsync("DEBUG", "DIGEST")).AsString());
    }

    public static string Describe(Dictionary<string, string> info) => string.Join(", ", info.Select(static pair => $"{pair.Key}={pair.Value}"));
}
