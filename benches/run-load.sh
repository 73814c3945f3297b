#!/usr/bin/env bash
# The load comparison of docs/BENCHMARKS.md (issue 11's matrix): builds the
# bench binaries in release mode and runs every contender (raw floor, this
# project over Client with protobuf, msgpack and JSON and over XClient,
# tarpc, tonic) as separate server and client processes:
#   1. the standard matrix: c = 100 and 1000 x 1, 4 and 16 connections,
#   2. the CPU-bound handler: --work-us 200 at 1 connection, c = 100,
#   3. each server holding 10,000 idle connections.
# Run it on a quiet machine. Medians over --runs 3 (5 with --runs 5).
#
#   benches/run-load.sh            # the full run (about an hour on 2 cores)
#   benches/run-load.sh --quick    # one run each, 50,000 calls, no idle test
#
# Other arguments go to every load-suite call (e.g. --only raw,rpc-protobuf).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=(--runs 3 -n 200000)
idle=(--idle 10000)
if [ "${1:-}" = "--quick" ]; then
    shift
    runs=(--runs 1 -n 50000)
    idle=()
fi
cargo build --release --quiet -p benches --bins
# 10,000 idle connections need that many file descriptors on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
suite="${CARGO_TARGET_DIR:-target}/release/load-suite"
echo "## standard matrix"
"$suite" "${runs[@]}" -c 100,1000 --conns 1,4,16 "$@"
echo
echo "## CPU-bound handlers: 200 µs of CPU before the first await"
"$suite" "${runs[@]}" -c 100 --conns 1 --work-us 200 "${idle[@]}" "$@"
