# Sourced by scripts/test.sh and scripts/sanitize.sh: run_ctest BUILD_DIR
# JOBS [ctest flags...] runs the suite with its output in BUILD_DIR/ctest.log
# and sets `status` (ctest's exit code, 1 when no summary line was found),
# `total` and `failed` from ctest's "N% tests passed, M tests failed out of
# T" line.
run_ctest() {
  local dir=$1 jobs=$2
  shift 2
  local log="$dir/ctest.log"
  set +e
  (cd "$dir" && ctest --output-on-failure -j "$jobs" "$@") 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  local summary
  summary=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -1 || true)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
  failed=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  if [[ -z "$summary" ]]; then total=0; failed=0; status=1; fi
}
