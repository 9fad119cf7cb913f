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

/// The largest IDX array read (16 GiB); bigger headers are refused.
constexpr int64_t kMaxIDXBytes = int64_t(1) << 34;

/// Reads an IDX file of unsigned bytes, gzip-compressed or not. Returns an
/// empty string on success, else a message naming the file and the problem.
/// Memory grows with the data actually read: a header that claims more
/// than the file holds is an error, not an allocation.
std::string readIDX(const std::string &path, IDXArray &out);

/// An error when a label lies outside 0 to classes − 1 ("sample 17 has
/// label 255, but the network has 10 outputs (classes 0 to 9)"); "" if
/// all fit. Every consumer of labelled data checks before it starts.
/// `first` is the index of labels[0] in the data set (for the message).
std::string checkLabels(const std::vector<int> &labels, int64_t classes,
                        int64_t first = 0);

/// A labelled image set: images N×1×H×W scaled to [0, 1], labels as read
/// (0 to 255: checkLabels before use).
struct ImageDataset {
  Tensor images;
  std::vector<int> labels;
};

/// Reads the "train" or "test" split of an MNIST-style folder as IDX
/// arrays, checked: images N×H×W, labels N. `imagesPath` gets the images
/// file's path.
std::string readMNISTLike(const std::string &dir, const std::string &split,
                          IDXArray &images, IDXArray &labels,
                          std::string *imagesPath = nullptr);

/// Loads the "train" or "test" split of (Fashion-)MNIST from `dir`
/// ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]).
std::string loadMNISTLike(const std::string &dir, const std::string &split,
                          ImageDataset &out);

/// Reshapes a batch of N×C×H×W images to what a network input of shape
/// `want` (-1: any) takes: N×(C·H·W), N×H×W (C = 1) or N×C×H×W. When none
/// fits, returns a message that names both shapes ("the network input
/// [-1, 1, 28, 28] does not take the data's 32×32 images"); else "".
std::string fitImagesToInput(const Shape &want, Tensor &batch);

/// Images [first, first + count) of `data` as one batch tensor.
Tensor imageBatch(const ImageDataset &data, int64_t first, int64_t count);

/// Debian's dataset-fashion-mnist location.
constexpr const char *kFashionMNISTDir = "/usr/share/datasets/fashion-mnist";

/// A data set named on a command line: "fashion-mnist" is Debian's folder;
/// anything else is a folder of IDX files itself.
std::string datasetDirectory(const std::string &data);

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_DATA_IDX_H
