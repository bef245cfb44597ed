#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time and prints one line per target.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#
# Fuzzing is NOT part of CI: cargo-fuzz needs a nightly toolchain (or `--sanitizer none` on
# stable, which this script falls back to) and minutes per target. What fuzzing found is kept
# as ordinary tests that CI does run: codegen/tests/fuzz_regressions.rs and
# runtime/tests/fuzz_regressions.rs. See fuzz/README.md.
#
# One fuzzing process per target, one after the other: the machines have 2 cores. (libFuzzer's
# -jobs=1 would fork a child and leave fuzz-0.log in the working directory.)
# New corpus entries go to fuzz/corpus/<target> (git-ignored); the committed seeds in
# fuzz/seeds/<target> are read, never written. Crashes land in fuzz/artifacts/<target>; rerun
# one with `cargo +nightly fuzz run <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
targets=(spec_load build_request)

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# Nightly when it is there (AddressSanitizer); otherwise stable without a sanitizer.
toolchain=(+nightly)
sanitizer=()
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "no nightly toolchain: fuzzing on stable with --sanitizer none" >&2
  toolchain=()
  sanitizer=(--sanitizer none)
fi

summary=()
status=0
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  seeds="fuzz/seeds/$target"
  mkdir -p "$corpus"
  corpora=("$corpus")
  [[ -d "$seeds" ]] && corpora+=("$seeds")
  dict=()
  [[ -f "fuzz/dicts/$target.dict" ]] && dict=("-dict=fuzz/dicts/$target.dict")
  log="fuzz/artifacts/$target.log"
  mkdir -p fuzz/artifacts
  echo "== $target: ${seconds}s"
  set +e
  cargo "${toolchain[@]}" fuzz run "${sanitizer[@]}" "$target" "${corpora[@]}" -- \
    -max_total_time="$seconds" -print_final_stats=1 "${dict[@]}" \
    2>&1 | tee "$log" \
    | grep --line-buffered -E '^(#[0-9]+\s+(INITED|DONE)|==[0-9]+==|thread .* panicked|SUMMARY|Test unit written)' \
    || true
  code="${PIPESTATUS[0]}"
  set -e
  runs="$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)"
  # "Done N runs in S second(s)" when the time ran out; a crash stops earlier.
  took="$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' || true)"
  crashes="$(grep -cE 'Test unit written to .*(crash|oom|timeout|leak)-' "$log" || true)"
  if [[ "$code" != 0 && "$crashes" == 0 ]]; then
    crashes="? (exit $code, see $log)"
  fi
  [[ "$code" != 0 ]] && status=1
  summary+=("$target: ${took:-<$seconds}s, ${runs:-?} runs, ${crashes} crashes")
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$status"
