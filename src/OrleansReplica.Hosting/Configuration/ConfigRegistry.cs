namespace OrleansReplica.Hosting.Configuration;

/// <summary>Every config parameter of Redis 7.0 (names, aliases, types, bounds, defaults, flags), plus <c>shards</c>.</summary>
public static class ConfigRegistry
{
    private const ConfigFlags None = ConfigFlags.None;
    private const ConfigFlags Immutable = ConfigFlags.Immutable;
    private const ConfigFlags Hidden = ConfigFlags.Hidden;
    private const ConfigFlags Sensitive = ConfigFlags.Sensitive;
    private const ConfigFlags DenyLoading = ConfigFlags.DenyLoading;
    private const ConfigFlags Protected = ConfigFlags.Protected;
    private const long IntMin = int.MinValue, IntMax = int.MaxValue, UIntMax = uint.MaxValue, LongMax = long.MaxValue;
    private const long ULongLongMax = -1; // all bits set: read as unsigned by unsigned parameters
    private const long Kb = 1024, Mb = 1024 * 1024;

    // Lookup by name or alias, case-insensitive, as Redis's config dictionary.
    private static readonly Dictionary<string, (ConfigDefinition Definition, bool IsAlias)> ByName;

    static ConfigRegistry()
    {
        All = Build();
        var keys = new List<(string, ConfigDefinition)>();
        ByName = new Dictionary<string, (ConfigDefinition, bool)>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < All.Count; i++)
        {
            var definition = All[i];
            definition.Index = i;
            ByName.Add(definition.Name, (definition, false));
            keys.Add((definition.Name, definition));
            if (definition.Alias is { } alias)
            {
                ByName.Add(alias, (definition, true));
                keys.Add((alias, definition));
            }
        }

        Keys = keys;
    }

    /// <summary>All parameters, canonical entries only, in a fixed order.</summary>
    public static IReadOnlyList<ConfigDefinition> All { get; }

    /// <summary>Every name CONFIG GET can list: each canonical name followed by its alias, if any.</summary>
    internal static IReadOnlyList<(string Key, ConfigDefinition Definition)> Keys { get; }

    /// <summary>Finds a parameter by name or alias, ignoring case.</summary>
    public static ConfigDefinition? Find(string name) => Find(name, out _);

    internal static ConfigDefinition? Find(string name, out bool isAlias)
    {
        if (ByName.TryGetValue(name, out var entry))
        {
            isAlias = entry.IsAlias;
            return entry.Definition;
        }

        isAlias = false;
        return null;
    }

    internal static int IndexOf(string name) => Find(name)?.Index ?? throw new KeyNotFoundException(name);

    /// <summary>Directives Redis 7.0 still accepts in a config file and ignores.</summary>
    internal static bool IsIgnoredDeprecated(string name, int argc) =>
        argc == 2 && name is "list-max-ziplist-entries" or "list-max-ziplist-value" or "lua-replicate-commands";

    private static List<ConfigDefinition> Build()
    {
        (string, int)[] protectedAction = [("no", 0), ("yes", 1), ("local", 2)];
        return
        [
            // yes/no parameters
            Bool("rdbchecksum", null, Immutable, true),
            Bool("daemonize", null, Immutable, false),
            Bool("io-threads-do-reads", null, Immutable, false),
            Bool("always-show-logo", null, Immutable, false),
            Bool("protected-mode", null, None, true),
            Bool("rdbcompression", null, None, true),
            Bool("rdb-del-sync-files", null, None, false),
            Bool("activerehashing", null, None, true),
            Bool("stop-writes-on-bgsave-error", null, None, true),
            Bool("set-proc-title", null, Immutable, true),
            Bool("dynamic-hz", null, None, true),
            Bool("lazyfree-lazy-eviction", null, None, false),
            Bool("lazyfree-lazy-expire", null, None, false),
            Bool("lazyfree-lazy-server-del", null, None, false),
            Bool("lazyfree-lazy-user-del", null, None, false),
            Bool("lazyfree-lazy-user-flush", null, None, false),
            Bool("repl-disable-tcp-nodelay", null, None, false),
            Bool("repl-diskless-sync", null, None, true),
            Bool("aof-rewrite-incremental-fsync", null, None, true),
            Bool("no-appendfsync-on-rewrite", null, None, false),
            Bool("cluster-require-full-coverage", null, None, true),
            Bool("rdb-save-incremental-fsync", null, None, true),
            Bool("aof-load-truncated", null, None, true),
            Bool("aof-use-rdb-preamble", null, None, true),
            Bool("aof-timestamp-enabled", null, None, false),
            Bool("cluster-replica-no-failover", "cluster-slave-no-failover", None, false),
            Bool("replica-lazy-flush", "slave-lazy-flush", None, false),
            Bool("replica-serve-stale-data", "slave-serve-stale-data", None, true),
            Bool("replica-read-only", "slave-read-only", None, true),
            Bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", None, true),
            Bool("jemalloc-bg-thread", null, None, true),
            new BoolDefinition("activedefrag", null, None, false, ValidateActiveDefrag),
            Bool("syslog-enabled", null, Immutable, false),
            Bool("cluster-enabled", null, Immutable, false),
            Bool("appendonly", null, DenyLoading, false),
            Bool("cluster-allow-reads-when-down", null, None, false),
            Bool("cluster-allow-pubsubshard-when-down", null, None, true),
            Bool("crash-log-enabled", null, None, true),
            Bool("crash-memcheck-enabled", null, None, true),
            Bool("use-exit-on-panic", null, Hidden, false),
            Bool("disable-thp", null, Immutable, true),
            Bool("cluster-allow-replica-migration", null, None, true),
            Bool("replica-announced", null, None, true),
            Bool("latency-tracking", null, None, true),
            Bool("aof-disable-auto-gc", null, None, false),
            Bool("replica-ignore-disk-write-errors", null, None, false),

            // text parameters
            Text("aclfile", null, Immutable, "", emptyIsNull: false),
            Text("unixsocket", null, Immutable, null),
            Text("pidfile", null, Immutable, null),
            Text("replica-announce-ip", "slave-announce-ip", None, null),
            Text("masteruser", null, Sensitive, null),
            Text("cluster-announce-ip", null, None, null),
            Text("cluster-config-file", null, Immutable, "nodes.conf", emptyIsNull: false),
            new StringDefinition("cluster-announce-hostname", null, None, null, true, ValidateHostname),
            Text("syslog-ident", null, Immutable, "redis", emptyIsNull: false),
            new StringDefinition("dbfilename", null, Protected, "dump.rdb", false, ValidateDbFilename),
            new StringDefinition("appendfilename", null, Immutable, "appendonly.aof", false, ValidateAppendFilename),
            new StringDefinition("appenddirname", null, Immutable, "appendonlydir", false, ValidateAppendDirname),
            Text("server_cpulist", null, Immutable, null),
            Text("bio_cpulist", null, Immutable, null),
            Text("aof_rewrite_cpulist", null, Immutable, null),
            Text("bgsave_cpulist", null, Immutable, null),
            Text("ignore-warnings", null, None, "", emptyIsNull: false),
            new StringDefinition("proc-title-template", null, None, "{title} {listen-addr} {server-mode}", false, ValidateProcTitleTemplate),
            Text("bind-source-addr", null, None, null),
            Text("logfile", null, Immutable, "", emptyIsNull: false),
            Text("masterauth", null, Sensitive, null),
            Text("requirepass", null, Sensitive, null),

            // named values
            Enum("supervised", Immutable, [("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)], 0),
            Enum("syslog-facility", Immutable, [("user", 8), ("local0", 128), ("local1", 136), ("local2", 144), ("local3", 152), ("local4", 160), ("local5", 168), ("local6", 176), ("local7", 184)], 128),
            Enum("repl-diskless-load", DenyLoading, [("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)], 0),
            Enum("loglevel", None, [("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)], 2),
            Enum("maxmemory-policy", None, [("volatile-lru", 1), ("volatile-lfu", 2), ("volatile-random", 3), ("volatile-ttl", 4), ("allkeys-lru", 5), ("allkeys-lfu", 6), ("allkeys-random", 7), ("noeviction", 0)], 0),
            Enum("appendfsync", None, [("everysec", 2), ("always", 1), ("no", 0)], 2),
            Enum("oom-score-adj", None, [("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)], 0),
            Enum("acl-pubsub-default", None, [("allchannels", 1), ("resetchannels", 0)], 0),
            Enum("sanitize-dump-payload", None, [("no", 0), ("yes", 1), ("clients", 2)], 0),
            Enum("enable-protected-configs", Immutable, protectedAction, 0),
            Enum("enable-debug-command", Immutable, protectedAction, 0),
            Enum("enable-module-command", Immutable, protectedAction, 0),
            Enum("cluster-preferred-endpoint-type", None, [("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)], 0),
            Enum("propagation-error-behavior", None, [("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)], 0),
            ShutdownOn("shutdown-on-sigint"),
            ShutdownOn("shutdown-on-sigterm"),

            // integers
            Int("databases", null, Immutable, 1, IntMax, 16),
            Int("port", null, None, 0, 65535, 6379),
            Int("io-threads", null, Immutable, 1, 128, 1),
            Int("auto-aof-rewrite-percentage", null, None, 0, IntMax, 100),
            Int("cluster-replica-validity-factor", "cluster-slave-validity-factor", None, 0, IntMax, 10),
            Int("list-max-listpack-size", "list-max-ziplist-size", None, IntMin, IntMax, -2),
            Int("tcp-keepalive", null, None, 0, IntMax, 300),
            Int("cluster-migration-barrier", null, None, 0, IntMax, 1),
            Int("active-defrag-cycle-min", null, None, 1, 99, 1),
            Int("active-defrag-cycle-max", null, None, 1, 99, 25),
            Int("active-defrag-threshold-lower", null, None, 0, 1000, 10),
            Int("active-defrag-threshold-upper", null, None, 0, 1000, 100),
            Int("lfu-log-factor", null, None, 0, IntMax, 10),
            Int("lfu-decay-time", null, None, 0, IntMax, 1),
            Int("replica-priority", "slave-priority", None, 0, IntMax, 100),
            Int("repl-diskless-sync-delay", null, None, 0, IntMax, 5),
            Int("maxmemory-samples", null, None, 1, IntMax, 5),
            Int("maxmemory-eviction-tenacity", null, None, 0, 100, 10),
            Int("timeout", null, None, 0, IntMax, 0),
            Int("replica-announce-port", "slave-announce-port", None, 0, 65535, 0),
            Int("tcp-backlog", null, Immutable, 0, IntMax, 511),
            Int("cluster-port", null, Immutable, 0, 65535, 0),
            Int("cluster-announce-bus-port", null, None, 0, 65535, 0),
            Int("cluster-announce-port", null, None, 0, 65535, 0),
            Int("cluster-announce-tls-port", null, None, 0, 65535, 0),
            Int("repl-timeout", null, None, 1, IntMax, 60),
            Int("repl-ping-replica-period", "repl-ping-slave-period", None, 1, IntMax, 10),
            Int("list-compress-depth", null, None, 0, IntMax, 0),
            Int("rdb-key-save-delay", null, Hidden, IntMin, IntMax, 0),
            Int("key-load-delay", null, Hidden, IntMin, IntMax, 0),
            Int("active-expire-effort", null, None, 1, 10, 1),

            // Redis accepts any hz but runs between 1 and 500.
            new NumericDefinition("hz", null, None, 0, IntMax, 10, normalize: v => Math.Clamp(v, 1, 500)),
            Int("min-replicas-to-write", "min-slaves-to-write", None, 0, IntMax, 0),
            Int("min-replicas-max-lag", "min-slaves-max-lag", None, 0, IntMax, 10),
            Int("watchdog-period", null, Hidden, 0, IntMax, 0),
            Int("shutdown-timeout", null, None, 0, IntMax, 10),
            Int("repl-diskless-sync-max-replicas", null, None, 0, IntMax, 0),
            new NumericDefinition("maxclients", null, None, 1, UIntMax, 10000, unsigned: true),
            new NumericDefinition("unixsocketperm", null, Immutable, 0, Convert.ToInt64("777", 8), 0, NumericFormat.Octal, unsigned: true),
            new NumericDefinition("socket-mark-id", null, Immutable, 0, UIntMax, 0, unsigned: true),
            Int("active-defrag-max-scan-fields", null, None, 1, LongMax, 1000),
            Int("slowlog-max-len", null, None, 0, LongMax, 128),
            Int("acllog-max-len", null, None, 0, LongMax, 128),
            Int("busy-reply-threshold", "lua-time-limit", None, 0, LongMax, 5000),
            Int("cluster-node-timeout", null, None, 0, LongMax, 15000),
            Int("slowlog-log-slower-than", null, None, -1, LongMax, 10000),
            Int("latency-monitor-threshold", null, None, 0, LongMax, 0),
            Memory("proto-max-bulk-len", null, Mb, LongMax, 512 * Mb),
            Int("stream-node-max-entries", null, None, 0, LongMax, 100),
            Memory("repl-backlog-size", null, 1, LongMax, Mb),
            Memory("maxmemory", null, 0, ULongLongMax, 0, unsigned: true),
            Memory("cluster-link-sendbuf-limit", null, 0, ULongLongMax, 0, unsigned: true),
            new NumericDefinition("hash-max-listpack-entries", "hash-max-ziplist-entries", None, 0, LongMax, 512, unsigned: true),
            new NumericDefinition("set-max-intset-entries", null, None, 0, LongMax, 512, unsigned: true),
            new NumericDefinition("zset-max-listpack-entries", "zset-max-ziplist-entries", None, 0, LongMax, 128, unsigned: true),
            Memory("active-defrag-ignore-bytes", null, 1, LongMax, 100 * Mb, unsigned: true),
            Memory("hash-max-listpack-value", "hash-max-ziplist-value", 0, LongMax, 64, unsigned: true),
            Memory("stream-node-max-bytes", null, 0, LongMax, 4 * Kb, unsigned: true),
            Memory("zset-max-listpack-value", "zset-max-ziplist-value", 0, LongMax, 64, unsigned: true),
            Memory("hll-sparse-max-bytes", null, 0, LongMax, 3000, unsigned: true),
            new NumericDefinition("tracking-table-max-keys", null, None, 0, LongMax, 1000000, unsigned: true),
            Memory("client-query-buffer-limit", null, Mb, LongMax, 1024 * Mb, unsigned: true),
            new NumericDefinition("maxmemory-clients", null, None, -100, LongMax, 0, NumericFormat.MemoryOrPercent),
            Int("repl-backlog-ttl", null, None, 0, LongMax, 3600),
            Memory("auto-aof-rewrite-min-size", null, 0, LongMax, 64 * Mb),
            Int("loading-process-events-interval-bytes", null, Hidden, 1024, IntMax, 2 * Mb),

            // TLS
            Int("tls-port", null, None, 0, 65535, 0),
            Int("tls-session-cache-size", null, None, 0, IntMax, 20 * 1024),
            Int("tls-session-cache-timeout", null, None, 0, IntMax, 300),
            Bool("tls-cluster", null, None, false),
            Bool("tls-replication", null, None, false),
            Enum("tls-auth-clients", None, [("no", 0), ("yes", 1), ("optional", 2)], 1),
            Bool("tls-prefer-server-ciphers", null, None, false),
            Bool("tls-session-caching", null, None, true),
            Text("tls-cert-file", null, None, null),
            Text("tls-key-file", null, None, null),
            Text("tls-key-file-pass", null, None, null),
            Text("tls-client-cert-file", null, None, null),
            Text("tls-client-key-file", null, None, null),
            Text("tls-client-key-file-pass", null, None, null),
            Text("tls-dh-params-file", null, None, null),
            Text("tls-ca-cert-file", null, None, null),
            Text("tls-ca-cert-dir", null, None, null),
            Text("tls-protocols", null, None, null),
            Text("tls-ciphers", null, None, null),
            Text("tls-ciphersuites", null, None, null),

            // parameters with their own syntax
            new DirDefinition(),
            new SaveDefinition(),
            new ClientOutputBufferLimitDefinition(),
            new OomScoreAdjValuesDefinition(),
            new NotifyKeyspaceEventsDefinition(),
            new BindDefinition(),
            new ReplicaOfDefinition(),
            new LatencyPercentilesDefinition(),

            // OrleansReplica: number of keyspace shard grains; 0 means one per processor.
            Int("shards", null, Immutable, 0, 16384, 0),
        ];
    }

    private static BoolDefinition Bool(string name, string? alias, ConfigFlags flags, bool defaultValue) =>
        new(name, alias, flags, defaultValue);

    private static StringDefinition Text(string name, string? alias, ConfigFlags flags, string? defaultValue, bool emptyIsNull = true) =>
        new(name, alias, flags, defaultValue, emptyIsNull);

    private static EnumDefinition Enum(string name, ConfigFlags flags, (string, int)[] values, int defaultValue) =>
        new(name, null, flags, values, defaultValue);

    private static NumericDefinition Int(string name, string? alias, ConfigFlags flags, long lower, long upper, long defaultValue) =>
        new(name, alias, flags, lower, upper, defaultValue);

    private static NumericDefinition Memory(string name, string? alias, long lower, long upper, long defaultValue, bool unsigned = false) =>
        new(name, alias, None, lower, upper, defaultValue, NumericFormat.Memory, unsigned);

    private static EnumDefinition ShutdownOn(string name) =>
        new(name, null, ConfigFlags.MultiArg, [("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)], 0,
            v => (v & 3) == 3 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null);

    // The Debian build has no defragmenting allocator, and neither do we.
    private static string? ValidateActiveDefrag(bool enable) => enable
        ? "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
        : null;

    private static bool IsBaseName(string path) => path.IndexOfAny(['/', '\\']) < 0;

    private static string? ValidateDbFilename(string value) =>
        IsBaseName(value) ? null : "dbfilename can't be a path, just a filename";

    private static string? ValidateAppendFilename(string value) =>
        value.Length == 0 ? "appendfilename can't be empty"
        : IsBaseName(value) ? null : "appendfilename can't be a path, just a filename";

    private static string? ValidateAppendDirname(string value) =>
        value.Length == 0 ? "appenddirname can't be empty"
        : IsBaseName(value) ? null : "appenddirname can't be a path, just a dirname";

    private static string? ValidateHostname(string value)
    {
        if (value.Length >= 256)
        {
            return "Hostnames must be less than 256 characters";
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.')
            {
                return "Hostnames may only contain alphanumeric characters, hyphens or dots";
            }
        }

        return null;
    }

    // Variables in {braces} must be known, "{{" and "}}" are literal braces, and the title must not be blank.
    private static string? ValidateProcTitleTemplate(string template)
    {
        const string invalid = "template format is invalid or contains unknown variables";
        var expanded = new System.Text.StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                expanded.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                expanded.Append('}');
                i++;
            }
            else if (c == '{')
            {
                int end = template.IndexOf('}', i + 1);
                if (end < 0)
                {
                    return invalid;
                }

                string variable = template[(i + 1)..end];
                if (variable is not ("title" or "listen-addr" or "server-mode" or "port" or "tls-port" or "unixsocket" or "config-file"))
                {
                    return invalid;
                }

                // Checked with an empty title, as Redis does; these expand to nothing on a plain server.
                if (variable is not ("title" or "server-mode" or "unixsocket"))
                {
                    expanded.Append('x');
                }

                i = end;
            }
            else
            {
                expanded.Append(c);
            }
        }

        return expanded.ToString().Trim(' ').Length == 0 ? invalid : null;
    }
}
