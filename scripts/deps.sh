#!/usr/bin/env bash
# Installs every Debian package that the build, the tests and the demo need.
# Idempotent and non-interactive; fast (no apt at all) when everything is present.
set -euo pipefail

PACKAGES=(
  # toolchain and build
  cmake ninja-build ccache g++ pkg-config
  # a C compiler for examples/classify.c and generated objects
  gcc
  # LLVM / MLIR 22 (bookworm-security); lld makes links much faster
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools lld-22
  # frontend
  libonnx-dev protobuf-compiler libprotobuf-dev
  # runtime and tools
  libeigen3-dev libcli11-dev nlohmann-json3-dev libhdf5-dev zlib1g-dev
  # image data: PNG and JPEG decoding
  libpng-dev libjpeg62-turbo-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # data: Fashion-MNIST and ONNX's node conformance tests
  dataset-fashion-mnist libonnx-testdata
)

if [[ "${SNN_DEPS_EXTRA:-}" != "" ]]; then
  read -r -a extra <<<"$SNN_DEPS_EXTRA"
  PACKAGES+=("${extra[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
