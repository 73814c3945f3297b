#!/usr/bin/env bash
# The load comparison of docs/BENCHMARKS.md: builds the bench binaries in
# release mode and runs every contender (raw floor, this project over Client
# and XClient with protobuf and msgpack, tarpc, tonic) as separate server and
# client processes, 3 runs each at c = 100 and c = 1000, then measures each
# server holding 10,000 idle connections. Extra arguments go to load-suite
# (e.g. --runs 5, -n 500000, --only raw,rpc-protobuf).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p benches --bins
# 10,000 idle connections need that many file descriptors on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec "${CARGO_TARGET_DIR:-target}/release/load-suite" --runs 3 -c 100,1000 -n 200000 --idle 10000 "$@"
