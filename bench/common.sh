# Shared by the benchmark scripts (sourced after `work` is set): cleanup of the servers they start,
# building a benchmark tool and the silo, free ports and waiting for a server to answer.

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# build_tools PROJECT: builds bench/PROJECT into $work/tool (sets `tool`) and, unless SILO_BIN is set,
# the silo into $work/silo-bin (sets `silo_bin`).
build_tools() {
    echo "building..." >&2
    dotnet build "bench/$1" -c Release -nologo -v quiet -o "$work/tool" >"$work/build.log" 2>&1 ||
        { cat "$work/build.log" >&2; exit 1; }
    tool=(dotnet "$work/tool/$1.dll")
    silo_bin=${SILO_BIN:-}
    if [ -z "$silo_bin" ]; then
        dotnet build silo -c Release -nologo -v quiet -o "$work/silo-bin" >"$work/build.log" 2>&1 ||
            { cat "$work/build.log" >&2; exit 1; }
        silo_bin=$work/silo-bin/silo
    fi
}

# free_port: a port in 17000-17999 nobody listens on now.
free_port() {
    local port
    while :; do
        port=$((17000 + RANDOM % 1000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}

# wait_ready PORT: until the server there answers PING.
wait_ready() {
    for _ in $(seq 200); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.05; done
    echo "server on port $1 did not start" >&2; exit 1
}
