//===- AtomicFile.cpp - all-or-nothing file writes ------------------------===//

#include "runtime/io/AtomicFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace snnrt {

namespace fs = std::filesystem;

namespace {

TemporaryFileHooks gHooks;

void temporaryGone(std::string &tmp) {
  if (tmp.empty())
    return;
  if (gHooks.gone)
    gHooks.gone(tmp);
  tmp.clear();
}

/// The file a write to `path` lands in: symbolic links followed.
std::string resolve(const std::string &path) {
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(path, ec))) {
    fs::path target = fs::weakly_canonical(path, ec);
    if (!ec)
      return target.string();
  }
  return path;
}

std::string folderOf(const std::string &path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

std::string errnoText(int err) { return std::strerror(err); }

/// Creates a temporary file in the folder of `target`; fd < 0 on failure,
/// with `error` set.
int makeTemporary(const std::string &target, std::string &tmp,
                  std::string &error) {
  std::string folder = folderOf(target);
  tmp =
      (fs::path(folder) / fs::path(target).filename()).string() + ".tmp-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd >= 0) {
    if (gHooks.made)
      gHooks.made(tmp);
    return fd;
  }
  int err = errno;
  struct stat st;
  if (stat(folder.c_str(), &st) != 0)
    error =
        "cannot write " + target + ": the folder " + folder + " does not exist";
  else if (!S_ISDIR(st.st_mode))
    error = "cannot write " + target + ": " + folder + " is not a folder";
  else
    error = "cannot write " + target + ": cannot create a file in " + folder +
            " (" + errnoText(err) + ")";
  tmp.clear();
  return -1;
}

} // namespace

AtomicOutputFile::~AtomicOutputFile() { discard(); }

std::string AtomicOutputFile::open(const std::string &requested) {
  discard();
  if (requested.empty())
    return "no output file name given";
  if (requested == "-") {
    path = requested;
    fd = STDOUT_FILENO;
    direct = true;
    ownsDescriptor = false;
    return "";
  }
  path = resolve(requested);
  struct stat st;
  bool exists = stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    return "cannot write " + requested + ": it is a folder";
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or a FIFO cannot be replaced; write to it as it is.
    fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
      return "cannot write " + requested + ": " + errnoText(errno);
    direct = true;
    ownsDescriptor = true;
    return "";
  }
  std::string error;
  fd = makeTemporary(path, tmp, error);
  if (fd < 0)
    return error;
  direct = false;
  ownsDescriptor = true;
  // mkstemp makes the file private (0600): give the output the mode of
  // the file it replaces, or what a plain create would (0666 − umask).
  mode_t mode;
  if (exists) {
    mode = st.st_mode & 07777;
  } else {
    mode_t mask = umask(0);
    umask(mask);
    mode = 0666 & ~mask;
  }
  (void)fchmod(fd, mode);
  return "";
}

FILE *AtomicOutputFile::stream() {
  if (!file && fd >= 0)
    file = fdopen(fd, "wb");
  return file;
}

std::string AtomicOutputFile::commit() {
  if (fd < 0)
    return "cannot write " + path + ": the file is not open";
  bool ok = true;
  int err = 0;
  if (file && std::fflush(file) != 0)
    ok = false, err = errno;
  if (ok && !direct && fsync(fd) != 0)
    ok = false, err = errno;
  if (ownsDescriptor) {
    int closed = file ? std::fclose(file) : ::close(fd);
    if (closed != 0 && ok)
      ok = false, err = errno;
  }
  file = nullptr;
  fd = -1;
  if (ok && !direct && std::rename(tmp.c_str(), path.c_str()) != 0)
    ok = false, err = errno;
  if (!ok) {
    if (!tmp.empty())
      ::unlink(tmp.c_str());
    temporaryGone(tmp);
    return "cannot write " + path + ": " +
           (err ? errnoText(err) : std::string("write failed"));
  }
  if (!direct) {
    // Make the rename itself durable.
    int dir = ::open(folderOf(path).c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
      (void)fsync(dir);
      ::close(dir);
    }
  }
  temporaryGone(tmp);
  return "";
}

void AtomicOutputFile::discard() {
  if (fd >= 0 && ownsDescriptor) {
    if (file)
      std::fclose(file);
    else
      ::close(fd);
  } else if (file) {
    std::fflush(file);
  }
  file = nullptr;
  fd = -1;
  if (!tmp.empty())
    ::unlink(tmp.c_str());
  temporaryGone(tmp);
}

void setTemporaryFileHooks(const TemporaryFileHooks &hooks) { gHooks = hooks; }

std::string writeFileAtomically(const std::string &path,
                                const std::function<bool(FILE *)> &write) {
  AtomicOutputFile out;
  if (std::string e = out.open(path); !e.empty())
    return e;
  FILE *f = out.stream();
  errno = 0;
  if (!f || !write(f)) {
    int err = errno;
    out.discard();
    return "cannot write " + path + ": " +
           (err ? errnoText(err) : std::string("write failed"));
  }
  return out.commit();
}

std::string checkOutputPath(const std::string &requested) {
  if (requested.empty())
    return "no output file name given";
  if (requested == "-")
    return "";
  std::string path = resolve(requested);
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return "cannot write " + requested + ": it is a folder";
    if (!S_ISREG(st.st_mode))
      return access(path.c_str(), W_OK) == 0
                 ? ""
                 : "cannot write " + requested + ": " + errnoText(errno);
  }
  std::string tmp, error;
  int fd = makeTemporary(path, tmp, error);
  if (fd < 0)
    return error;
  ::close(fd);
  ::unlink(tmp.c_str());
  temporaryGone(tmp);
  return "";
}

bool sameFile(const std::string &a, const std::string &b) {
  struct stat sa, sb;
  if (stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  std::error_code ea, eb;
  fs::path pa = fs::weakly_canonical(fs::absolute(a, ea), ea),
           pb = fs::weakly_canonical(fs::absolute(b, eb), eb);
  return !ea && !eb && pa == pb;
}

} // namespace snnrt
