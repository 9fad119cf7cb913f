# Sourced by the e2e training tests: kill_and_resume DIR TAG CMD...
# runs CMD (a training command without -o/--checkpoint) three ways:
# uninterrupted (DIR/TAG-a.mlir), killed with SIGKILL as soon as the first
# epoch's checkpoint exists and then resumed with --resume (DIR/TAG-b.mlir).
# Fails unless the killed run left no output, the resumed run says it
# resumed after epoch 1, the two modules are byte-identical and no temporary
# files are left. The uninterrupted run's stdout is in DIR/TAG-a.log.
kill_and_resume() {
  local dir=$1 tag=$2
  shift 2
  local a="$dir/$tag-a" b="$dir/$tag-b" pid
  "$@" -o "$a.mlir" --checkpoint "$a.ckpt" >"$a.log"
  cat "$a.log"
  "$@" -o "$b.mlir" --checkpoint "$b.ckpt" >"$b.log" &
  pid=$!
  for _ in $(seq 1 60000); do
    [[ -f "$b.ckpt" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.001
  done
  if ! kill -9 "$pid" 2>/dev/null; then
    echo "FAIL: the run ended before it could be killed in its second epoch"
    exit 1
  fi
  wait "$pid" 2>/dev/null && { echo "FAIL: the killed run exited normally"; exit 1; }
  [[ -f "$b.ckpt" ]] || { echo "FAIL: no checkpoint after epoch 1"; exit 1; }
  [[ -e "$b.mlir" ]] && { echo "FAIL: a killed run left an output file"; exit 1; }
  "$@" -o "$b.mlir" --checkpoint "$b.ckpt" --resume >"$b.log" 2>"$b.err"
  cat "$b.err" "$b.log"
  grep -q "resuming after epoch 1" "$b.err" ||
    { echo "FAIL: did not resume after epoch 1"; exit 1; }
  cmp "$a.mlir" "$b.mlir" ||
    { echo "FAIL: resumed weights differ from the uninterrupted run"; exit 1; }
  if ls "$dir" | grep -q '\.tmp\.'; then
    echo "FAIL: temporary files left"
    exit 1
  fi
}
