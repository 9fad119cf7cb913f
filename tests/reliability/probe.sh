#!/usr/bin/env bash
# The reproductions of ../shared/reports/reliability-probe-2026-12.md (19
# defects) and their cousins, run against the tools: every case must end with
# exit code 1 and a clear message (or 0 where the input is valid), never a
# signal, and must leave existing files as they were. docs/reliability.md
# lists what each group checks.
#   tests/reliability/probe.sh BIN MODELS EXAMPLES
# SNN_PROBE_SANITIZED=1 skips the cases that cap the address space (ulimit
# -v), which AddressSanitizer's shadow memory cannot run under.
set -uo pipefail
bin=$1
models=$2
examples=$3
fm=/usr/share/datasets/fashion-mnist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export PATH="$bin:$PATH"
export SNN_MLIR_CACHE="$tmp/cache"

failures=0
cases=0
fail() {
  echo "FAIL $1: $2"
  failures=$((failures + 1))
}

# check NAME WANT_RC PATTERN CMD...: runs CMD (stdout and stderr to
# NAME.out/.err); the exit code must be WANT_RC (never a signal), stderr must
# match the extended regex PATTERN (when not empty) and stay short.
check() {
  local name=$1 want=$2 pattern=$3
  shift 3
  cases=$((cases + 1))
  "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  if ((rc > 128)); then
    fail "$name" "killed by signal $((rc - 128)): $(tail -c 300 "$name.err")"
  elif ((rc != want)); then
    fail "$name" "exit code $rc, expected $want: $(tail -c 300 "$name.err")"
  elif [[ -n $pattern ]] && ! grep -Eq -- "$pattern" "$name.err"; then
    fail "$name" "message does not match /$pattern/: $(head -c 400 "$name.err")"
  elif (($(wc -c <"$name.err") > 20000)); then
    fail "$name" "$(wc -c <"$name.err") bytes on stderr"
  else
    echo "ok   $name (exit $rc)"
  fi
}

# same NAME FILE SUM: FILE still has checksum SUM.
same() {
  cases=$((cases + 1))
  if [[ ! -f $2 ]]; then
    fail "$1" "$2 is gone"
  elif [[ $(md5sum <"$2") != "$3" ]]; then
    fail "$1" "$2 changed"
  else
    echo "ok   $1 ($2 unchanged)"
  fi
}
sum() { md5sum <"$1"; }

# IDX files: header bytes then payload.
idx_header() { # MAGIC_RANK DIMS...
  local rank=$1
  shift
  printf "\\x00\\x00\\x08\\x$(printf %02x "$rank")"
  for d in "$@"; do
    printf "\\x$(printf %02x $((d >> 24 & 255)))\\x$(printf %02x $((d >> 16 & 255)))"
    printf "\\x$(printf %02x $((d >> 8 & 255)))\\x$(printf %02x $((d & 255)))"
  done
}
bytes_of() { # COUNT OCTAL_BYTE
  head -c "$1" /dev/zero | tr '\0' "\\$2"
}

# --- Models used below ---------------------------------------------------
snn-translate --import-onnx "$models/mlp.onnx" -o ann.mlir || exit 1
snn-opt ann.mlir --snn-rate-pipeline="timesteps=16 encoding=direct" -o a.mlir || exit 1
snn-translate --import-onnx "$models/vgg_avgpool.onnx" -o vgg-ann.mlir || exit 1
snn-opt vgg-ann.mlir --snn-rate-pipeline="timesteps=16 encoding=direct" -o v.mlir || exit 1
snn-translate --import-onnx "$models/mlp400.onnx" -o mlp400.mlir || exit 1
snn-opt mlp400.mlir --convert-nn-to-snn="encoding=ttfs t-max=4" -o ttfs.mlir || exit 1
O=(--limit 500 --epochs 1 --validation 100 --test-limit 100 --threads 1)

echo "== 1, 2: in-place and failed runs of snn-opt and snn-translate"
cp ann.mlir x.mlir
check opt-inplace-noop 0 "" snn-opt x.mlir -o x.mlir
check opt-inplace-noop-parses 0 "" snn-opt x.mlir -o /dev/null
check opt-inplace-success 0 "" snn-opt x.mlir --snn-rate-pipeline="timesteps=8 encoding=direct" -o x.mlir
check opt-inplace-success-is-snn 0 "" grep -q snn.encode_direct x.mlir
s=$(sum x.mlir)
check opt-fail-inplace 1 "no such option" snn-opt x.mlir --convert-nn-to-snn=bogus -o x.mlir
same opt-fail-inplace x.mlir "$s"
check opt-fail-inplace2 1 "already a spiking network" snn-opt x.mlir --convert-nn-to-snn -o x.mlir
same opt-fail-inplace2 x.mlir "$s"
cp ann.mlir good.mlir
head -c 1000 good.mlir >broken.mlir
s=$(sum good.mlir)
check opt-fail-existing-out 1 "broken.mlir:[0-9]+:[0-9]+: error" snn-opt broken.mlir -o good.mlir
same opt-fail-existing-out good.mlir "$s"
check translate-fail-existing 1 "protobuf cannot be parsed" snn-translate --import-onnx broken.mlir -o good.mlir
same translate-fail-existing good.mlir "$s"
check object-fail-existing 1 "not a spiking network" snn-translate --snn-to-object ann.mlir -o good.mlir
same object-fail-existing good.mlir "$s"
cp a.mlir t.mlir
check translate-inplace 0 "" snn-translate --snn-to-c-header t.mlir -o t.mlir
check translate-inplace-header 0 "" grep -q "SNN_MODEL_MODEL_HASH" t.mlir
check opt-unwritable 1 "does not exist" snn-opt ann.mlir -o /nonexistent/dir/x.mlir
check opt-output-is-folder 1 "it is a folder" snn-opt ann.mlir -o "$tmp"
check opt-dev-null 0 "" snn-opt ann.mlir -o /dev/null
check dev-null-still-device 0 "" test -c /dev/null
# A run killed in the middle leaves the previous output, or (if it was
# done by then) a complete one: never a truncated or empty file.
cp good.mlir keep.mlir
s=$(sum keep.mlir)
snn-opt vgg-ann.mlir --snn-rate-pipeline="timesteps=32 encoding=direct method=spike samples=500" -o keep.mlir &
pid=$!
sleep 1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
cases=$((cases + 1))
if [[ $(sum keep.mlir) == "$s" ]] || snn-opt keep.mlir -o /dev/null 2>/dev/null; then
  echo "ok   kill-opt-midpass (output unchanged or complete)"
else
  fail kill-opt-midpass "keep.mlir is neither the old file nor a complete module"
fi
printf 'previous object\n' >keep.o
s=$(sum keep.o)
snn-translate --snn-to-object v.mlir -o keep.o &
pid=$!
sleep 0.3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
cases=$((cases + 1))
if [[ $(sum keep.o) == "$s" ]] || [[ $(head -c 4 keep.o | od -An -c | tr -d ' ') == 177ELF ]]; then
  echo "ok   kill-translate-midwrite (output unchanged or complete)"
else
  fail kill-translate-midwrite "keep.o is neither the old file nor an object"
fi

echo "== 3: labels outside the network's classes"
mkdir -p bad255 bad10
for d in bad255 bad10; do
  cp "$fm"/train-images-idx3-ubyte.gz "$fm"/t10k-images-idx3-ubyte.gz $d/
done
{ idx_header 1 60000; bytes_of 60000 377; } >bad255/train-labels-idx1-ubyte
{ idx_header 1 10000; bytes_of 10000 377; } >bad255/t10k-labels-idx1-ubyte
{ idx_header 1 60000; bytes_of 60000 012; } >bad10/train-labels-idx1-ubyte
{ idx_header 1 10000; bytes_of 10000 012; } >bad10/t10k-labels-idx1-ubyte
check labels-oob-train 1 "has label 255, but the network has 10 outputs" \
  snn-run train ttfs.mlir --data bad255 "${O[@]}" -o out-ttfs.mlir
check labels-oob-train-nothing-written 1 "" test -e out-ttfs.mlir
check labels-all-10-train 1 "has label 10, but the network has 10 outputs" \
  snn-run train ttfs.mlir --data bad10 "${O[@]}" -o out-ttfs.mlir
check labels-oob-ttfs-eval 1 "has label 255" snn-run eval ttfs.mlir --data bad255 --limit 100
check labels-oob-eval 1 "has label 255" snn-run eval a.mlir --data bad255 --limit 100
check labels-oob-eval-ann 1 "has label 255" snn-run eval ann.mlir --data bad255 --limit 100
check labels-oob-eval-jit 1 "has label 255" snn-run eval a.mlir --data bad255 --limit 100 --engine jit
check labels-oob-finetune 1 "label 255|has label 255" snn-run finetune a.mlir --data bad255 "${O[@]}" -o out-ft.mlir

echo "== 4: IDX headers that claim more than the file holds"
mkdir -p huge big4g
idx_header 3 268435456 8 8 >huge/t10k-images-idx3-ubyte
cp "$fm"/t10k-labels-idx1-ubyte.gz huge/
{ idx_header 3 65536 256 256; bytes_of 1000 000; } >big4g/t10k-images-idx3-ubyte
cp "$fm"/t10k-labels-idx1-ubyte.gz big4g/
check data-eval-huge-header 1 "truncated data \\(the header claims" snn-run eval a.mlir --data huge
if [[ -z ${SNN_PROBE_SANITIZED:-} ]]; then
  check data-eval-huge-header-capped 1 "truncated data" bash -c "ulimit -v 3000000; snn-run eval a.mlir --data huge"
fi
check data-eval-big-header-4g 1 "truncated data \\(the header claims 65536×256×256 = 4294967296 bytes, the file holds 1000\\)" \
  snn-run eval a.mlir --data big4g
mkdir -p hugetrain
idx_header 3 268435456 8 8 >hugetrain/train-images-idx3-ubyte
cp "$fm"/train-labels-idx1-ubyte.gz hugetrain/
check balance-huge-header 1 "truncated data" \
  snn-opt ann.mlir --snn-rate-pipeline="timesteps=16 encoding=direct data=hugetrain" -o /dev/null
check diagnose-huge-header 1 "truncated data" snn-run diagnose a.mlir --data huge
check emulate-huge-header 1 "truncated data" snn-run events emulate --data huge -o evs-huge
mkdir -p gzbad dirfile rank2
cp "$fm"/t10k-images-idx3-ubyte.gz "$fm"/t10k-labels-idx1-ubyte.gz gzbad/
printf 'garbage!' | dd of=gzbad/t10k-images-idx3-ubyte.gz bs=1 seek=2000 conv=notrunc 2>/dev/null
check data-eval-gz-corrupt 1 "corrupt gzip data" snn-run eval a.mlir --data gzbad
mkdir -p dirfile/t10k-images-idx3-ubyte.gz
cp "$fm"/t10k-labels-idx1-ubyte.gz dirfile/
check data-eval-dir-as-file 1 "is a folder, not an IDX file" snn-run eval a.mlir --data dirfile
{ idx_header 2 100 784; bytes_of 78400 000; } >rank2/t10k-images-idx3-ubyte
cp "$fm"/t10k-labels-idx1-ubyte.gz rank2/
check data-eval-rank2-images 1 "images must be an N×H×W array \\(rank 3\\), the file has rank 2" \
  snn-run eval a.mlir --data rank2
check data-eval-no-debian-hint 1 "the file has rank 2$" snn-run eval a.mlir --data rank2

echo "== 5: event data sets with absurd class folders"
mkdir -p ev/Test/99999999999
: >ev/Test/99999999999/0.bin
check ev-info-bigclass 1 "not a class number from 0 to 1000000" snn-run events info ev
snn-translate --import-onnx "$models/events/evnet.onnx" |
  snn-opt --convert-nn-to-snn="encoding=events timesteps=4" -o evnet.mlir
check ev-eval-bigclass 1 "not a class number" snn-run eval evnet.mlir --data nmnist:ev

echo "== 6, 7: checkpoints of other networks, and corrupt ones"
snn-opt ann.mlir --snn-rate-pipeline="timesteps=16 encoding=direct percentile=99" -o b.mlir
check ck-train 0 "" snn-run finetune a.mlir "${O[@]}" -o t.mlir
check ck-same-shape 1 "written for another network" \
  snn-run finetune b.mlir "${O[@]}" --checkpoint t.mlir.ckpt -o t2.mlir --resume
check ck-other-options 1 "written for other options" \
  snn-run finetune a.mlir "${O[@]}" --lr 0.01 --checkpoint t.mlir.ckpt -o t2.mlir --resume
cp t.mlir.ckpt good.ckpt
printf '\x7f' | dd of=t.mlir.ckpt bs=1 seek=5000 conv=notrunc 2>/dev/null
check ck-w-flip 1 "is corrupt \\(its checksum does not match" \
  snn-run finetune a.mlir "${O[@]}" -o t.mlir --resume
cp good.ckpt t.mlir.ckpt
head -c 3000 good.ckpt >t.mlir.ckpt
check ck-trunc 1 "corrupt|truncated" snn-run finetune a.mlir "${O[@]}" -o t.mlir --resume
printf 'SNNCKPT2' >t.mlir.ckpt
check ck-magic-only 1 "corrupt|truncated|not an snn-mlir training checkpoint" snn-run finetune a.mlir "${O[@]}" -o t.mlir --resume
cp good.ckpt t.mlir.ckpt
check ck-resume-good 0 "resuming after epoch 1" snn-run finetune a.mlir "${O[@]}" -o t.mlir --resume
head -c 100000 /dev/urandom >t.mlir.ckpt
check ck-random 1 "not an snn-mlir training checkpoint|more than a checkpoint" \
  snn-run finetune a.mlir "${O[@]}" -o t.mlir --resume

echo "== 8: sizes from the command line beyond memory"
if [[ -z ${SNN_PROBE_SANITIZED:-} ]]; then
  check res-finetune-T1e6 1 "out of memory" \
    bash -c "ulimit -v 4000000; snn-run finetune a.mlir ${O[*]} --timesteps 1000000 -o t3.mlir"
fi
snn-run events emulate --data "$fm" --limit 1 -o evs >/dev/null
ev=$(find evs -name '*.bin' | head -1)
check ev-info-bins-huge 1 "must be a whole number from 0 to 16777216" snn-run events info "$ev" --bins 1000000000
check ev-info-bins-memory 1 "16777216 frames of [0-9]+×[0-9]+ pixels needs .* more than this machine" \
  snn-run events info "$ev" --bins 16777216

echo "== 9, 19: a C header and an object of different networks"
mkdir -p hdr
snn-translate --snn-to-c-header a.mlir -o hdr/snn_model.h
snn-translate --snn-to-object v.mlir -o v.o
snn-translate --snn-to-object a.mlir -o a.o
if command -v cc >/dev/null; then
  check cg-doc-compile 0 "" cc -O2 -std=c11 -Wall -Werror -Ihdr "$examples/classify.c" a.o -lz -lpthread -o classify-a
  check cg-mlph-mlpo 0 "" ./classify-a --limit 100
  check cg-mlph-vggo-build 0 "" cc -O2 -std=c11 -Ihdr "$examples/classify.c" v.o -lz -lpthread -o classify-mixed
  check cg-mlph-vggo 1 "compiled from another network than snn_model.h" ./classify-mixed --limit 200
  mkdir -p hdrv
  snn-translate --snn-to-c-header v.mlir -o hdrv/snn_model.h
  cc -O2 -std=c11 -Ihdrv "$examples/classify.c" a.o -lz -lpthread -o classify-mixed2
  check cg-vggh-mlpo 1 "compiled from another network" ./classify-mixed2 --limit 200
fi

echo "== 10: converting a converted module"
check snn-as-nn-convert-poisson 1 "already a spiking network" \
  snn-opt a.mlir --convert-nn-to-snn="timesteps=32 encoding=poisson" -o p.mlir
check snn-as-nn-pipeline 1 "already a spiking network" \
  snn-opt a.mlir --snn-rate-pipeline="timesteps=16 encoding=direct" -o p.mlir
check snn-as-nn-ttfs 1 "already a spiking network" \
  snn-opt a.mlir --convert-nn-to-snn="encoding=ttfs" -o p.mlir
check snn-as-nn-no-output 1 "" test -e p.mlir

echo "== 11: training outputs and checkpoints"
check nodir-finetune 1 "the folder /nonexistent/dir does not exist" snn-run finetune a.mlir "${O[@]}" -o /nonexistent/dir/t.mlir
check nodir-train 1 "the folder /nonexistent/dir does not exist" snn-run train ttfs.mlir "${O[@]}" -o /nonexistent/dir/t.mlir
check notdir-finetune 1 "is not a folder" snn-run finetune a.mlir "${O[@]}" -o a.mlir/t.mlir
check nodir-checkpoint 1 "does not exist" snn-run finetune a.mlir "${O[@]}" -o t4.mlir --checkpoint /nonexistent/c.ckpt
cp a.mlir in.mlir
s=$(sum in.mlir)
check ckpt-eq-input 1 "is the input model" snn-run finetune in.mlir "${O[@]}" --checkpoint in.mlir -o out.mlir
same ckpt-eq-input in.mlir "$s"
check ckpt-eq-output 1 "are the same file" snn-run finetune in.mlir "${O[@]}" --checkpoint out.mlir -o out.mlir
check finetune-inplace 0 "" snn-run finetune in.mlir "${O[@]}" -o in.mlir --checkpoint in.ckpt
check finetune-inplace-parses 0 "" snn-run eval in.mlir --limit 10

echo "== 12, 14, 16: values the IR cannot hold"
sed 's/ = snn\.if \(%[0-9a-z_]*\) {/ = snn.if \1 {refractory = 4294967296 : i64, /' a.mlir >r.mlir
grep -q 'refractory = 4294967296' r.mlir || { echo "probe: no snn.if in a.mlir to edit"; exit 1; }
check eval-attr-refractory-huge 1 "'refractory' must be from 0 to 2147483647" snn-run eval r.mlir --limit 10
check jit-refr-huge 1 "'refractory' must be from 0 to 2147483647" snn-run eval r.mlir --limit 10 --engine jit
sed 's/{threshold = array<f32: \([0-9.e+-]*\)>}/{threshold = array<f32: \1>, refractory = 100 : i64}/' a.mlir >r100.mlir
check refractory-sweep 0 "" snn-run eval r100.mlir --limit 10
sed -E 's/(%[0-9]+ = nn.constant )dense<"0x[0-9A-F]+">/\1dense<0x7FC00000>/' a.mlir >n.mlir
check eval-w-nan 1 "holds NaN at element 0" snn-run eval n.mlir --limit 10
check pipe-nn-w-inf 1 "holds \\+inf at element 0" bash -c "sed -E 's/(%[0-9]+ = nn.constant )dense<\"0x[0-9A-F]+\">/\\1dense<0x7F800000>/' ann.mlir | snn-opt --snn-rate-pipeline=\"timesteps=8 encoding=direct\" -o /dev/null"
sed 's/dt = 1.000000e+00/dt = 0x7FF8000000000000/' a.mlir >dt.mlir
check eval-time-dt-nan 1 "'dt' must be positive and finite" snn-run eval dt.mlir --limit 10
sed 's/timesteps = 16,/timesteps = 1000000000,/' a.mlir >t1e9.mlir
check eval-time-T1e9 1 "'timesteps' must be from 1 to 16777216" snn-run eval t1e9.mlir --limit 1
sed 's/timesteps = 16,/timesteps = 9223372036854775807,/' a.mlir >tmax.mlir
check eval-Tmax 1 "'timesteps' must be from 1 to 16777216" snn-run eval tmax.mlir --limit 1
check pipe-20 1 "timesteps must be from 1 to 16777216" \
  snn-opt ann.mlir --snn-rate-pipeline="timesteps=1000000000 method=spike" -o /dev/null
check ttfs-tmax-inf 1 "t-max and tau must be positive and finite" \
  snn-opt mlp400.mlir --convert-nn-to-snn="encoding=ttfs t-max=inf" -o /dev/null

echo "== 13: images of another size"
mkdir -p size32
{ idx_header 3 300 32 32; bytes_of 307200 000; } >size32/t10k-images-idx3-ubyte
{ idx_header 3 300 32 32; bytes_of 307200 000; } >size32/train-images-idx3-ubyte
{ idx_header 1 300; bytes_of 300 001; } >size32/t10k-labels-idx1-ubyte
{ idx_header 1 300; bytes_of 300 001; } >size32/train-labels-idx1-ubyte
check data-eval-size32 1 "does not take the data's 32×32 images" snn-run eval a.mlir --data size32
check size32-jit 1 "does not take the data's 32×32 images" snn-run eval a.mlir --data size32 --engine jit
check size32-diagnose 1 "does not take the data's 32×32 images" snn-run diagnose a.mlir --data size32
check size32-ann 1 "does not take the data's 32×32 images|32" snn-run eval ann.mlir --data size32
check data-ft-size32 1 "does not take the data's 32×32 images" \
  snn-run finetune a.mlir --data size32 --limit 200 --validation 50 --epochs 1 -o ft32.mlir

echo "== 15: an AEDAT 3.1 packet header that claims a gigabyte"
mkdir -p aed/Test/0 aed/Train/0
{
  printf '#!AER-DAT3.1\r\n#!END-HEADER\r\n'
  # type 1 (polarity), source 1, event size 8, ts offset 4, overflow 0,
  # capacity 2^27, number 1, valid 1; then 100 bytes of events.
  printf '\x01\x00\x01\x00\x08\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00'
  printf '\x00\x00\x00\x08\x01\x00\x00\x00\x01\x00\x00\x00'
  bytes_of 100 000
} >aed/Test/0/0.aedat
check ev-eval-aedat31-hugepacket 1 "truncated packet \\(the header claims 1073741824 payload bytes, the file holds 100\\)" \
  snn-run events info aed/Test/0/0.aedat

echo "== 17: command-line ranges"
check cli-timesteps-zero 1 "--timesteps: must be a whole number from 1 to 16777216, got '0'" snn-run eval a.mlir --timesteps 0
check cli-limit-negative 1 "--limit: must be a whole number 0 or more" snn-run eval a.mlir --limit -5
check cli-threads-negative 1 "--threads: must be a whole number from 0 to 256" snn-run eval a.mlir --threads -3
check res-threads-huge 1 "--threads: must be a whole number from 0 to 256" snn-run eval a.mlir --threads 100000
check res-finetune-Tneg 1 "--timesteps: must be a whole number from 0 to 16777216" snn-run finetune a.mlir -o x.mlir --timesteps -3
check ev-info-bins-neg 1 "--bins: must be a whole number" snn-run events info "$ev" --bins -3
check cli-diagnose-T-neg 1 "--timesteps: must be a whole number" snn-run diagnose a.mlir --timesteps -5
check cli-lr-nan 1 "--lr: must be a finite number above 0" snn-run finetune a.mlir -o x.mlir --lr nan
check cli-no-309-digits 1 "^.{0,200}$" snn-run eval a.mlir --batch 0
check cli-usage-exit-1 1 "" snn-run eval
check cli-valid 0 "" snn-run eval a.mlir --limit 20 --threads 2 --timesteps 4,8

echo "== 18: other diagnostics"
head -c 1000000 a.mlir >half.mlir
check opt-trunc-half 1 "half.mlir:[0-9]+:[0-9]+: error" snn-opt half.mlir -o /dev/null
check eval-trunc-half 1 "half.mlir:[0-9]+:[0-9]+: error" snn-run eval half.mlir
check translate-trunc-half 1 "half.mlir:[0-9]+:[0-9]+: error" snn-translate --snn-to-object half.mlir -o /dev/null
check pipe-percentile 1 "percentile must be above 0 and at most 100, got 150" \
  snn-opt ann.mlir --snn-rate-pipeline="timesteps=8 percentile=150" -o /dev/null
check pipe-events 1 "takes event frames \\(encoding=events\\), and balancing calibrates on images" \
  bash -c "snn-translate --import-onnx '$models/events/evnet.onnx' | snn-opt --snn-rate-pipeline='timesteps=4 encoding=events' -o /dev/null"
check nn-as-snn-object 1 "is not a spiking network" snn-translate --snn-to-object ann.mlir -o /dev/null
check nn-as-snn-header 1 "is not a spiking network" snn-translate --snn-to-c-header ann.mlir -o /dev/null
cat >two-funcs.mlir <<'EOF'
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
    attributes {snn.time = #snn.discrete<timesteps = 8>} {
  %w = nn.constant dense<0.5> : tensor<3x4xf32>
  %e = snn.encode_direct %x : tensor<?x4xf32> -> !snn.current<?x4>
  %i = snn.dense %e, %w : !snn.current<?x4>, tensor<3x4xf32> -> !snn.current<?x3>
  %s = snn.if %i {threshold = array<f32: 1.0>} : !snn.current<?x3> -> !snn.spikes<?x3>
  %r = snn.accumulate %i : !snn.current<?x3> -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
func.func @other(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = nn.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
EOF
check cg-two-funcs 0 "" snn-translate --snn-to-object two-funcs.mlir -o two.o
check emulate-mixed-params-first 0 "" snn-run events emulate --data "$fm" --limit 3 -o mixed
check emulate-mixed-params 1 "holds samples recorded with other settings" \
  snn-run events emulate --data "$fm" --limit 6 -o mixed --threshold 0.3

echo "== fuzzing: MLIR's parser recurses once per bracket (found by the bridge target)"
{
  printf 'func.func @main(%%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {snn.time = '
  printf '%.0s[' $(seq 10000)
  printf '%.0s]' $(seq 10000)
  printf '} {\n  return %%x : tensor<?x4xf32>\n}\n'
} >deep.mlir
check parser-deep-nesting-opt 1 "deep.mlir:1:[0-9]+: error: brackets nested more than 1024 deep" snn-opt deep.mlir -o /dev/null
check parser-deep-nesting-run 1 "brackets nested more than 1024 deep" snn-run eval deep.mlir
check parser-deep-nesting-translate 1 "brackets nested more than 1024 deep" snn-translate --snn-to-object deep.mlir -o /dev/null

echo "probe: $cases cases, $failures failed"
((failures == 0))
