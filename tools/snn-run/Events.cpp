//===- Events.cpp - snn-run events: emulate and inspect event data --------===//
//
//   snn-run events emulate --data fashion-mnist -o DIR [--split test]
//       Fashion-MNIST (or any IDX image set) as event streams recorded in
//       three saccades (runtime/data/SaccadeEmulator.h), written in
//       N-MNIST's format and layout: DIR/{Train,Test}/LABEL/NNNNN.bin.
//   snn-run events info PATH [--bins T] [--by-count]
//       Events, time span and polarity of one file (.bin, .aedat), or the
//       samples per class of a data set folder; --bins shows the frames'
//       event counts.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Events.h"
#include "runtime/data/IDX.h"
#include "runtime/data/SaccadeEmulator.h"
#include "runtime/tensor/Parallel.h"
#include "tools/snn-run/Common.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include "runtime/io/AtomicFile.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace snnrun {

namespace {

/// What a folder's samples were recorded from and with: kept in the folder,
/// so that a second run with other settings cannot mix its samples with the
/// first run's.
std::string emulatorRecord(const std::string &data,
                           const snnrt::SaccadeOptions &o) {
  std::ostringstream s;
  s << "data=" << snnrt::datasetDirectory(data) << " canvas=" << o.canvas
    << " saccade-us=" << o.saccadeUs << " step-us=" << o.stepUs
    << " threshold=" << o.threshold << " threshold-spread=" << o.thresholdSpread
    << " refractory-us=" << o.refractoryUs << " noise-hz=" << o.noiseHz
    << " epsilon=" << o.epsilon << " seed=" << o.seed << "\n";
  return s.str();
}

/// Checks the folder's record against this run (writing it when missing
/// or when `overwrite`); false after printing why the samples would mix.
bool checkEmulatorRecord(const std::string &output, const std::string &record,
                         bool overwrite) {
  fs::path path = fs::path(output) / "emulator-parameters.txt";
  std::ifstream in(path);
  std::string before((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
  if (!before.empty() && before != record && !overwrite) {
    llvm::errs() << "snn-run: " << output
                 << " holds samples recorded with other settings:\n  there: "
                 << before << "  now:   " << record
                 << "use --overwrite to record them again, or another folder\n";
    return false;
  }
  if (before == record)
    return true;
  std::error_code ec;
  if (!before.empty()) {
    // --overwrite with other settings: the samples this tool wrote under the
    // old ones go, also those past this run's --limit.
    for (const char *split : {"Train", "Test"})
      for (const auto &cls :
           fs::directory_iterator(fs::path(output) / split, ec))
        for (const auto &f : fs::directory_iterator(cls.path(), ec)) {
          std::string name = f.path().filename().string();
          if (name.size() > 4 && name.substr(name.size() - 4) == ".bin" &&
              std::all_of(name.begin(), name.end() - 4,
                          [](unsigned char c) { return std::isdigit(c); }))
            fs::remove(f.path(), ec);
        }
    ec.clear();
  }
  fs::create_directories(output, ec);
  if (std::string e = snnrt::writeFileAtomically(
          path.string(),
          [&](FILE *f) {
            return std::fwrite(record.data(), 1, record.size(), f) ==
                   record.size();
          });
      !e.empty()) {
    llvm::errs() << "snn-run: " << e << "\n";
    return false;
  }
  return true;
}

} // namespace

bool emulateSplit(const std::string &data, const std::string &split,
                  int64_t limit, const std::string &output,
                  const snnrt::SaccadeOptions &saccades, bool overwrite,
                  bool progress, EmulatedCounts &counts) {
  snnrt::ImageDataset images;
  if (!loadImages(data, split, images))
    return false;
  int64_t n = images.images.dim(0);
  if (limit > 0)
    n = std::min(n, limit);
  int64_t H = images.images.dim(images.images.rank() - 2),
          W = images.images.dim(images.images.rank() - 1);
  if (H > saccades.canvas || W > saccades.canvas) {
    llvm::errs() << "snn-run: " << H << "×" << W << " images do not fit the "
                 << saccades.canvas << "×" << saccades.canvas
                 << " sensor (--canvas)\n";
    return false;
  }
  if (H > 0 && saccades.saccadeUs / saccades.stepUs > 100000) {
    llvm::errs() << "snn-run: --saccade-us / --step-us gives more than "
                    "100000 emulation steps per saccade\n";
    return false;
  }
  if (!checkEmulatorRecord(output, emulatorRecord(data, saccades), overwrite))
    return false;
  fs::path root = fs::path(output) / (split == "train" ? "Train" : "Test");
  std::error_code ec;
  std::set<int> labels(images.labels.begin(), images.labels.begin() + n);
  for (int label : labels)
    if (!ec)
      fs::create_directories(root / std::to_string(label), ec);
  if (ec) {
    llvm::errs() << "snn-run: cannot create " << root.string() << ": "
                 << ec.message() << "\n";
    return false;
  }
  ProgressBar bar(n, progress);
  std::atomic<int64_t> done{0}, wrote{0}, skipped{0}, total{0};
  std::string error;
  std::mutex failed, barLock;
  // The sample index keys the noise: train and test streams differ.
  uint64_t base = split == "train" ? 0 : uint64_t(1) << 32;
  snnrt::parallelFor(n, 8, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "%05lld.bin", (long long)i);
      fs::path file = root / std::to_string(images.labels[size_t(i)]) / name;
      if (!overwrite && fs::exists(file)) {
        ++skipped; // an earlier run wrote it (writes are atomic)
      } else {
        std::vector<snnrt::Event> ev =
            snnrt::emulateSaccades(images.images.ptr() + i * H * W, H, W,
                                   saccades, base + uint64_t(i));
        total += int64_t(ev.size());
        if (std::string err = snnrt::writeNMNIST(file.string(), ev);
            !err.empty()) {
          std::lock_guard<std::mutex> lock(failed);
          error = err;
          return;
        }
        ++wrote;
      }
      int64_t d = ++done;
      std::lock_guard<std::mutex> lock(barLock);
      bar.update(d, split);
    }
  });
  if (!error.empty()) {
    llvm::errs() << "snn-run: " << error << "\n";
    return false;
  }
  counts.written += wrote;
  counts.kept += skipped;
  counts.events += total;
  return true;
}

namespace {

int emulate(const EventsOptions &o) {
  std::vector<std::string> splits;
  if (o.split == "all")
    splits = {"train", "test"};
  else
    splits = {o.split};
  EmulatedCounts counts;
  for (const std::string &split : splits)
    if (!emulateSplit(o.data, split, o.limit, o.output, o.saccades, o.overwrite,
                      o.progress && !o.json, counts))
      return 1;
  if (o.json) {
    nlohmann::json j = {{"output", o.output},
                        {"written", counts.written},
                        {"kept", counts.kept},
                        {"events_per_written_sample",
                         counts.written
                             ? double(counts.events) / double(counts.written)
                             : 0.0}};
    llvm::outs() << j.dump(2) << "\n";
  } else {
    llvm::outs() << "wrote " << counts.written << " samples to " << o.output;
    if (counts.written)
      llvm::outs() << llvm::format(" (%.0f events each on average)",
                                   double(counts.events) /
                                       double(counts.written));
    if (counts.kept)
      llvm::outs() << "; kept " << counts.kept << " written before "
                   << "(--overwrite rewrites them)";
    llvm::outs() << "\n";
  }
  return 0;
}

int info(const EventsOptions &o) {
  if (fs::is_directory(o.path)) {
    nlohmann::json j = {{"path", o.path}};
    for (const char *split : {"train", "test"}) {
      snnrt::EventDataset data;
      if (std::string e = snnrt::listEventDataset(o.path, split, data);
          !e.empty()) {
        if (e.find("no '" + std::string(split) + "' folder") !=
            std::string::npos)
          continue; // one split of the two is enough
        llvm::errs() << "snn-run: " << e << "\n";
        return 1;
      }
      std::map<int, int64_t> perClass;
      for (int l : data.labels)
        ++perClass[l];
      nlohmann::json classes = nlohmann::json::object();
      for (auto [l, n] : perClass)
        classes[std::to_string(l)] = n;
      j[split] = {{"samples", data.files.size()}, {"per_class", classes}};
    }
    if (j.size() == 1) {
      llvm::errs() << "snn-run: " << o.path
                   << ": no Train/ or Test/ folder with class folders of "
                      ".bin or .aedat files\n";
      return 1;
    }
    llvm::outs() << j.dump(2) << "\n";
    return 0;
  }
  std::vector<snnrt::Event> events;
  if (std::string e = snnrt::readEvents(o.path, events); !e.empty()) {
    llvm::errs() << "snn-run: " << e << "\n";
    return 1;
  }
  int64_t on = 0, maxX = 0, maxY = 0;
  for (const snnrt::Event &e : events) {
    on += e.on;
    maxX = std::max<int64_t>(maxX, e.x);
    maxY = std::max<int64_t>(maxY, e.y);
  }
  int64_t t0 = events.empty() ? 0 : events.front().t,
          t1 = events.empty() ? 0 : events.back().t;
  nlohmann::json j = {{"path", o.path}, {"events", events.size()},
                      {"on", on},       {"off", int64_t(events.size()) - on},
                      {"first_us", t0}, {"last_us", t1},
                      {"max_x", maxX},  {"max_y", maxY}};
  if (o.bins > 0) {
    snnrt::BinOptions b;
    b.bins = o.bins;
    b.byCount = o.byCount;
    b.width = maxX + 1;
    b.height = maxY + 1;
    snnrt::Tensor frames;
    if (std::string e = snnrt::binEvents(events, b, frames); !e.empty()) {
      llvm::errs() << "snn-run: " << e << "\n";
      return 1;
    }
    nlohmann::json perBin = nlohmann::json::array();
    int64_t per = frames.size() / o.bins;
    for (int64_t k = 0; k < o.bins; ++k) {
      double sum = 0;
      for (int64_t i = 0; i < per; ++i)
        sum += frames.data[size_t(k * per + i)];
      perBin.push_back(int64_t(sum));
    }
    j["events_per_bin"] = perBin;
  }
  llvm::outs() << j.dump(2) << "\n";
  return 0;
}

} // namespace

CLI::App *addEventsCommand(CLI::App &app, EventsOptions &o) {
  CLI::App *cmd = app.add_subcommand(
      "events", "Event-camera data: emulate event streams from images, "
                "inspect event files and data sets");
  cmd->require_subcommand(1);
  CLI::App *em = cmd->add_subcommand(
      "emulate",
      "Record images as event streams the way N-MNIST was recorded (three "
      "saccades of a moving sensor; ON/OFF events at log-intensity "
      "thresholds, refractory period, background noise) and write them in "
      "N-MNIST's format and layout: OUT/{Train,Test}/LABEL/NNNNN.bin. "
      "Resumable: samples already written are kept");
  em->add_option("--data", o.data,
                 "'fashion-mnist' (Debian's dataset-fashion-mnist) or a "
                 "folder of MNIST-style IDX files")
      ->capture_default_str();
  em->add_option("--split", o.split, "train, test or all")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "test", "all"}));
  em->add_option("--limit", o.limit, "First N images of each split (0: all)")
      ->check(cli::integer(0, INT64_MAX, "0: all"));
  em->add_option("-o,--output", o.output, "Output folder")->required();
  em->add_option("--threshold", o.saccades.threshold,
                 "Log-intensity contrast threshold")
      ->capture_default_str()
      ->check(cli::real(0.0));
  em->add_option("--threshold-spread", o.saccades.thresholdSpread,
                 "Per-pixel threshold mismatch (relative σ)")
      ->capture_default_str()
      ->check(cli::real(0.0, true, 10.0));
  em->add_option("--refractory-us", o.saccades.refractoryUs,
                 "Minimum time between two events of a pixel (µs)")
      ->capture_default_str()
      ->check(cli::integer(0, kMaxEmulatedUs));
  em->add_option("--noise-hz", o.saccades.noiseHz,
                 "Background events per pixel and second")
      ->capture_default_str()
      ->check(cli::real(0.0, true, 1e6));
  em->add_option("--saccade-us", o.saccades.saccadeUs,
                 "Duration of each of the three saccades (µs)")
      ->capture_default_str()
      ->check(cli::integer(1, kMaxEmulatedUs));
  em->add_option("--step-us", o.saccades.stepUs,
                 "Time resolution of the emulation (µs)")
      ->capture_default_str()
      ->check(cli::integer(1, kMaxEmulatedUs));
  em->add_option("--canvas", o.saccades.canvas,
                 "Sensor width and height (N-MNIST: 34)")
      ->capture_default_str()
      ->check(cli::integer(1, 239));
  em->add_option("--seed", o.saccades.seed, "Noise and mismatch seed")
      ->capture_default_str();
  em->add_flag("--overwrite", o.overwrite, "Rewrite samples written before");
  addThreadsOption(em, o.threads);
  em->add_flag("--json", o.json, "Print a JSON summary");
  em->add_flag("!--no-progress", o.progress, "No progress bar");
  em->callback([&o] { o.action = "emulate"; });

  CLI::App *in = cmd->add_subcommand(
      "info", "Events, time span and polarity of an event file (.bin: "
              "N-MNIST, .aedat: AEDAT 2.0 / 3.1), or the samples per class "
              "of a data set folder (N-MNIST layout); JSON");
  in->add_option("path", o.path, "Event file or data set folder")->required();
  in->add_option("--bins", o.bins, "Also count the events of T frames")
      ->check(cli::integer(0, snnrt::kMaxTimesteps, "0: no frames"));
  in->add_flag("--by-count", o.byCount,
               "Frames of equal event counts instead of equal time");
  in->callback([&o] { o.action = "info"; });
  return cmd;
}

int runEvents(const EventsOptions &o) {
  if (o.threads > 0)
    snnrt::setNumThreads(o.threads);
  return o.action == "emulate" ? emulate(o) : info(o);
}

} // namespace snnrun
