#!/usr/bin/env bash
# The whole benchmark suite, in one command: about 2.5 minutes on 2 cores once the release
# binary and the bench profile are compiled (a fresh clone compiles both first, which takes
# longer than the suite itself):
#
#   scripts/bench.sh [--quick]
#
#   1. startup: spawn → first tools/list answer, 20 spawns per mode (and all tools of one
#      app), tools/list size, peak RSS; then the instructions of one spawn per mode under
#      callgrind (load-independent)
#   2. per-call overhead: 1,000 get_contact calls through the server over stdio, each paired
#      with the same GET sent directly with reqwest; peak RSS after tools/list and after them
#   3. batch throughput: 1,000 items (10 execute_batch calls) against a fake GHL enforcing
#      100 requests per 10 s, the server configured the same: share of the quota, 429s
#   4. argument validation and request building in process (criterion)
#
# Build times are a separate command, `scripts/bench-build.sh --release` (a clean release
# build of a copy of the tree, then one-line YAML edits rebuilt): alone it takes longer than
# this whole suite on 2 cores.
#
# --quick: fewer spawns, calls and items, no callgrind (about a minute).
# Prints the machine, the load (uptime) before each part, and every figure; nothing is
# asserted. BENCHMARKS.md explains each figure.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

quick=false
[ "${1:-}" = "--quick" ] && quick=true
target=${CARGO_TARGET_DIR:-target}
# Absolute: cargo bench runs the bench from its own crate's directory.
binary=$(realpath -m "$target/release/ghl-mcp")

section() {
  echo
  echo "== $1"
  echo "load: $(uptime | sed 's/.*load average/load average/')"
}

started=$(date +%s)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), \
$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(uname -sr)"
echo "toolchain: $(rustc --version)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with local changes)')"

section "release build (cached after the first run)"
cargo build --release --locked --quiet
ls -l "$binary" | awk '{ printf "binary: %.1f MiB\n", $5 / 1048576 }'

if $quick; then runs=5; calls=200; batches=2; else runs=20; calls=1000; batches=10; fi

section "1. startup: spawn → first tools/list answer"
for mode in meta all; do
  scripts/bench-startup.py --runs "$runs" --binary "$binary" --tools "$mode"
done
# What an agent pays when it asks for one app's tools rather than all of them.
scripts/bench-startup.py --runs "$runs" --binary "$binary" --tools all --apps contacts
if ! $quick && command -v valgrind >/dev/null; then
  for mode in meta all; do
    scripts/bench-startup.py --instructions --binary "$binary" --tools "$mode"
  done
fi

section "2 and 3. per-call overhead, memory, batch throughput (compiles the bench profile once)"
cargo bench --locked --quiet -p ghl-runtime --bench call_overhead -- \
  --binary "$binary" --calls "$calls" --batches "$batches"

section "4. argument validation and request building, in process (criterion)"
criterion_flags=()
$quick && criterion_flags=(--quick)
cargo bench --locked --quiet -p ghl-runtime --bench build_request -- "${criterion_flags[@]}" 2>&1 |
  grep -E '^[a-z_]+:|time:' || true

echo
echo "suite took $(( $(date +%s) - started )) s"
