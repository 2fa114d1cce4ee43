#!/usr/bin/env bash
# Fuzzes the request parsers. Builds the libFuzzer targets (clang-14, ASan +
# UBSan) from tests/fuzz/ alone in build-fuzz/, replays every regression input
# and seed, then runs each target for a bounded time. A crash, leak or timeout
# found is copied into tests/fuzz/regressions/<target>/ (commit it: it is
# replayed on every run from then on) and fails the run.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]   (default 20; or RINGFENCE_FUZZ_SECONDS)
# scripts/test.sh calls it; RINGFENCE_FUZZ_SECONDS=0 only replays.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-${RINGFENCE_FUZZ_SECONDS:-20}}
build=${RINGFENCE_FUZZ_BUILD:-$here/build-fuzz}
targets="native_job judge0_request piston_request piston_ws_message http_target"
if ! command -v clang++-14 >/dev/null; then
  echo "fuzz: clang++-14 is missing (clang-14 and libclang-rt-14-dev, scripts/packages-build.txt)" >&2
  exit 1
fi
started=$(date +%s)
cmake -S "$here/tests/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build "$build" -j "$(nproc)" >"$build/build.log" 2>&1 || { tail -40 "$build/build.log"; exit 1; }
built=$(date +%s)
status=0
summary=""
for t in $targets; do
  corpus="$here/tests/fuzz/corpus/$t"
  regress="$here/tests/fuzz/regressions/$t"
  mkdir -p "$regress"
  work=$(mktemp -d)
  # The checked-in seeds stay as they are; what the run learns goes to a scratch corpus.
  if ! "$build/fuzz_$t" -runs=0 "$regress" "$corpus" >"$work/regress.log" 2>&1; then
    echo "== fuzz_$t: a regression input fails"; tail -30 "$work/regress.log"; status=1
  fi
  runs=0
  if [ "$seconds" -gt 0 ]; then
    if ! (cd "$work" && "$build/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$work/" "$work" "$corpus" >"$work/fuzz.log" 2>&1); then
      echo "== fuzz_$t: crashed"; grep -A25 -m1 "ERROR\|runtime error\|deadly signal" "$work/fuzz.log" || tail -30 "$work/fuzz.log"
      status=1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
    for found in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
      [ -e "$found" ] || continue
      cp "$found" "$regress/"
      echo "new regression input: tests/fuzz/regressions/$t/$(basename "$found")"
    done
  fi
  summary+=$(printf '  %-18s %10s executions in %ss\n' "fuzz_$t" "${runs:-?}" "$seconds")$'\n'
  rm -rf "$work"
done
finished=$(date +%s)
echo "fuzz: build $((built - started))s, fuzzing $((finished - built))s"
printf '%s' "$summary"
exit $status
