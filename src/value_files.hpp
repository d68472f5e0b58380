// Value files: the one helper that owns their durability protocol.
//
// Large values live in files named like Python diskcache's,
// "ab/cd/<28 hex digits>.val" under the cache directory. Writing follows the
// protocol of RELIABILITY.md: create "<name>.tmp" with O_EXCL|O_NOFOLLOW in
// its sub-directory, write everything, fsync, rename to the final name
// without replacing, fsync the sub-directory (and any parent it created).
// Only then may a row name the file. Files are opened through directory
// descriptors with O_NOFOLLOW at every level, and only names matching the
// scheme are ever opened, so a hostile row cannot reach outside the directory.
#ifndef DISKCACHE_SRC_VALUE_FILES_HPP_
#define DISKCACHE_SRC_VALUE_FILES_HPP_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "file_ops.hpp"

namespace diskcache::detail {

class ValueFiles {
 public:
  // `directory_fd` is an open descriptor of `directory`, owned by the caller
  // and valid for the lifetime of this object.
  ValueFiles(std::filesystem::path directory, int directory_fd, FileOps& ops)
      : directory_(std::move(directory)), directory_fd_(directory_fd), ops_(&ops) {}

  // Bytes read from a stream per write(2) by write_stream.
  static constexpr std::size_t kStreamChunk = std::size_t{1} << 20;

  // A value file just written: its relative name and its size in bytes.
  struct Written {
    std::string name;
    std::int64_t size = 0;
  };

  // Writes `bytes` to a new value file, durably; returns its relative name.
  // Throws IoError (nothing is left behind).
  std::string write(std::string_view bytes, const std::string& key);

  // Writes what `in` yields up to its end to a new value file, durably,
  // kStreamChunk bytes at a time. `in`'s exception mask is set aside while
  // reading; a normal end leaves `in` at eof. Throws IoError if `in` has
  // already failed or goes bad (badbit) while being read, or if the file
  // cannot be written (nothing is left behind).
  Written write_stream(std::istream& in, const std::string& key);

  // Opens value file `name` for reading once it is known to be a regular
  // file of `expected_size` bytes. Returns nullopt if it does not exist.
  // Throws like read.
  std::optional<UniqueFd> open(std::string_view name, std::int64_t expected_size,
                               const std::string& key) const;

  // Reads the value file `name`, which the database says holds
  // `expected_size` bytes. Returns nullopt if the file does not exist.
  // Throws CorruptionError for a name outside the scheme, a symlink, a
  // non-regular file or a size mismatch; IoError for other failures, among
  // them a value too large to load (see allocate_for).
  std::optional<std::string> read(std::string_view name, std::int64_t expected_size,
                                  const std::string& key) const;

  // Size of value file `name`, or nullopt if it does not exist (ENOENT).
  // Throws CorruptionError for a name outside the scheme, a symlink or a
  // non-regular file; IoError if it cannot be opened or examined (EACCES,
  // EMFILE, EIO, ...), which says nothing about the file being damaged.
  std::optional<std::int64_t> size_of(std::string_view name) const;

  // Confirms, under the write lock, that value file `name` written for
  // `key` is still there before a row names it: once staged, a file is
  // unknown to the database, and check(fix = true) in another process takes
  // an old enough one for an orphan. Throws IoError if it is gone,
  // CorruptionError if it is damaged, so the write fails loudly instead of
  // committing a row that names a missing file.
  void confirm_staged(std::string_view name, std::int64_t size, const std::string& key) const;

  // Unlinks value file `name` and its sub-directories once empty. Failures
  // are ignored: at worst an orphan remains for check(fix = true).
  void remove(std::string_view name) const noexcept;

  // True if `name` has the shape "xx/xx/<28 hex>.val" (lower-case hex).
  static bool valid_name(std::string_view name) noexcept;

  // Permission bits of new value files (Settings::file_mode); new
  // sub-directories get them plus execute wherever read is granted.
  void set_file_mode(mode_t mode) noexcept { file_mode_.store(mode, std::memory_order_relaxed); }
  mode_t file_mode() const noexcept { return file_mode_.load(std::memory_order_relaxed); }
  static mode_t directory_mode(mode_t file_mode) noexcept {
    return file_mode | ((file_mode & 0444) >> 2);
  }

  FileOps& ops() const noexcept { return *ops_; }
  void set_ops(FileOps& ops) noexcept { ops_ = &ops; }

 private:
  // Appends bytes to the temporary file being written; throws IoError.
  using Append = std::function<void(std::string_view bytes)>;
  // Produces the value through `append`; returns its size in bytes.
  using Fill = std::function<std::int64_t(const Append& append)>;

  // The protocol behind write and write_stream: creates the temporary file,
  // runs `fill`, then flushes, renames and flushes the directories. If
  // anything throws, the temporary file is removed.
  Written create(const Fill& fill, const std::string& key);

  // Opens sub-directory `name` ("ab" or "cd") of `parent` without following
  // symlinks; creates it first when `create`. Sets `*created` when it did.
  UniqueFd open_subdir(int parent, const char* name, bool create, bool* created) const;
  // Opens the value file for reading: nullopt if any component is missing.
  std::optional<UniqueFd> open_for_read(std::string_view name, const std::string& key) const;
  // A zero-filled buffer of `size` bytes for the value file at `path`.
  // Throws IoError (EFBIG) before allocating if `size` exceeds the machine's
  // physical memory, IoError (ENOMEM) if the allocation fails.
  std::string allocate_for(const std::string& path, std::int64_t size,
                           const std::string& key) const;

  const std::filesystem::path directory_;
  const int directory_fd_;
  FileOps* ops_;
  std::atomic<mode_t> file_mode_{0600};
};

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_VALUE_FILES_HPP_
