#!/usr/bin/env bash
# Where the time goes (issue 11): records `perf record -e cpu-clock -g` of the
# rpc server and of the client (rpc-protobuf, c = 100, 4 connections) as
# separate processes, then writes to docs/profile/:
#   server-report.txt, client-report.txt   perf report --no-children --stdio (top entries)
#   server.svg, client.svg                 flame graphs, when inferno is (or can be) installed
# Run it on a quiet machine.
#
#   benches/profile.sh [-n CALLS] [-c CALLERS] [--conns N] [--contender NAME] [--out DIR]
#
# The binaries are built in release mode with frame pointers (so that -g
# call graphs are whole) and line tables, in their own target directory
# (target/profiling) so that the ordinary release build is not invalidated.
# BENCH_BIN_DIR=dir skips that build and uses the binaries in dir.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=1000000 callers=100 conns=4 contender=rpc-protobuf out=docs/profile
while [ $# -gt 0 ]; do
    case "$1" in
        -n) calls=$2; shift 2 ;;
        -c) callers=$2; shift 2 ;;
        --conns) conns=$2; shift 2 ;;
        --contender) contender=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "profile.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if ! command -v perf >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "profile.sh: installing perf (Debian package linux-perf)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
    else
        echo "profile.sh: perf is missing; install the linux-perf package" >&2
        exit 1
    fi
fi
if ! command -v inferno-flamegraph >/dev/null 2>&1; then
    echo "profile.sh: installing inferno for flame graphs (cargo install inferno)"
    cargo install --quiet --locked inferno || echo "profile.sh: no inferno; text reports only" >&2
fi

if [ -n "${BENCH_BIN_DIR:-}" ]; then
    bin=$BENCH_BIN_DIR
else
    export CARGO_TARGET_DIR=target/profiling
    RUSTFLAGS="-C force-frame-pointers=yes" CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
        cargo build --release --quiet -p benches --bins
    bin=$CARGO_TARGET_DIR/release
fi
mkdir -p "$out"
work=$(mktemp -d)
server_pid="" perf_server_pid=""
cleanup() {
    # Only the processes this script started, by their ids.
    [ -n "$perf_server_pid" ] && kill -INT "$perf_server_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

server_kind=rpc
case "$contender" in raw|tarpc|tonic) server_kind=$contender ;; esac
"$bin/bench-server" "$server_kind" >"$work/server.out" &
server_pid=$!
addr=""
for _ in $(seq 100); do
    addr=$(sed -n 's/^listening on //p' "$work/server.out")
    [ -n "$addr" ] && break
    sleep 0.1
done
[ -n "$addr" ] || { echo "profile.sh: bench-server did not start" >&2; exit 1; }

perf record -q -e cpu-clock -g -o "$work/server.data" -p "$server_pid" 2>"$work/perf-server.log" &
perf_server_pid=$!
sleep 1 # let perf attach before the load starts
perf record -q -e cpu-clock -g -o "$work/client.data" -- \
    "$bin/bench-client" "$contender" --addr "$addr" -c "$callers" -n "$calls" --conns "$conns" \
    --server-pid "$server_pid" | tee "$work/client.out"
kill -INT "$perf_server_pid"
wait "$perf_server_pid" || true
perf_server_pid=""
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
grep -q ' errors=0 ' "$work/client.out" || { echo "profile.sh: the run had errors" >&2; exit 1; }

setting="$contender, c = $callers, $conns connection(s), $calls calls, $(date -u +%Y-%m-%d)"
for side in server client; do
    {
        echo "# perf report --no-children --stdio: $side side of $setting"
        echo "# $(grep '^result' "$work/client.out")"
        # Flat first (where the time is), then the call graphs (who called
        # it). sed, not head: head would close the pipe early, and the
        # resulting SIGPIPE ends the script under pipefail.
        echo "## flat profile"
        perf report -i "$work/$side.data" --no-children --stdio -g none --percent-limit 0.3 2>/dev/null \
            | grep -v '^$' | grep -v '^#' | sed -n '1,80p'
        echo "## call graphs"
        perf report -i "$work/$side.data" --no-children --stdio --percent-limit 0.5 2>/dev/null \
            | grep -v '^$' | sed -n '1,400p'
    } >"$out/$side-report.txt"
    if command -v inferno-flamegraph >/dev/null 2>&1; then
        perf script -i "$work/$side.data" 2>/dev/null | inferno-collapse-perf \
            | inferno-flamegraph --title "$side: $setting" >"$out/$side.svg"
    fi
    echo "wrote $out/$side-report.txt$([ -f "$out/$side.svg" ] && echo " and $out/$side.svg")"
done
