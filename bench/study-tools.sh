# Sourced by the long study scripts (bpsta-study.sh, ttfs-sweep.sh) from the
# repository root: sets $bin to $BIN, a folder with snn-opt, snn-translate
# and snn-run already built (e.g. a copy, so that the build folder can change
# while a study runs), or else builds them in $BUILD_DIR [build] and uses
# its bin/. Unlike common.sh it installs nothing.
if [[ -n "${BIN:-}" ]]; then
  bin=$BIN
else
  BUILD_DIR=${BUILD_DIR:-build}
  bin=$BUILD_DIR/bin
  cmake --build "$BUILD_DIR" --target snn-opt snn-translate snn-run >/dev/null
fi
