using System.Diagnostics;
using System.Globalization;
using System.Text;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Hosting.Persistence;
using OrleansReplica.Hosting.Replication.Master;

namespace OrleansReplica.Hosting.Server;

/// <summary>Builds INFO's text, section by section, with Redis 7.0's field names.</summary>
public sealed class ServerInfo(Silo silo, IEnumerable<ShardKeyspace> shards)
{
    /// <summary>The Redis version this server answers as (HELLO, INFO, LOLWUT ...).</summary>
    public const string RedisVersion = "7.0.15";

    private static readonly string[] DefaultSections =
        ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];

    private static readonly string[] AllSections = [.. DefaultSections[..^3], "commandstats", "errorstats", "latencystats", "cluster", "keyspace"];

    private readonly ShardKeyspace[] _shards = shards.ToArray();

    /// <summary>The INFO text for the requested section names (none: the default sections).</summary>
    public string Build(IReadOnlyList<string> requested)
    {
        var sections = Resolve(requested);
        var text = new StringBuilder();
        foreach (var section in sections)
        {
            var body = Section(section);
            if (body is null)
            {
                continue;
            }
            if (text.Length > 0)
            {
                text.Append("\r\n");
            }
            text.Append(body);
        }
        return text.ToString();
    }

    private static IEnumerable<string> Resolve(IReadOnlyList<string> requested)
    {
        if (requested.Count == 0)
        {
            return DefaultSections;
        }
        var chosen = new List<string>();
        foreach (var name in requested.Select(static n => n.ToLowerInvariant()))
        {
            IEnumerable<string> add = name switch
            {
                "default" => DefaultSections,
                "all" or "everything" => AllSections,
                _ => [name],
            };
            foreach (var section in add)
            {
                if (!chosen.Contains(section))
                {
                    chosen.Add(section);
                }
            }
        }
        // Redis prints sections in its own fixed order whatever order they were asked in.
        return AllSections.Where(chosen.Contains);
    }

    private string? Section(string name) => name switch
    {
        "server" => Server(),
        "clients" => Clients(),
        "memory" => Memory(),
        "persistence" => Persistence(),
        "stats" => Stats(),
        "replication" => Replication(),
        "cpu" => Cpu(),
        "modules" => "# Modules\r\n",
        "commandstats" => CommandStats(),
        "errorstats" => ErrorStats(),
        "latencystats" => LatencyStats(),
        "cluster" => "# Cluster\r\ncluster_enabled:0\r\n",
        "keyspace" => Keyspace(),
        _ => null,
    };

    private string Server()
    {
        var uptime = (long)(DateTimeOffset.UtcNow - silo.StartedAt).TotalSeconds;
        var nowUs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        return Lines("Server",
            ("redis_version", RedisVersion),
            ("redis_git_sha1", "00000000"),
            ("redis_git_dirty", "0"),
            ("redis_build_id", "0"),
            ("redis_mode", "standalone"),
            ("os", $"{Environment.OSVersion.Platform} {Environment.OSVersion.Version} {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}"),
            ("arch_bits", (IntPtr.Size * 8).ToString(CultureInfo.InvariantCulture)),
            ("monotonic_clock", "POSIX clock_gettime"),
            ("multiplexing_api", "epoll"),
            ("atomicvar_api", "c11-builtin"),
            ("gcc_version", "0.0.0"),
            ("process_id", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)),
            ("process_supervised", "no"),
            ("run_id", silo.RunId),
            ("tcp_port", silo.Port.ToString(CultureInfo.InvariantCulture)),
            ("server_time_usec", nowUs.ToString(CultureInfo.InvariantCulture)),
            ("uptime_in_seconds", uptime.ToString(CultureInfo.InvariantCulture)),
            ("uptime_in_days", (uptime / 86400).ToString(CultureInfo.InvariantCulture)),
            ("hz", silo.KeyspaceOptions.Hz.ToString(CultureInfo.InvariantCulture)),
            ("configured_hz", silo.Config.Hz.ToString(CultureInfo.InvariantCulture)),
            ("lru_clock", (nowUs / 1_000_000 & ((1 << 24) - 1)).ToString(CultureInfo.InvariantCulture)),
            ("executable", Environment.ProcessPath ?? ""),
            ("config_file", silo.Config.ConfigFile is { } file ? Path.GetFullPath(file) : ""),
            ("io_threads_active", "0"));
    }

    private string Clients() => Lines("Clients",
        ("connected_clients", Int(silo.Clients.Count)),
        ("cluster_connections", "0"),
        ("maxclients", Int(silo.Config.MaxClients)),
        ("client_recent_max_input_buffer", "0"),
        ("client_recent_max_output_buffer", "0"),
        ("blocked_clients", "0"),
        ("tracking_clients", "0"),
        ("clients_in_timeout_table", "0"));

    private string Memory()
    {
        var used = GC.GetTotalMemory(false);
        var rss = Environment.WorkingSet;
        var peak = Math.Max(used, Process.GetCurrentProcess().PeakWorkingSet64);
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var maxMemory = (long)silo.Config.MaxMemory;
        var fragmentation = used == 0 ? 0 : (double)rss / used;
        return Lines("Memory",
            ("used_memory", Int(used)),
            ("used_memory_human", Human(used)),
            ("used_memory_rss", Int(rss)),
            ("used_memory_rss_human", Human(rss)),
            ("used_memory_peak", Int(peak)),
            ("used_memory_peak_human", Human(peak)),
            ("used_memory_peak_perc", Percent(used, peak)),
            ("used_memory_overhead", "0"),
            ("used_memory_startup", "0"),
            ("used_memory_dataset", Int(used)),
            ("used_memory_dataset_perc", "100.00%"),
            ("allocator_allocated", Int(used)),
            ("allocator_active", Int(used)),
            ("allocator_resident", Int(rss)),
            ("total_system_memory", Int(total)),
            ("total_system_memory_human", Human(total)),
            ("used_memory_lua", "0"),
            ("used_memory_vm_eval", "0"),
            ("used_memory_lua_human", "0B"),
            ("used_memory_scripts_eval", "0"),
            ("number_of_cached_scripts", "0"),
            ("number_of_functions", "0"),
            ("number_of_libraries", "0"),
            ("used_memory_vm_functions", "0"),
            ("used_memory_vm_total", "0"),
            ("used_memory_vm_total_human", "0B"),
            ("used_memory_functions", "0"),
            ("used_memory_scripts", "0"),
            ("used_memory_scripts_human", "0B"),
            ("maxmemory", Int(maxMemory)),
            ("maxmemory_human", Human(maxMemory)),
            ("maxmemory_policy", silo.Config.Get("maxmemory-policy")),
            ("allocator_frag_ratio", "1.00"),
            ("allocator_frag_bytes", "0"),
            ("allocator_rss_ratio", Ratio(fragmentation)),
            ("allocator_rss_bytes", Int(rss - used)),
            ("rss_overhead_ratio", "1.00"),
            ("rss_overhead_bytes", "0"),
            ("mem_fragmentation_ratio", Ratio(fragmentation)),
            ("mem_fragmentation_bytes", Int(rss - used)),
            ("mem_not_counted_for_evict", "0"),
            ("mem_replication_backlog", "0"),
            ("mem_total_replication_buffers", "0"),
            ("mem_clients_slaves", "0"),
            ("mem_clients_normal", "0"),
            ("mem_cluster_links", "0"),
            ("mem_aof_buffer", "0"),
            ("mem_allocator", "dotnet-gc"),
            ("active_defrag_running", "0"),
            ("lazyfree_pending_objects", "0"),
            ("lazyfreed_objects", "0"));
    }

    private string Persistence()
    {
        var rdb = silo.Rdb;
        var aof = silo.Aof;
        var current = rdb.Current;
        return Lines("Persistence",
        ("loading", "0"),
        ("async_loading", "0"),
        ("current_cow_peak", "0"),
        ("current_cow_size", "0"),
        ("current_cow_size_age", "0"),
        ("current_fork_perc", Ratio(current is null || current.Keys == 0 ? 0 : 100.0 * current.KeysWritten / current.Keys)),
        ("current_save_keys_processed", Int(current?.KeysWritten ?? 0)),
        ("current_save_keys_total", Int(current?.Keys ?? 0)),
        ("rdb_changes_since_last_save", Int(silo.ChangesSinceLastSave)),
        ("rdb_bgsave_in_progress", rdb.BackgroundSaveInProgress ? "1" : "0"),
        ("rdb_last_save_time", Int(rdb.LastSaveUnixSeconds)),
        ("rdb_last_bgsave_status", rdb.LastBackgroundSaveOk ? "ok" : "err"),
        ("rdb_last_bgsave_time_sec", Int(rdb.LastBackgroundSaveSeconds)),
        ("rdb_current_bgsave_time_sec", rdb.BackgroundSaveInProgress ? Int((long)Stopwatch.GetElapsedTime(rdb.BackgroundSaveStarted).TotalSeconds) : "-1"),
        ("rdb_saves", Int(rdb.Saves)),
        ("rdb_last_cow_size", "0"),
        ("rdb_last_load_keys_expired", Int(rdb.LastLoadKeysExpired)),
        ("rdb_last_load_keys_loaded", Int(rdb.LastLoadKeysLoaded)),
        ("aof_enabled", aof.Enabled ? "1" : "0"),
        ("aof_rewrite_in_progress", aof.RewriteInProgress ? "1" : "0"),
        ("aof_rewrite_scheduled", "0"),
        ("aof_last_rewrite_time_sec", Int(aof.LastRewriteSeconds)),
        ("aof_current_rewrite_time_sec", aof.RewriteInProgress ? Int((long)Stopwatch.GetElapsedTime(aof.RewriteStarted).TotalSeconds) : "-1"),
        ("aof_last_bgrewrite_status", aof.LastRewriteOk ? "ok" : "err"),
        ("aof_rewrites", Int(aof.Rewrites)),
        ("aof_rewrites_consecutive_failures", aof.LastRewriteOk ? "0" : "1"),
        ("aof_last_write_status", "ok"),
        ("aof_last_cow_size", "0"),
        ("module_fork_in_progress", "0"),
        ("module_fork_last_cow_size", "0")) + AofSizes(aof);
    }

    /// <summary>The fields Redis adds to INFO persistence only while AOF is on.</summary>
    private static string AofSizes(AofPersistence aof) => !aof.Enabled ? "" : string.Concat(
        $"aof_current_size:{aof.CurrentSize}\r\n",
        $"aof_base_size:{aof.BaseSize}\r\n",
        "aof_pending_rewrite:0\r\n",
        $"aof_buffer_length:{aof.BufferLength}\r\n",
        "aof_pending_bio_fsync:0\r\n",
        "aof_delayed_fsync:0\r\n");

    private string Stats()
    {
        var stats = silo.Stats;
        long hits = 0, misses = 0, expired = 0, expireCpu = 0;
        foreach (var shard in _shards)
        {
            hits += shard.Stats.KeyspaceHits;
            misses += shard.Stats.KeyspaceMisses;
            expired += shard.Stats.ExpiredKeys;
            expireCpu += shard.Stats.ExpireCycleCpuMs;
        }
        return Lines("Stats",
            ("total_connections_received", Int(stats.TotalConnectionsReceived)),
            ("total_commands_processed", Int(stats.TotalCommandsProcessed)),
            ("instantaneous_ops_per_sec", "0"),
            ("total_net_input_bytes", Int(stats.TotalNetInputBytes)),
            ("total_net_output_bytes", Int(stats.TotalNetOutputBytes)),
            ("total_net_repl_input_bytes", "0"),
            ("total_net_repl_output_bytes", "0"),
            ("instantaneous_input_kbps", "0.00"),
            ("instantaneous_output_kbps", "0.00"),
            ("instantaneous_input_repl_kbps", "0.00"),
            ("instantaneous_output_repl_kbps", "0.00"),
            ("rejected_connections", Int(stats.RejectedConnections)),
            ("sync_full", Int(silo.Replication.SyncFull)),
            ("sync_partial_ok", Int(silo.Replication.SyncPartialOk)),
            ("sync_partial_err", Int(silo.Replication.SyncPartialErr)),
            ("expired_keys", Int(expired)),
            ("expired_stale_perc", "0.00"),
            ("expired_time_cap_reached_count", "0"),
            ("expire_cycle_cpu_milliseconds", Int(expireCpu)),
            ("evicted_keys", "0"),
            ("evicted_clients", "0"),
            ("total_eviction_exceeded_time", "0"),
            ("current_eviction_exceeded_time", "0"),
            ("keyspace_hits", Int(hits)),
            ("keyspace_misses", Int(misses)),
            ("pubsub_channels", Int(silo.PubSub.ChannelCount)),
            ("pubsub_patterns", Int(silo.PubSub.PatternCount)),
            ("pubsubshard_channels", Int(silo.PubSub.ShardChannelCount)),
            ("latest_fork_usec", "0"),
            ("total_forks", "0"),
            ("migrate_cached_sockets", "0"),
            ("slave_expires_tracked_keys", "0"),
            ("active_defrag_hits", "0"),
            ("active_defrag_misses", "0"),
            ("active_defrag_key_hits", "0"),
            ("active_defrag_key_misses", "0"),
            ("total_active_defrag_time", "0"),
            ("current_active_defrag_time", "0"),
            ("tracking_total_keys", "0"),
            ("tracking_total_items", "0"),
            ("tracking_total_prefixes", "0"),
            ("unexpected_error_replies", Int(stats.UnexpectedErrorReplies)),
            ("total_error_replies", Int(stats.TotalErrorReplies)),
            ("dump_payload_sanitizations", "0"),
            ("total_reads_processed", Int(stats.TotalCommandsProcessed)),
            ("total_writes_processed", Int(stats.TotalCommandsProcessed)),
            ("io_threaded_reads_processed", "0"),
            ("io_threaded_writes_processed", "0"),
            ("reply_buffer_shrinks", "0"),
            ("reply_buffer_expands", "0"));
    }

    private string Replication()
    {
        var backlog = silo.Backlog;
        var replicas = silo.Replication.Replicas;
        var fields = new List<(string Name, string Value)>();
        if (silo.Replica.IsReplica)
        {
            fields.Add(("role", "slave"));
            fields.AddRange(silo.Replica.InfoFields());
        }
        else
        {
            fields.Add(("role", "master"));
        }
        fields.Add(("connected_slaves", Int(replicas.Count)));
        for (var i = 0; i < replicas.Count; i++)
        {
            var replica = replicas[i];
            var state = replica.State switch
            {
                ReplicaState.WaitBgsave => "wait_bgsave",
                ReplicaState.SendBulk => "send_bulk",
                _ => "online",
            };
            fields.Add(($"slave{i}", $"ip={replica.Ip},port={replica.ListeningPort},state={state},offset={replica.AckOffset},lag={replica.LagSeconds}"));
        }
        return Lines("Replication", [.. fields,
        ("master_failover_state", "no-failover"),
        ("master_replid", backlog.ReplId),
        ("master_replid2", backlog.ReplId2),
        ("master_repl_offset", Int(backlog.Offset)),
        ("second_repl_offset", Int(backlog.SecondReplOffset)),
        ("repl_backlog_active", backlog.Active ? "1" : "0"),
        ("repl_backlog_size", silo.Config.Get("repl-backlog-size")),
        ("repl_backlog_first_byte_offset", Int(backlog.FirstByteOffset)),
        ("repl_backlog_histlen", Int(backlog.HistoryLength))]);
    }

    private static string Cpu()
    {
        using var process = Process.GetCurrentProcess();
        var system = process.PrivilegedProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture);
        var user = process.UserProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture);
        return Lines("CPU",
            ("used_cpu_sys", system),
            ("used_cpu_user", user),
            ("used_cpu_sys_children", "0.000000"),
            ("used_cpu_user_children", "0.000000"),
            ("used_cpu_sys_main_thread", system),
            ("used_cpu_user_main_thread", user));
    }

    private string CommandStats()
    {
        var text = new StringBuilder("# Commandstats\r\n");
        foreach (var command in AllCommands().Where(static c => c.Calls > 0 || c.RejectedCalls > 0 || c.FailedCalls > 0).OrderBy(static c => c.Name, StringComparer.Ordinal))
        {
            var perCall = command.Calls == 0 ? 0 : (double)command.Microseconds / command.Calls;
            text.Append(CultureInfo.InvariantCulture,
                $"cmdstat_{command.Name}:calls={command.Calls},usec={command.Microseconds},usec_per_call={perCall:F2},rejected_calls={command.RejectedCalls},failed_calls={command.FailedCalls}\r\n");
        }
        return text.ToString();
    }

    private IEnumerable<Grains.Commands.CommandDefinition> AllCommands() =>
        silo.Commands.Commands.SelectMany(static c => c.Subcommands is null ? [c] : c.Subcommands.Values.Prepend(c));

    private string ErrorStats()
    {
        var text = new StringBuilder("# Errorstats\r\n");
        foreach (var (code, count) in silo.Stats.ErrorsByCode.OrderBy(static e => e.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"errorstat_{code}:count={count}\r\n");
        }
        return text.ToString();
    }

    /// <summary>Per-command latency percentiles, as Redis's latency-tracking-info-percentiles (50 99 99.9) show them.</summary>
    private string LatencyStats()
    {
        var text = new StringBuilder("# Latencystats\r\n");
        foreach (var command in AllCommands().Where(static c => c.Latency is not null && c.Calls > 0).OrderBy(static c => c.Name, StringComparer.Ordinal))
        {
            var latency = command.Latency!;
            text.Append(CultureInfo.InvariantCulture,
                $"latency_percentiles_usec_{command.Name}:p50={latency.ValueAtPercentile(50):F3},p99={latency.ValueAtPercentile(99):F3},p99.9={latency.ValueAtPercentile(99.9):F3}\r\n");
        }
        return text.ToString();
    }

    private string Keyspace()
    {
        var text = new StringBuilder("# Keyspace\r\n");
        var now = silo.KeyspaceOptions.Clock.NowMs();
        for (var db = 0; db < silo.KeyspaceOptions.Databases; db++)
        {
            long keys = 0, expires = 0, ttlSum = 0;
            foreach (var shard in _shards)
            {
                var database = shard.Databases[db];
                keys += database.Count;
                expires += database.Expires.Count;
                for (var i = 0; i < database.Expires.Count; i++)
                {
                    ttlSum += Math.Max(0, database.Expires.At(i).ExpiresAtMs - now);
                }
            }
            if (keys > 0)
            {
                var averageTtl = expires == 0 ? 0 : ttlSum / expires;
                text.Append(CultureInfo.InvariantCulture, $"db{db}:keys={keys},expires={expires},avg_ttl={averageTtl}\r\n");
            }
        }
        return text.ToString();
    }

    private static string Lines(string title, params (string Name, string Value)[] fields)
    {
        var text = new StringBuilder("# ").Append(title).Append("\r\n");
        foreach (var (name, value) in fields)
        {
            text.Append(name).Append(':').Append(value).Append("\r\n");
        }
        return text.ToString();
    }

    private static string Ratio(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Percent(long part, long whole) =>
        (whole == 0 ? 0 : 100.0 * part / whole).ToString("F2", CultureInfo.InvariantCulture) + "%";

    /// <summary>Redis's bytesToHuman: B below 1K, then two decimals with K, M, G, T, P.</summary>
    public static string Human(long bytes)
    {
        string[] units = ["K", "M", "G", "T", "P"];
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + "B";
        }
        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("F2", CultureInfo.InvariantCulture) + units[unit];
    }
}
