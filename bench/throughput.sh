#!/usr/bin/env bash
# Throughput of a silo against a real redis-server on the same machine, in the same run:
# redis-benchmark -t set,get,incr,mset -c 50 -n N at pipeline depths 1, 16 and 64,
# printing ops/s for each and the ratio silo/redis. This VM's run-to-run noise is about ±25%, so each
# pipeline depth runs ROUNDS times (default 5), alternating which server goes first; the table gives
# the median ops/s of each server and, in the last column, every round's ratio. (With 3 rounds, the
# -P 1 medians of one build ranged 0.82-1.05 between runs, its single rounds 0.82-1.24.)
#   bench/throughput.sh [requests=1000000]
# SILO_BIN=path/to/silo runs an already built silo instead of building one; DEPTHS="1 16" runs only
# those pipeline depths.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
silo_port=16379
redis_port=16380
work=$(mktemp -d)

silo_bin=${SILO_BIN:-}
if [ -z "$silo_bin" ]; then
    dotnet build silo -c Release -nologo -v quiet >/dev/null
    silo_bin=silo/bin/Release/net10.0/silo
fi

"$silo_bin" --port $silo_port --bind 127.0.0.1 --save "" --dir "$work" --loglevel warning >"$work/silo.log" 2>&1 &
silo_pid=$!
redis-server --port $redis_port --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
trap 'kill $silo_pid $redis_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for port in $silo_port $redis_port; do
    for _ in $(seq 100); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.1; done
done

run() { # port pipeline -> "test ops" lines
    redis-benchmark -p "$1" -t set,get,incr,mset -c 50 -n "$requests" -P "$2" -q --csv 2>/dev/null |
        tail -n +2 | tr -d '"' | awk -F, '{sub(/ .*/, "", $1); print $1, $2}'
}

# Warm-up, untimed and identical for both servers: the silo's JIT compiles its hot paths
# (tiered compilation) during the first few hundred thousand requests.
for port in $silo_port $redis_port; do
    redis-benchmark -p "$port" -t set,get,incr,mset -c 50 -n 300000 -P 16 -q >/dev/null 2>&1
done

rounds=${ROUNDS:-5}
median() { sort -n | awk '{v[NR] = $1} END {printf "%.0f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

printf '%-6s %-4s %14s %14s %7s   %s\n' test P silo_ops_s redis_ops_s ratio rounds
for pipeline in ${DEPTHS:-1 16 64}; do
    : >"$work/silo.ops"; : >"$work/redis.ops"
    for round in $(seq "$rounds"); do
        if [ $((round % 2)) = 1 ]; then order=(silo redis); else order=(redis silo); fi
        for name in "${order[@]}"; do
            port=$silo_port; [ "$name" = redis ] && port=$redis_port
            redis-cli -p $port flushall >/dev/null
            run $port $pipeline | sed "s/^/$round /" >>"$work/$name.ops"
        done
    done
    for test in SET GET INCR MSET; do
        silo=$(awk -v t=$test '$2 == t {print $3}' "$work/silo.ops" | median)
        redis=$(awk -v t=$test '$2 == t {print $3}' "$work/redis.ops" | median)
        each=$(join <(awk -v t=$test '$2 == t {print $1, $3}' "$work/silo.ops") <(awk -v t=$test '$2 == t {print $1, $3}' "$work/redis.ops") |
            awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $2 / $3}')
        printf '%-6s %-4s %14.0f %14.0f %7.2f   %s\n' "$test" "$pipeline" "$silo" "$redis" "$(echo "$silo / $redis" | bc -l)" "$each"
    done
done
