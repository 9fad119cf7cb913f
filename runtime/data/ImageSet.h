//===- ImageSet.h - labelled image data sets, read on demand ----*- C++ -*-===//
//
// One data specification for every command that reads images:
//
//   fashion-mnist              Debian's dataset-fashion-mnist (IDX)
//   idx:DIR, or DIR            a folder of MNIST-style IDX files
//   imagefolder:DIR            one sub-folder per class of PNG/JPEG files,
//                              classes in sorted order (torchvision's
//                              ImageFolder); DIR/train and DIR/val (or
//                              DIR/test) are used for the splits if present
//   cifar10:DIR, cifar100:DIR  the binary versions' batch files
//   npy:IMAGES.npy,LABELS.npy  uint8 or float32, N×C×H×W, N×H×W×C or N×H×W
//   npz:FILE                   the same in one archive (arrays "images"
//                              and "labels", or "x"/"y", or the only two)
//
// Samples are read and preprocessed on demand, in parallel, as torchvision's
// transforms do (Resize of the shorter side, CenterCrop, ToTensor,
// Normalize): an ImageNet-size folder is never held in memory.
//
//===----------------------------------------------------------------------===//

#ifndef SNN_MLIR_RUNTIME_DATA_IMAGESET_H
#define SNN_MLIR_RUNTIME_DATA_IMAGESET_H

#include "runtime/data/IDX.h"
#include "runtime/tensor/Tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace snnrt {

/// How stored images become a network's input.
struct ImagePreprocess {
  /// Resize (bilinear, antialiased, as PIL) so that the shorter side has
  /// this many pixels; 0: no resize.
  int64_t resize = 0;
  /// Center crop to this size; 0: the network's input size when resizing,
  /// else no crop.
  int64_t cropHeight = 0, cropWidth = 0;
  /// 8-bit data divided by 255 (float data is taken as stored).
  bool scale = true;
  /// Per channel (one value: every channel), after scaling: (x − mean)/std.
  std::vector<float> mean, std;
  /// The network's channel order: RGB (false) or BGR.
  bool bgr = false;
  /// Layout of rank-4 NumPy arrays: "auto", "nchw" or "nhwc".
  std::string layout = "auto";
};

/// Sets mean and std to a named set: "imagenet", "cifar10" or "none".
/// "" or a message: an unknown name, or a mean or std given as well.
std::string setNormalization(const std::string &name, ImagePreprocess &pre);

/// "" or a message for options that cannot work (a negative size, a std of
/// 0, a bad layout).
std::string checkPreprocess(const ImagePreprocess &pre);

/// A labelled image data set whose samples are read on demand.
class ImageSet {
public:
  virtual ~ImageSet() = default;
  int64_t size() const { return int64_t(labels_.size()); }
  /// Every sample's label, known when the set is opened.
  const std::vector<int> &labels() const { return labels_; }
  /// Classes the data set declares (CIFAR-10: 10, a folder: its class
  /// folders); 0 when it does not (IDX, NumPy).
  int64_t classes() const { return classes_; }
  /// Class names where the data set has them (folders), else empty.
  const std::vector<std::string> &classNames() const { return names_; }
  /// One sample after preprocessing: C×H×W.
  const Shape &sampleShape() const { return shape_; }
  /// "cifar10:DIR (test, 10000 images of 3×32×32, 10 classes)".
  const std::string &description() const { return description_; }

  /// Samples `indices` as an N×C×H×W tensor and their labels; decoding is
  /// spread over the runtime's threads. Errors name the file and sample.
  std::string load(const std::vector<int64_t> &indices, Tensor &x,
                   std::vector<int> &labels) const;

  /// Writes sample `index`, preprocessed, to `out` (C×H×W floats).
  virtual std::string loadOne(int64_t index, float *out) const = 0;

  // Written once by the reader that opens the set.
  std::vector<int> labels_;
  std::vector<std::string> names_;
  int64_t classes_ = 0;
  Shape shape_;
  std::string description_;
};

/// Opens the `split` ("train" or "test") of the data set `spec` names (see
/// the top of this file). `input` is the network's input shape: a rank-4
/// [N, C, H, W] fixes the channels (gray is replicated to RGB, RGB turned to
/// gray) and the size the images must have after preprocessing (a mismatch
/// is an error naming both); other shapes take the images as they are.
std::string openImageSet(const std::string &spec, const std::string &split,
                         const ImagePreprocess &pre, const Shape &input,
                         std::unique_ptr<ImageSet> &out);

/// Reads samples [0, limit) (0: all) of `set` into memory, for the
/// consumers that hold a data set whole (after a memory check).
std::string loadAllImages(const ImageSet &set, int64_t limit,
                          ImageDataset &out);

/// openImageSet + loadAllImages: the split of `spec` whole in memory.
std::string loadImageDataset(const std::string &spec, const std::string &split,
                             ImageDataset &out,
                             const ImagePreprocess &pre = ImagePreprocess(),
                             const Shape &input = Shape(), int64_t limit = 0);

/// The formats `spec` may name, for help texts.
extern const char *const kImageDataHelp;

} // namespace snnrt

#endif // SNN_MLIR_RUNTIME_DATA_IMAGESET_H
