#!/usr/bin/env bash
# BGSAVE under a concurrent write load, silo against a real redis-server on the same machine, in the same run.
# Both servers hold the same KEYS keys (key:%012d, the value redis-benchmark -d 100 writes) while
# `redis-benchmark -t set -r KEYS -d 100 -c 8 -P 1` runs against the server under test. For each BGSAVE:
#   - pauses: a probe connection GETs random keys one at a time; max and p99.9 round trip during the
#     snapshot, against the same probe over an equally long window just before it (baseline);
#   - snapshot time: BGSAVE reply until LASTSAVE changes (polled every 2 ms),
#     and dump.rdb size / that time;
#   - extra memory: peak VmRSS during the snapshot minus VmRSS just before BGSAVE (sampled every 5 ms); for
#     redis-server plus the fork child's private pages (smaps_rollup), next to its rdb_last_cow_size.
# Rounds alternate silo, redis, silo, redis... after one untimed BGSAVE each (this VM is noisy).
# RATE=N replaces redis-benchmark's back-to-back load (which keeps both cores busy, so the baseline itself has
# multi-ms scheduling delays) with N SETs/s of the same keys and value over 8 connections, paced by the tool.
#   bench/snapshot.sh                 ROUNDS=3 KEYS=1000000 by default
# SILO_BIN=path/to/silo runs an already built silo instead of building one. RDBCOMPRESSION=no|yes sets
# both servers' rdbcompression (default: each server's default, yes). Raw rows (every column) go to OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${KEYS:-1000000}
rounds=${ROUNDS:-3}
work=$(mktemp -d /tmp/snapshot-bench.XXXXXX)
out=${OUT:-$work.tsv}
mkdir -p "$work/silo" "$work/redis"

source bench/common.sh
build_tools OrleansReplica.SnapshotBenchmark

silo_port=$(free_port)
"$silo_bin" --port "$silo_port" --bind 127.0.0.1 --save "" --dir "$work/silo" --loglevel warning >"$work/silo.log" 2>&1 &
silo_pid=$!; pids+=("$silo_pid")
wait_ready "$silo_port"
redis_port=$(free_port)
while [ "$redis_port" = "$silo_port" ]; do redis_port=$(free_port); done
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis" --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
wait_ready "$redis_port"

for port in "$silo_port" "$redis_port"; do
    if [ -n "${RDBCOMPRESSION:-}" ]; then redis-cli -p "$port" config set rdbcompression "$RDBCOMPRESSION" >/dev/null; fi
    # The load writes redis-benchmark's own value everywhere, so the write load leaves the dataset as it is.
    redis-benchmark -p "$port" -t set -r 1 -d 100 -n 1 -c 1 -q >/dev/null 2>&1
    "${tool[@]}" load --port "$port" --keys "$keys" --value-of key:000000000000
    loaded=$(redis-cli -p "$port" dbsize)
    [ "$loaded" = "$keys" ] || { echo "port $port holds $loaded keys, not $keys" >&2; exit 1; }
done
echo "loaded $keys keys into both servers" >&2

measure() { # name port pid round
    local dir=$work/$1
    if [ -n "${RATE:-}" ]; then
        "${tool[@]}" pace --port "$2" --keys "$keys" --rate "$RATE" --value-of key:000000000000 >/dev/null 2>&1 &
    else
        redis-benchmark -p "$2" -t set -r "$keys" -d 100 -c 8 -P 1 -n 2000000000 -q >/dev/null 2>&1 &
    fi
    local load=$!
    pids+=("$load")
    sleep 2
    "${tool[@]}" measure --server "$1" --port "$2" --pid "$3" --dir "$dir" --round "$4" --keys "$keys" --before 4
    kill "$load" 2>/dev/null || true
    wait "$load" 2>/dev/null || true
}

"${tool[@]}" header >"$out"
measure silo "$silo_port" "$silo_pid" 0 >>"$out"
measure redis "$redis_port" "$redis_pid" 0 >>"$out"
for round in $(seq "$rounds"); do
    measure silo "$silo_port" "$silo_pid" "$round" >>"$out"
    measure redis "$redis_port" "$redis_pid" "$round" >>"$out"
    echo "round $round of $rounds done" >&2
done

# The table: timed rounds only (round 0 warms up JIT and page cache), then medians and silo/redis.
awk -F'\t' '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$c["round"] == 0 { next }
{
    s = $c["server"]
    printf "%-6s %5s %8s %8s %7s %7s %7s %6s %7s %7s %8s %8s %7s %7s %7s %9s\n", s, $c["round"], $c["keys"], $c["used_MB"], $c["rss_MB"],
        $c["snap_s"], $c["rdb_MB"], $c["MBps"], $c["max_ms"], $c["p999_ms"], $c["base_max_ms"], $c["base_p999_ms"],
        $c["extra_MB"], $c["extra_pct"], (s == "redis" ? $c["cow_MB"] : "-"), $c["snap_ops_s"] "/" $c["base_ops_s"]
    n[s]++; t[s, n[s]] = $c["snap_s"]; p[s, n[s]] = $c["max_ms"]; x[s, n[s]] = $c["extra_pct"]
}
function median(a, s, k,    i, j, v, m) {
    m = n[s]
    for (i = 1; i <= m; i++) v[i] = a[s, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] + 0 < v[i] + 0) { k = v[i]; v[i] = v[j]; v[j] = k }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
BEGIN {
    printf "%-6s %5s %8s %8s %7s %7s %7s %6s %7s %7s %8s %8s %7s %7s %7s %9s\n", "server", "round", "keys", "data_MB", "rss_MB",
        "snap_s", "rdb_MB", "MB/s", "max_ms", "p99.9", "base_max", "base_p999", "extra_MB", "extra%", "cow_MB", "writes/s snap/before"
}
END {
    printf "\nmedians: snapshot s silo %.2f redis %.2f (silo/redis %.2f); max pause ms silo %.2f redis %.2f; extra %% silo %.1f redis %.1f\n",
        median(t, "silo"), median(t, "redis"), median(t, "silo") / median(t, "redis"),
        median(p, "silo"), median(p, "redis"), median(x, "silo"), median(x, "redis")
    printf "silo budgets: max pause <= 5 ms: %s (median %.2f ms); extra memory <= 10%% of dataset: %s (median %.1f%%)\n",
        median(p, "silo") <= 5 ? "met" : "NOT met", median(p, "silo"), median(x, "silo") <= 10 ? "met" : "NOT met", median(x, "silo")
}' "$out"
echo "raw rows (all columns): $out" >&2
