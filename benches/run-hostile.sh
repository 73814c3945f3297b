#!/usr/bin/env bash
# The hostile-traffic measurements of docs/BENCHMARKS.md (issue 10): builds
# the bench binaries in release mode and runs `hostile` against a real
# bench-server process: the bystander connection's p50/p99/max under each
# attack (metadata floods, gzip bombs, slowloris, a slow body, oversized
# frames on its own connection), when the server closed each attacker, and
# the server's memory over 12 rounds of 2,000 connections.
#
#   benches/run-hostile.sh            # the full run (a few minutes)
#   benches/run-hostile.sh --quick    # seconds
#
# Other arguments go to hostile (e.g. --only slowloris,memory, --strict).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p benches --bins
# 2,000 concurrent connections need that many descriptors on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec "${CARGO_TARGET_DIR:-target}/release/hostile" "$@"
