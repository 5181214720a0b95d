using System.Diagnostics;
using System.Globalization;
using OrleansReplica.Client;

namespace OrleansReplica.SnapshotBenchmark;

/// <summary>What one BGSAVE measurement needs to know about the server under test.</summary>
internal sealed record MeasurementOptions(
    string Server, int Round, string Host, int Port, int Pid, string Dir, int Keys, TimeSpan Before, TimeSpan SampleInterval, string? Trace);

/// <summary>
/// One BGSAVE under whatever load is running: probe round trips and RSS are recorded throughout; the snapshot
/// window runs from sending BGSAVE until LASTSAVE changes (polled every 2 ms on its own connection); the
/// baseline is an equally long window without a snapshot, taken just before BGSAVE when the
/// lead-in is long enough, else one second after the snapshot ended.
/// </summary>
internal static class SnapshotMeasurement
{
    private const double MiB = 1024.0 * 1024.0;

    /// <summary>Column names of the tab-separated line <see cref="RunAsync"/> prints.</summary>
    public const string Header =
        "server\tround\tkeys\tused_MB\trss_MB\tsnap_s\tfile_s\trdb_MB\tMBps\tmax_ms\tp999_ms\tp99_ms\tmean_ms\tprobes\tbase_max_ms\tbase_p999_ms\tbase_p99_ms\tbase_mean_ms\tbase_probes\tbase_at\textra_MB\textra_pct\tchild_MB\tcow_MB\tbase_extra_MB\tsnap_ops_s\tbase_ops_s\tstatus";

    public static async Task<string> RunAsync(MeasurementOptions options)
    {
        await using var control = await RedisConnection.ConnectAsync(options.Host, options.Port);
        await using var poller = await RedisConnection.ConnectAsync(options.Host, options.Port);
        long keys = (await control.ExecuteAsync("DBSIZE")).AsInt64();
        long usedMemory = ServerInfoFields.Int64(await ServerInfoFields.SectionAsync(control, "memory"), "used_memory");
        string dump = Path.Combine(options.Dir, "dump.rdb");
        File.Delete(dump);

        using var sampler = new MemorySampler(options.Pid, options.SampleInterval, capacity: 200_000);
        using var probe = new LatencyProbe(options.Host, options.Port, options.Keys, capacity: 4_000_000);
        sampler.Start();
        probe.Start();
        long commandsLeadIn = await CommandsProcessedAsync(control);
        long leadIn = Stopwatch.GetTimestamp();
        Thread.Sleep(options.Before);

        long commandsBefore = await CommandsProcessedAsync(control);
        long sent = Stopwatch.GetTimestamp();
        long rssBefore = sampler.RssAt(sent);
        long lastSave = (await poller.ExecuteAsync("LASTSAVE")).AsInt64();
        var started = await control.ExecuteAsync("BGSAVE");
        long replied = Stopwatch.GetTimestamp();
        DateTime repliedWall = DateTime.UtcNow;
        if (started.IsError)
        {
            throw new InvalidOperationException($"BGSAVE failed: {started}");
        }

        long done = await WaitForSnapshotEndAsync(poller, lastSave, TimeSpan.FromMinutes(2));
        long length = done - sent;
        long commandsDuring = await CommandsProcessedAsync(control) - commandsBefore;

        long baseFrom, baseTo;
        string baseAt;
        if (sent - leadIn >= length)
        {
            (baseFrom, baseTo, baseAt) = (sent - length, sent, "before");
        }
        else
        {
            Thread.Sleep(1000);
            baseFrom = Stopwatch.GetTimestamp();
            Thread.Sleep(Stopwatch.GetElapsedTime(0, length));
            baseTo = Stopwatch.GetTimestamp();
            baseAt = "after";
        }

        Thread.Sleep(50);
        probe.Stop();
        sampler.Stop();
        if (options.Trace is not null)
        {
            probe.WriteTrace(options.Trace, sent);
        }

        var persistence = await ServerInfoFields.SectionAsync(control, "persistence");
        string status = ServerInfoFields.Field(persistence, "rdb_last_bgsave_status") ?? "?";
        long cow = ServerInfoFields.Int64(persistence, "rdb_last_cow_size");
        var file = new FileInfo(dump);
        double rdbBytes = file.Exists ? file.Length : 0;
        double fileSeconds = file.Exists ? (file.LastWriteTimeUtc - repliedWall).TotalSeconds : double.NaN;

        double snapSeconds = Stopwatch.GetElapsedTime(replied, done).TotalSeconds;
        var snap = probe.Window(sent, done);
        var baseline = probe.Window(baseFrom, baseTo);
        var memory = sampler.Peaks(sent, done, rssBefore);
        var baseMemory = sampler.Peaks(baseFrom, baseTo, sampler.RssAt(baseFrom));
        double extraMb = memory.ExtraKiB / 1024.0;

        var f = CultureInfo.InvariantCulture;
        return string.Join('\t',
            options.Server,
            options.Round.ToString(f),
            keys.ToString(f),
            (usedMemory / MiB).ToString("F0", f),
            (rssBefore / 1024.0).ToString("F0", f),
            snapSeconds.ToString("F2", f),
            fileSeconds.ToString("F2", f),
            (rdbBytes / MiB).ToString("F1", f),
            (rdbBytes / MiB / snapSeconds).ToString("F0", f),
            snap.MaxMs.ToString("F2", f),
            snap.P999Ms.ToString("F2", f),
            snap.P99Ms.ToString("F2", f),
            snap.MeanMs.ToString("F3", f),
            snap.Count.ToString(f),
            baseline.MaxMs.ToString("F2", f),
            baseline.P999Ms.ToString("F2", f),
            baseline.P99Ms.ToString("F2", f),
            baseline.MeanMs.ToString("F3", f),
            baseline.Count.ToString(f),
            baseAt,
            extraMb.ToString("F1", f),
            (100.0 * extraMb * MiB / usedMemory).ToString("F1", f),
            (memory.ChildPrivateKiB / 1024.0).ToString("F1", f),
            (cow / MiB).ToString("F1", f),
            (baseMemory.ExtraKiB / 1024.0).ToString("F1", f),
            (commandsDuring / Stopwatch.GetElapsedTime(0, length).TotalSeconds).ToString("F0", f),
            ((commandsBefore - commandsLeadIn) / Stopwatch.GetElapsedTime(leadIn, sent).TotalSeconds).ToString("F0", f),
            status + "/" + memory.Samples.ToString(f) + "smp");
    }

    private static async Task<long> CommandsProcessedAsync(RedisConnection connection) =>
        ServerInfoFields.Int64(await ServerInfoFields.SectionAsync(connection, "stats"), "total_commands_processed");

    /// <summary>
    /// Polls LASTSAVE every 2 ms until it moves past <paramref name="before"/> (the save ended; rounds are seconds
    /// apart, so the second always differs); returns when it saw that. LASTSAVE rather than INFO persistence: a
    /// reply of a few bytes, so the polling itself takes next to nothing from the server under test (an INFO
    /// every 2 ms was about 5 MB/s of garbage for the silo's collector).
    /// </summary>
    private static async Task<long> WaitForSnapshotEndAsync(RedisConnection poller, long before, TimeSpan timeout)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if ((await poller.ExecuteAsync("LASTSAVE")).AsInt64() != before)
            {
                return Stopwatch.GetTimestamp();
            }

            Thread.Sleep(2);
        }

        throw new TimeoutException($"BGSAVE still in progress after {timeout}");
    }
}
