#!/usr/bin/env bash
# Re-creates the test models in tests/models/ (training takes a few minutes
# on 2 cores). Installs Debian's python3-torch and python3-onnx, and OpenBLAS
# so that PyTorch runs at a sensible speed. The product itself never needs
# Python; the models are committed.
#   scripts/make-test-models.sh [mlp vgg_avgpool resnet_bn cnn_maxpool helper_linear
#                                mlp400 mlp400x3 cnn_strided]
set -euo pipefail
cd "$(dirname "$0")/.."
SNN_DEPS_EXTRA="python3-torch python3-onnx python3-pil libopenblas0-pthread" bash scripts/deps.sh
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tests/models/make_models.py "$@"
