#!/usr/bin/env bash
# Master/replica replication, silo trio against a redis-server trio on the same machine, in the same run.
# Each round starts, for each server, a fresh master and two empty replicas (repl-diskless-sync-delay 0 on the
# master, every other setting at its default), then runs each step below on both, one right after the other:
#   1. loads KEYS keys (key:%012d, 100 B values) into the master;
#   2. SET throughput with no replica: redis-benchmark -t set -c 50 -n REQUESTS -P 16 -d 100 -r KEYS;
#   3. full sync: REPLICAOF on replica 1, timed from the REPLICAOF reply until its INFO shows master_link_status:up
#      and slave_repl_offset equal to the master's master_repl_offset (polled every 2 ms); DEBUG DIGEST compared;
#   4. the same SET load with 1 replica, sampling every 10 ms master_repl_offset − slave_repl_offset of each replica
#      (max, mean, in bytes) and, after the load, the time until every replica has caught up; digests compared;
#   5. full sync of replica 2 (replica 1 stays attached), then the load with 2 replicas, as in 4.
# With P1=1, steps 2, 4 and 5 also run with -P 1 and P1_REQUESTS requests. Each load is preceded by an unmeasured
# warm-up of WARMUP requests (as in throughput.sh): a replica process fresh from its full sync has not compiled its
# stream-applying code yet, and about one second of its CPU would go to the JIT inside the measured load.
#   bench/replication.sh              ROUNDS=2 KEYS=1000000 REQUESTS=1000000 by default
# SILO_BIN=path/to/silo runs an already built silo instead of building one. Raw rows (all columns) go to OUT.fullsync
# and OUT.writeload (OUT defaults to a file under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${KEYS:-1000000}
rounds=${ROUNDS:-2}
requests=${REQUESTS:-1000000}
p1=${P1:-0}
p1_requests=${P1_REQUESTS:-200000}
warmup=${WARMUP:-300000}
work=$(mktemp -d /tmp/replication-bench.XXXXXX)
out=${OUT:-$work}
started=$SECONDS

source bench/common.sh
build_tools OrleansReplica.ReplicationBenchmark

# start NAME DIR: starts one server in the background; sets port and pid.
start() {
    port=$(free_port)
    mkdir -p "$2"
    if [ "$1" = silo ]; then
        "$silo_bin" --port "$port" --bind 127.0.0.1 --save "" --dir "$2" --loglevel warning >"$2.log" 2>&1 &
    else
        redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$2" --loglevel warning \
            --enable-debug-command yes --daemonize no >"$2.log" 2>&1 &
    fi
    pid=$!
    pids+=("$pid")
    wait_ready "$port"
}
stop() { # port pid
    redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 100); do kill -0 "$2" 2>/dev/null || break; sleep 0.05; done
    kill "$2" 2>/dev/null || true
    wait "$2" 2>/dev/null || true
    local left=() p
    for p in "${pids[@]}"; do [ "$p" = "$2" ] || left+=("$p"); done
    pids=("${left[@]}")
}
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

"${tool[@]}" header fullsync >"$out.fullsync"
"${tool[@]}" header writeload >"$out.writeload"
: >"$out.load"

declare -A mport mpid r1port r1pid r2port r2pid
start_trio() { # name round
    local dir=$work/srv-$1-$2
    start "$1" "$dir/master"; mport[$1]=$port; mpid[$1]=$pid
    start "$1" "$dir/replica1"; r1port[$1]=$port; r1pid[$1]=$pid
    start "$1" "$dir/replica2"; r2port[$1]=$port; r2pid[$1]=$pid
    [ "$(redis-cli -p "${mport[$1]}" config set repl-diskless-sync-delay 0)" = OK ] ||
        { echo "$1: CONFIG SET repl-diskless-sync-delay 0 failed" >&2; exit 1; }
}
stop_trio() { # name round
    stop "${r2port[$1]}" "${r2pid[$1]}"; stop "${r1port[$1]}" "${r1pid[$1]}"; stop "${mport[$1]}" "${mpid[$1]}"
    rm -rf "$work/srv-$1-$2"
}
load_master() { # name round
    echo "$1 round $2: loading $keys keys (load average $(load_average))" >&2
    "${tool[@]}" load --port "${mport[$1]}" --keys "$keys"
    local loaded; loaded=$(redis-cli -p "${mport[$1]}" dbsize)
    [ "$loaded" = "$keys" ] || { echo "$1 master holds $loaded keys, not $keys" >&2; exit 1; }
}
master_args() { echo --server "$1" --round "$2" --master "${mport[$1]}" --master-pid "${mpid[$1]}"; }
writeload() { # name round replicas
    local args; read -ra args <<<"$(master_args "$1" "$2")"
    redis-benchmark -p "${mport[$1]}" -t set -c 50 -n "$warmup" -P 16 -d 100 -r "$keys" -q >/dev/null 2>&1
    "${tool[@]}" writeload "${args[@]}" --replicas "$3" --requests "$requests" --pipeline 16 --keyspace "$keys" >>"$out.writeload"
    if [ "$p1" = 1 ]; then
        "${tool[@]}" writeload "${args[@]}" --replicas "$3" --requests "$p1_requests" --pipeline 1 --keyspace "$keys" >>"$out.writeload"
    fi
}
fullsync() { # name round replica-number
    local args; read -ra args <<<"$(master_args "$1" "$2")"
    local port=${r1port[$1]} pid=${r1pid[$1]}
    if [ "$3" = 2 ]; then port=${r2port[$1]}; pid=${r2pid[$1]}; fi
    "${tool[@]}" fullsync "${args[@]}" --replica "$port" --replica-pid "$pid" --replica-number "$3" >>"$out.fullsync"
}
replicas_of() { # name count
    case $2 in
        0) echo "" ;;
        1) echo "${r1port[$1]}:${r1pid[$1]}" ;;
        2) echo "${r1port[$1]}:${r1pid[$1]},${r2port[$1]}:${r2pid[$1]}" ;;
    esac
}

# Both trios run side by side and every step runs on one server right after the other (the order alternates by
# round), so that the machine's background load, which drifts over tens of seconds, hits both alike.
for round in $(seq "$rounds"); do
    if [ $((round % 2)) = 1 ]; then order=(silo redis); else order=(redis silo); fi
    for name in "${order[@]}"; do start_trio "$name" "$round"; done
    for name in "${order[@]}"; do load_master "$name" "$round"; done
    for name in "${order[@]}"; do printf '%s\t%s\tbefore\t%s\n' "$name" "$round" "$(load_average)" >>"$out.load"; done
    for name in "${order[@]}"; do writeload "$name" "$round" ""; done
    for name in "${order[@]}"; do fullsync "$name" "$round" 1; done
    for name in "${order[@]}"; do writeload "$name" "$round" "$(replicas_of "$name" 1)"; done
    for name in "${order[@]}"; do fullsync "$name" "$round" 2; done
    for name in "${order[@]}"; do writeload "$name" "$round" "$(replicas_of "$name" 2)"; done
    for name in "${order[@]}"; do printf '%s\t%s\tafter\t%s\n' "$name" "$round" "$(load_average)" >>"$out.load"; done
    for name in "${order[@]}"; do stop_trio "$name" "$round"; done
    echo "round $round of $rounds done ($((SECONDS - started)) s)" >&2
done

echo
echo "== full sync of $keys keys (seconds from the REPLICAOF reply until link up and offsets equal)"
awk -F'\t' '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; printf "%-6s %5s %7s %8s %9s %12s %8s %7s %7s %s\n", "server", "round", "replica", "sync_s", "link_up_s", "offset", "digest", "m_cpu", "r_cpu", "mode"; next }
{
    printf "%-6s %5s %7s %8s %9s %12s %8s %7s %7s %s\n", $c["server"], $c["round"], $c["replica"], $c["sync_s"], $c["link_up_s"],
        $c["replica_offset"], $c["digest"], $c["master_cpu_s"], $c["replica_cpu_s"], $c["mode"]
    k = $c["server"]; n[k]++; v[k, n[k]] = $c["sync_s"]
}
function median(s,    i, j, t, m, a) {
    m = n[s]; for (i = 1; i <= m; i++) a[i] = v[s, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
    if (n["silo"] && n["redis"])
        printf "median sync s: silo %.3f redis %.3f  silo/redis %.2f  (target: silo faster: %s)\n",
            median("silo"), median("redis"), median("silo") / median("redis"), median("silo") < median("redis") ? "met" : "NOT met"
}' "$out.fullsync"

echo
echo "== SET throughput (redis-benchmark -c 50 -d 100 -r $keys) and replica lag (bytes; sampled every 10 ms)"
awk -F'\t' '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
    printf "%-6s %5s %4s %3s %9s %5s %10s %10s %10s %10s %9s %8s %6s %6s %s\n", "server", "round", "repl", "P", "ops/s", "smp",
        "r1_max", "r1_mean", "r2_max", "r2_mean", "catchup_s", "digest", "m_cpu", "r_cpu", "mode"; next }
{
    printf "%-6s %5s %4s %3s %9s %5s %10s %10s %10s %10s %9s %8s %6s %6s %s\n", $c["server"], $c["round"], $c["replicas"], $c["pipeline"],
        $c["ops_s"], $c["samples"], $c["r1_max_B"], $c["r1_mean_B"], $c["r2_max_B"], $c["r2_mean_B"], $c["catchup_s"], $c["digest"],
        $c["master_cpu_s"], $c["replica_cpu_s"], $c["mode"]
    k = $c["server"] SUBSEP $c["replicas"] SUBSEP $c["pipeline"]; keys[$c["replicas"] SUBSEP $c["pipeline"]] = 1
    n[k]++; ops[k, n[k]] = $c["ops_s"]
    mx = $c["r1_max_B"]; if ($c["r2_max_B"] != "-" && $c["r2_max_B"] + 0 > mx + 0) mx = $c["r2_max_B"]
    mn = $c["r1_mean_B"]; if ($c["r2_mean_B"] != "-" && $c["r2_mean_B"] + 0 > mn + 0) mn = $c["r2_mean_B"]
    lmax[k, n[k]] = mx; lmean[k, n[k]] = mn; cu[k, n[k]] = $c["catchup_s"]
}
function median(arr, k,    i, j, t, m, a) {
    m = n[k]; for (i = 1; i <= m; i++) a[i] = arr[k, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
    printf "\nmedians (lag: worse replica of each run)\n"
    printf "%4s %3s %10s %10s %7s | %10s %10s | %10s %10s | %9s %9s\n", "repl", "P", "silo ops/s", "redis ops/s", "ratio",
        "silo maxB", "redis maxB", "silo meanB", "redis meanB", "silo cu_s", "redis cu_s"
    for (r = 0; r <= 2; r++) for (p = 16; p >= 1; p -= 15) {
        if (!((r SUBSEP p) in keys)) continue
        s = "silo" SUBSEP r SUBSEP p; d = "redis" SUBSEP r SUBSEP p
        if (!n[s] || !n[d]) continue
        if (r == 0) printf "%4d %3d %10.0f %10.0f %7.2f |\n", r, p, median(ops, s), median(ops, d), median(ops, s) / median(ops, d)
        else printf "%4d %3d %10.0f %10.0f %7.2f | %10.0f %10.0f | %10.0f %10.0f | %9.3f %9.3f\n", r, p, median(ops, s), median(ops, d),
            median(ops, s) / median(ops, d), median(lmax, s), median(lmax, d), median(lmean, s), median(lmean, d), median(cu, s), median(cu, d)
    }
}' "$out.writeload"
echo
echo "load average (1/5/15 min) before and after each server's run:"
column -t "$out.load" 2>/dev/null || cat "$out.load"
echo "total $((SECONDS - started)) s; raw rows: $out.fullsync $out.writeload" >&2
