using System.Globalization;
using OrleansReplica.Client;
using OrleansReplica.SnapshotBenchmark;

namespace OrleansReplica.ReplicationBenchmark;

/// <summary>
/// How far a replica got, from its INFO replication: master_link_status and slave_repl_offset as Redis reports them.
/// A server whose replica side does not report those yet (role:master while following a master) is read from its
/// master_repl_offset instead, with <see cref="Reported"/> false, so that the caller can mark the result.
/// </summary>
internal readonly record struct ReplicaProgress(bool LinkUp, long Offset, bool Reported)
{
    public static ReplicaProgress Parse(string info)
    {
        string? link = ServerInfoFields.Field(info, "master_link_status");
        string? offset = ServerInfoFields.Field(info, "slave_repl_offset");
        if (link is not null && offset is not null)
        {
            return new ReplicaProgress(link == "up", long.Parse(offset, CultureInfo.InvariantCulture), true);
        }

        return new ReplicaProgress(true, ServerInfoFields.Int64(info, "master_repl_offset"), false);
    }

    public static async Task<ReplicaProgress> ReadAsync(RedisConnection replica) =>
        Parse(await ServerInfoFields.SectionAsync(replica, "replication"));

    public static async Task<long> MasterOffsetAsync(RedisConnection master) =>
        ServerInfoFields.Int64(await ServerInfoFields.SectionAsync(master, "replication"), "master_repl_offset");
}

/// <summary>
/// User plus system CPU time of a process and of its reaped children (redis-server's fork for a disk or diskless
/// transfer shows up there once the parent has waited for it), from /proc/PID/stat.
/// </summary>
internal static class CpuTime
{
    public static double Seconds(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = 0;
            for (int i = 11; i <= 14; i++)
            {
                ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
            }

            return ticks / 100.0; // USER_HZ
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
