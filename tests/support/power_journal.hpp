// The journal of the simulated power-loss test (tests/power_loss_test.cpp):
// Recorder sits under a child's containers, as a SQLite VFS hook and as the
// value files' FileOps, and appends to an O_APPEND file, before each change,
// what it changes (old bytes of cache.db and its WAL; creations, data,
// renames and unlinks of value files) and each sync, which it skips. At its
// Nth sync it kills the process. The journal survives the kill.
#ifndef DISKCACHE_TESTS_POWER_JOURNAL_HPP_
#define DISKCACHE_TESTS_POWER_JOURNAL_HPP_

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "file_ops.hpp"
#include "test_support.hpp"
#include "vfs_shim.hpp"

namespace diskcache::power_loss {

namespace fs = std::filesystem;
// Types: 'W' write and 'T' truncate of a database file (with its old and
// new bytes), 'S' its sync; for value files 'M' mkdir, 'C' create, 'D' data
// written, 'R' rename (path -> other), 'U' unlink (the file kept as
// other, under the root), 'X' rmdir, 'F' fsync of a file or directory.
// Paths are relative to the root, so a journal applies to a copy.
struct Record {
  char type = 0;
  std::string path;
  std::string other;
  std::int64_t offset = 0;
  std::int64_t old_size = 0;
  std::int64_t new_size = 0;
  std::string old_bytes;
  std::string new_bytes;
};

inline Record record_of(char type, std::string path, std::string other = {}) {
  Record record;
  record.type = type;
  record.path = std::move(path);
  record.other = std::move(other);
  return record;
}

inline void put(std::string& out, std::int64_t number) {
  out.append(reinterpret_cast<const char*>(&number), sizeof number);
}
inline void put(std::string& out, const std::string& bytes) {
  put(out, static_cast<std::int64_t>(bytes.size()));
  out += bytes;
}

inline std::vector<Record> read_journal(const fs::path& path) {
  const std::string bytes = testing::read_file(path);
  std::size_t at = 0;
  auto number = [&] {
    std::int64_t value = 0;
    std::memcpy(&value, bytes.data() + at, sizeof value);
    at += sizeof value;
    return value;
  };
  auto text = [&] {
    const auto size = static_cast<std::size_t>(number());
    std::string value = bytes.substr(at, size);
    at += size;
    return value;
  };
  std::vector<Record> records;
  while (at < bytes.size()) {
    Record record;
    record.type = bytes[at++];
    record.path = text();
    record.other = text();
    record.offset = number();
    record.old_size = number();
    record.new_size = number();
    record.old_bytes = text();
    record.new_bytes = text();
    records.push_back(std::move(record));
  }
  return records;
}

// Records every change under `root` (the VFS hooks and the FileOps of the
// child's containers), skips every sync, and kills the process at the
// `kill_at`th sync (0: never).
class Recorder final : public testing::VfsHooks, public detail::FileOps {
 public:
  Recorder(fs::path root, long kill_at)
      : root_(std::move(root)),
        kill_at_(kill_at),
        journal_(
            ::open((root_ / "journal").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) {
    if (journal_.get() < 0) throw std::runtime_error("cannot open the journal");
  }
  long syncs() const { return syncs_; }

  std::optional<int> before_write(testing::ShimFile& file, const void* data, int amount,
                                  sqlite3_int64 offset) override {
    if (file.name == nullptr) return std::nullopt;
    Record record = record_of('W', relative(file.name));
    record.offset = offset;
    record.old_size = size_of(file);
    record.new_size = std::max<std::int64_t>(record.old_size, offset + amount);
    if (offset < record.old_size) {
      record.old_bytes =
          read(file, offset, std::min<std::int64_t>(amount, record.old_size - offset));
    }
    record.new_bytes.assign(static_cast<const char*>(data), static_cast<std::size_t>(amount));
    append(record);
    return std::nullopt;
  }
  std::optional<int> before_truncate(testing::ShimFile& file, sqlite3_int64 size) override {
    if (file.name == nullptr) return std::nullopt;
    Record record = record_of('T', relative(file.name));
    record.new_size = size;
    record.old_size = size_of(file);
    if (size < record.old_size) record.old_bytes = read(file, size, record.old_size - size);
    append(record);
    return std::nullopt;
  }
  std::optional<int> before_sync(testing::ShimFile& file, int) override {
    sync_point();
    if (file.name != nullptr) append(record_of('S', relative(file.name)));
    return SQLITE_OK;
  }

  int openat(int dirfd, const char* path, int flags, mode_t mode) override {
    const int fd = FileOps::openat(dirfd, path, flags, mode);
    if (fd >= 0 && (flags & O_CREAT) != 0)
      keeping_errno([&] { append(record_of('C', at(dirfd, path))); });
    return fd;
  }
  ssize_t write(int fd, const void* data, size_t size) override {
    append(record_of('D', fd_path(fd)));
    return FileOps::write(fd, data, size);
  }
  int fsync(int fd) override {
    sync_point();
    append(record_of('F', fd_path(fd)));
    return 0;
  }
  void start_writeback(int, off_t, off_t) override {}
  int rename_noreplace(int olddirfd, const char* oldpath, int newdirfd,
                       const char* newpath) override {
    const int rc = FileOps::rename_noreplace(olddirfd, oldpath, newdirfd, newpath);
    if (rc == 0) append(record_of('R', at(olddirfd, oldpath), at(newdirfd, newpath)));
    return rc;
  }
  int unlinkat(int dirfd, const char* path, int flags) override {
    if ((flags & AT_REMOVEDIR) != 0) {
      const int rc = FileOps::unlinkat(dirfd, path, flags);
      if (rc == 0) keeping_errno([&] { append(record_of('X', at(dirfd, path))); });
      return rc;
    }
    // A power cut may undo the unlink: keep the file to restore it.
    const std::string stash = "stash/" + std::to_string(++stashed_);
    const bool kept = ::linkat(dirfd, path, AT_FDCWD, (root_ / stash).c_str(), 0) == 0;
    const int rc = FileOps::unlinkat(dirfd, path, flags);
    if (rc == 0 && kept) keeping_errno([&] { append(record_of('U', at(dirfd, path), stash)); });
    return rc;
  }
  int mkdirat(int dirfd, const char* path, mode_t mode) override {
    const int rc = FileOps::mkdirat(dirfd, path, mode);
    if (rc == 0) append(record_of('M', at(dirfd, path)));
    return rc;
  }

 private:
  void sync_point() {
    if (++syncs_ == kill_at_) ::raise(SIGKILL);
  }
  template <class Fn>
  void keeping_errno(Fn&& fn) {
    const int saved = errno;
    fn();
    errno = saved;
  }
  void append(const Record& record) {
    std::string out(1, record.type);
    put(out, record.path);
    put(out, record.other);
    put(out, record.offset);
    put(out, record.old_size);
    put(out, record.new_size);
    put(out, record.old_bytes);
    put(out, record.new_bytes);
    // One write(2) per record: whole after SIGKILL.
    if (::write(journal_.get(), out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
      std::abort();
    }
  }
  std::string relative(const fs::path& path) const {
    return path.lexically_relative(root_).string();
  }
  std::string fd_path(int fd) const {
    char target[PATH_MAX];
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t length = ::readlink(link.c_str(), target, sizeof target);
    if (length <= 0) std::abort();
    return relative(std::string(target, static_cast<std::size_t>(length)));
  }
  std::string at(int dirfd, const char* name) const {
    return (fs::path(fd_path(dirfd)) / name).string();
  }
  static std::int64_t size_of(testing::ShimFile& file) {
    sqlite3_int64 size = 0;
    if (file.real->pMethods->xFileSize(file.real, &size) != SQLITE_OK) std::abort();
    return size;
  }
  // Through SQLite's own file: a second descriptor on cache.db, once closed,
  // would drop SQLite's POSIX locks.
  static std::string read(testing::ShimFile& file, std::int64_t offset, std::int64_t size) {
    std::string bytes(static_cast<std::size_t>(size), '\0');
    const int rc =
        file.real->pMethods->xRead(file.real, bytes.data(), static_cast<int>(size), offset);
    if (rc != SQLITE_OK) std::abort();
    return bytes;
  }

  const fs::path root_;
  const long kill_at_;
  detail::UniqueFd journal_;
  long syncs_ = 0;
  long stashed_ = 0;
};

}  // namespace diskcache::power_loss

#endif  // DISKCACHE_TESTS_POWER_JOURNAL_HPP_
