#!/usr/bin/env bash
# Build-time benchmark: a clean build, then the rebuild after a one-line YAML edit (a tool's
# summary), repeated. Works on a throwaway copy of the committed tree, with its own target
# directory, so the working copy and its target/ are untouched.
#
#   scripts/bench-build.sh [--release] [RUNS] [SPECS_DIR]
#
# Debug by default; --release times `cargo build --release` instead. RUNS (default 5)
# one-line-edit rebuilds are timed and their median printed. SPECS_DIR replaces specs/*.yaml
# in the copy, to time a larger spec set; default: the committed specs.
set -euo pipefail
profile=debug
cargo_flags=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  cargo_flags=(--release)
  shift
fi
runs=${1:-5}
specs=${2:-}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$root" archive HEAD | tar -x -C "$work"
if [ -n "$specs" ]; then
  rm -f "$work"/specs/*.yaml
  cp "$specs"/*.yaml "$work/specs/"
fi
cd "$work"
unset CARGO_TARGET_DIR

seconds() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }'
}

# Changes the first tool summary of the first spec file: one line, one tool.
edit_one_line() {
  python3 - "$1" "$2" <<'PY'
import re, sys
path, n = sys.argv[1], sys.argv[2]
text = open(path).read()
def bump(m):
    line = m.group(0)
    return line[:-1] + f' (edit {n})"' if line.endswith('"') else line + f' (edit {n})'
open(path, "w").write(re.sub(r'(?m)^    summary: .*$', bump, text, count=1))
PY
}

echo "machine: $(nproc) cores, $(rustc --version)"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
echo "spec files: $(ls specs/*.yaml | wc -l)"
echo "clean $profile build: $(seconds cargo build --locked "${cargo_flags[@]}") s"
echo "tools: $(./target/$profile/ghl-mcp tools | wc -l)"
file=$(ls specs/*.yaml | head -n 1)
for i in $(seq "$runs"); do
  edit_one_line "$file" "$i"
  seconds cargo build --locked "${cargo_flags[@]}"
  echo
done > times.txt
sort -n times.txt -o times.txt
echo "one-line YAML edit, $profile rebuild, $runs runs (s): $(paste -sd' ' times.txt)"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
echo "median: $(sed -n "$(( (runs + 1) / 2 ))p" times.txt) s"
