//===- IDX.h - IDX files (MNIST, Fashion-MNIST) -----------------*- C++ -*-===//

#ifndef SNN_MLIR_RUNTIME_DATA_IDX_H
#define SNN_MLIR_RUNTIME_DATA_IDX_H

#include "runtime/tensor/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snnrt {

/// An unsigned-byte IDX array: dims and row-major bytes.
struct IDXArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
};

/// Reads an IDX file of unsigned bytes, gzip-compressed or not. Returns an
/// empty string on success, else a message naming the file and the problem.
std::string readIDX(const std::string &path, IDXArray &out);

/// A labelled image set: images N×1×H×W scaled to [0, 1], labels 0..9.
struct ImageDataset {
  Tensor images;
  std::vector<int> labels;
};

/// Loads the "train" or "test" split of (Fashion-)MNIST from `dir`
/// ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]).
std::string loadMNISTLike(const std::string &dir, const std::string &split,
                          ImageDataset &out);

/// Reshapes a batch of N×1×H×W images to what a network input of shape
/// `want` (-1: any) takes: N×(H·W), N×H×W or N×1×H×W. False if none fits.
bool fitImagesToInput(const Shape &want, Tensor &batch);

/// Images [first, first + count) of `data` as one batch tensor.
Tensor imageBatch(const ImageDataset &data, int64_t first, int64_t count);

/// Debian's dataset-fashion-mnist location.
constexpr const char *kFashionMNISTDir = "/usr/share/datasets/fashion-mnist";

/// A data set named on a command line: "fashion-mnist" is Debian's folder;
/// anything else is a folder of IDX files itself.
std::string datasetDirectory(const std::string &data);

/// loadMNISTLike(datasetDirectory(data), split, out); a failure's message
/// says where Fashion-MNIST comes from.
std::string loadImageDataset(const std::string &data, const std::string &split,
                             ImageDataset &out);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_DATA_IDX_H
