#!/usr/bin/env bash
# Runs every reliability scenario (GHL faults, hostile MCP input, path injection) RUNS times
# against the release binary and a fake GHL on 127.0.0.1, and writes the tally to
# RELIABILITY.md. The same scenarios run once each, as separate tests, in `cargo test`.
#
# Usage: scripts/reliability.sh [RUNS]   (default 20; about 4 s a run of the slowest rows)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
GHL_RELIABILITY_RUNS="$runs" GHL_RELIABILITY_REPORT="$PWD/RELIABILITY.md" \
  cargo test --release --locked --test reliability -- --ignored --exact write_reliability_report --nocapture
echo "wrote RELIABILITY.md ($runs runs per scenario)"
