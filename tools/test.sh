#!/usr/bin/env bash
# Runs every test with Deno's test runner and ends with the plain line
# "N passed, N failed". Under CI (CI=true) the kernel tests must run: they
# fail instead of skipping when BPF is unavailable.
#
# With --stress first, runs the whole suite three times in a row while
# `stress-ng --cpu 2` keeps both CPUs busy, prints each run's line, and ends
# with the totals; the hog is stopped however the script ends.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/.tools/bin:$PATH"
if [ "${CI:-}" = "true" ]; then
  export VIGIL_REQUIRE_KERNEL=1
fi
cd "$root"

STRESS_RUNS=3
STRESS_WORKERS=2

log=$(mktemp)
hog=""
stop_hog() {
  if [ -n "$hog" ]; then
    kill -TERM "$hog" 2>/dev/null
    wait "$hog" 2>/dev/null
    hog=""
  fi
}
trap 'stop_hog; rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs the suite once; sets `passed`, `failed` and `status`.
run_suite() {
  NO_COLOR=1 deno test -A --no-prompt tests/ "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  local summary
  summary=$(grep -E '^(ok|FAILED) \| ' "$log" | tail -n 1)
  passed=$(sed -nE 's/.*\| ([0-9]+) passed.*/\1/p' <<<"$summary")
  failed=$(sed -nE 's/.*\| ([0-9]+) failed.*/\1/p' <<<"$summary")
  if [ -z "$summary" ]; then
    # The runner stopped before running tests (e.g. a type error).
    passed=0
    failed=1
  fi
  passed=${passed:-0}
  failed=${failed:-0}
}

if [ "${1:-}" != "--stress" ]; then
  run_suite "$@"
  echo "$passed passed, $failed failed"
  exit "$status"
fi
shift

if ! command -v stress-ng >/dev/null; then
  echo "test: stress-ng is not installed (bash tools/setup.sh installs it)" >&2
  exit 1
fi
# The timeout only bounds a hog this script could not stop (SIGKILL).
stress-ng --cpu "$STRESS_WORKERS" --timeout 1h --quiet &
hog=$!
total_passed=0
total_failed=0
results=()
worst=0
for run in $(seq "$STRESS_RUNS"); do
  run_suite "$@"
  results+=("run $run: $passed passed, $failed failed")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  if [ "$status" -ne 0 ]; then worst=$status; fi
done
if ! kill -0 "$hog" 2>/dev/null; then
  echo "test: the CPU hog stopped before the last run ended" >&2
  worst=1
fi
stop_hog
printf '%s\n' "${results[@]}"
echo "$total_passed passed, $total_failed failed"
exit "$worst"
