#!/usr/bin/env bash
# Runs every test with Deno's test runner and ends with the plain line
# "N passed, N failed". Under CI (CI=true) the kernel tests must run: they
# fail instead of skipping when BPF is unavailable.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/.tools/bin:$PATH"
if [ "${CI:-}" = "true" ]; then
  export VIGIL_REQUIRE_KERNEL=1
fi
cd "$root"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
NO_COLOR=1 deno test -A --no-prompt tests/ "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(grep -E '^(ok|FAILED) \| ' "$log" | tail -n 1)
passed=$(sed -nE 's/.*\| ([0-9]+) passed.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*\| ([0-9]+) failed.*/\1/p' <<<"$summary")
if [ -z "$summary" ]; then
  # The runner stopped before running tests (e.g. a type error).
  passed=0
  failed=1
fi
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
