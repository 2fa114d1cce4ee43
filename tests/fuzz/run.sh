#!/usr/bin/env bash
# Builds the fuzz targets with clang-14 (ASan + UBSan + libFuzzer) in build-fuzz/
# and runs each for a bounded time (default 30 s). Crashes are copied into
# tests/fuzz/regressions/<target>/ so they stay regression inputs; commit them.
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-30}
build="$here/build-fuzz"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGFENCE_FUZZ=ON \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
      -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
      -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" >/dev/null
targets="native_job judge0_request piston_request http_target"
cmake --build "$build" -j "$(nproc)" --target $(for t in $targets; do printf 'fuzz_%s ' "$t"; done)
status=0
for t in $targets; do
  corpus="$here/tests/fuzz/corpus/$t"
  regress="$here/tests/fuzz/regressions/$t"
  work=$(mktemp -d)
  mkdir -p "$regress"
  echo "== fuzz_$t: regressions, then ${seconds}s"
  if ! "$build/tests/fuzz/fuzz_$t" -runs=0 "$regress" "$corpus" >"$work/regress.log" 2>&1; then
    tail -30 "$work/regress.log"; status=1
  fi
  if ! (cd "$work" && "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 \
          -artifact_prefix="$work/" "$work" "$corpus" >"$work/fuzz.log" 2>&1); then
    tail -30 "$work/fuzz.log"; status=1
  fi
  for crash in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
    [ -e "$crash" ] && cp "$crash" "$regress/" && echo "new regression input: $regress/$(basename "$crash")"
  done
  grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units" "$work/fuzz.log" | tail -1 || true
  rm -rf "$work"
done
exit $status
