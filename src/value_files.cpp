#include "value_files.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ios>
#include <limits>
#include <new>
#include <vector>

#include "diskcache/errors.hpp"
#include "kill_point.hpp"

namespace diskcache::detail {
namespace {

// Bytes of RAM in this machine: no value larger than this can be loaded.
std::int64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::numeric_limits<std::int64_t>::max();
  std::int64_t bytes;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(pages), page_size, &bytes)) {
    return std::numeric_limits<std::int64_t>::max();
  }
  return bytes;
}

constexpr int kMaxAttempts = 10;

// 16 random bytes from the kernel, as Python's os.urandom(16). A user-space
// generator would be copied into a fork()ed child and produce the same names
// as its parent. Throws IoError naming `directory` if the kernel refuses.
std::string random_hex32(const std::filesystem::path& directory) {
  std::array<unsigned char, 16> random{};
  size_t filled = 0;
  while (filled < random.size()) {
    ssize_t got = ::getrandom(random.data() + filled, random.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "getrandom failed", directory);
    }
    filled += static_cast<size_t>(got);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(32, '0');
  for (size_t i = 0; i < random.size(); ++i) {
    hex[2 * i] = kHex[random[i] >> 4];
    hex[2 * i + 1] = kHex[random[i] & 0xf];
  }
  return hex;
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

struct NameParts {
  std::string first;   // "ab"
  std::string second;  // "cd"
  std::string leaf;    // "<28 hex>.val"
};

NameParts split(std::string_view name) {
  return {std::string(name.substr(0, 2)), std::string(name.substr(3, 2)),
          std::string(name.substr(6))};
}

// Writes all of `bytes` to `fd`; false with errno set on failure.
bool write_all(FileOps& ops, int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ops.write(fd, bytes.data(), bytes.size());
    if (written < 0) return false;
    if (written == 0) {
      errno = EIO;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

// Clears a stream's exception mask for the guard's lifetime. The end of a
// stream sets failbit, which must not throw for a caller who enabled
// exceptions on failbit (a common way to open an ifstream); a stream that
// goes bad is reported as IoError instead.
class StreamExceptionsOff {
 public:
  explicit StreamExceptionsOff(std::istream& in) : in_(in), mask_(in.exceptions()) {
    in_.exceptions(std::ios::goodbit);
  }
  StreamExceptionsOff(const StreamExceptionsOff&) = delete;
  StreamExceptionsOff& operator=(const StreamExceptionsOff&) = delete;
  ~StreamExceptionsOff() {
    // Restoring the mask throws if the state matches it; the mask is set
    // first, and the state is already reported (or the normal eof).
    try {
      in_.exceptions(mask_);
    } catch (const std::ios_base::failure&) {
    }
  }

 private:
  std::istream& in_;
  const std::ios::iostate mask_;
};

}  // namespace

bool ValueFiles::valid_name(std::string_view name) noexcept {
  // "ab/cd/" + 28 hex + ".val"
  if (name.size() != 2 + 1 + 2 + 1 + 28 + 4) return false;
  if (name[2] != '/' || name[5] != '/' || name.substr(34) != ".val") return false;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (!is_lower_hex(name[i])) return false;
  }
  for (size_t i = 6; i < 34; ++i) {
    if (!is_lower_hex(name[i])) return false;
  }
  return true;
}

UniqueFd ValueFiles::open_subdir(int parent, const char* name, bool create, bool* created) const {
  if (create) {
    const mode_t mode = directory_mode(file_mode_.load(std::memory_order_relaxed));
    if (ops_->mkdirat(parent, name, mode) == 0) {
      *created = true;
    } else if (errno != EEXIST) {
      return UniqueFd();
    }
  }
  return UniqueFd(ops_->openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0));
}

ValueFiles::Written ValueFiles::create(const Fill& fill, const std::string& key) {
  int last_errno = 0;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const std::string hex = random_hex32(directory_);
    std::string name = hex.substr(0, 2) + '/' + hex.substr(2, 2) + '/' + hex.substr(4) + ".val";
    NameParts parts = split(name);
    // Allocated before anything exists on disk: from the first mkdir on, a
    // failure (memory included) must be able to clean up.
    const std::string temporary = parts.leaf + ".tmp";
    bool created_first = false;
    bool created_second = false;

    // Another process may remove an empty sub-directory between our mkdir
    // and our create (Python diskcache does so on delete): ENOENT retries.
    UniqueFd first =
        open_subdir(directory_fd_, parts.first.c_str(), /*create=*/true, &created_first);
    if (!first.valid()) {
      last_errno = errno;
      if (last_errno == ENOENT) continue;
      throw_errno(last_errno,
                  "cannot create value directory " + (directory_ / parts.first).string(),
                  directory_, key);
    }
    UniqueFd second =
        open_subdir(first.get(), parts.second.c_str(), /*create=*/true, &created_second);
    if (!second.valid()) {
      last_errno = errno;
      ops_->unlinkat(directory_fd_, parts.first.c_str(), AT_REMOVEDIR);  // ENOTEMPTY if shared
      if (last_errno == ENOENT) continue;
      throw_errno(
          last_errno,
          "cannot create value directory " + (directory_ / parts.first / parts.second).string(),
          directory_, key);
    }

    // On failure, leave no empty sub-directory behind (ENOTEMPTY if shared).
    auto remove_empty_subdirs = [&] {
      ops_->unlinkat(first.get(), parts.second.c_str(), AT_REMOVEDIR);
      ops_->unlinkat(directory_fd_, parts.first.c_str(), AT_REMOVEDIR);
    };

    UniqueFd file(ops_->openat(second.get(), temporary.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                               file_mode_.load(std::memory_order_relaxed)));
    if (!file.valid()) {
      last_errno = errno;
      if (last_errno == ENOENT || last_errno == EEXIST) continue;
      remove_empty_subdirs();
      throw_errno(last_errno, "cannot create value file " + (directory_ / name).string() + ".tmp",
                  directory_, key);
    }

    // From here on this attempt is the last: the value may come from a
    // stream, which cannot be read a second time. Whatever fails, the
    // temporary file goes.
    auto fail = [&](const std::string& what) {
      const int error_number = errno;
      throw_errno(error_number, what + " value file " + (directory_ / name).string(), directory_,
                  key);
    };
    std::int64_t size = 0;
    try {
      off_t written = 0;
      size = fill([&](std::string_view bytes) {
        if (!write_all(*ops_, file.get(), bytes)) fail("cannot write");
        // Each chunk of a large value starts on its way to the disk while
        // the next is copied, so the fsync below has little left to wait for.
        const auto length = static_cast<off_t>(bytes.size());
        if (length >= static_cast<off_t>(kStreamChunk)) {
          ops_->start_writeback(file.get(), written, length);
        }
        written += length;
      });
      DISKCACHE_TEST_KILL_POINT("value_written");
      if (ops_->fsync(file.get()) != 0) fail("cannot flush");
      file.reset();
      DISKCACHE_TEST_KILL_POINT("value_synced");

      // A final name already taken (112 random bits: practically never)
      // gets another random leaf in the same sub-directory.
      for (int rename_attempt = 1;; ++rename_attempt) {
        if (ops_->rename_noreplace(second.get(), temporary.c_str(), second.get(),
                                   parts.leaf.c_str()) == 0) {
          break;
        }
        if (errno != EEXIST || rename_attempt == kMaxAttempts) fail("cannot rename");
        parts.leaf = random_hex32(directory_).substr(4) + ".val";
        name = parts.first + '/' + parts.second + '/' + parts.leaf;
      }
      DISKCACHE_TEST_KILL_POINT("value_renamed");
    } catch (...) {
      ops_->unlinkat(second.get(), temporary.c_str(), 0);
      remove_empty_subdirs();
      throw;
    }

    // The rename is durable only once the directory holding it is flushed,
    // and a new directory only once its parent is.
    // The message is built only after the cleanup: building it may fail.
    auto sync_dir = [&](int fd, int depth) {
      if (ops_->fsync(fd) != 0) {
        const int error_number = errno;
        ops_->unlinkat(second.get(), parts.leaf.c_str(), 0);
        remove_empty_subdirs();
        const std::filesystem::path what = depth == 0   ? directory_
                                           : depth == 1 ? directory_ / parts.first
                                                        : directory_ / parts.first / parts.second;
        throw_errno(error_number, "cannot flush directory " + what.string(), directory_, key);
      }
    };
    sync_dir(second.get(), 2);
    if (created_second) sync_dir(first.get(), 1);
    if (created_first) sync_dir(directory_fd_, 0);
    DISKCACHE_TEST_KILL_POINT("value_dir_synced");
    return {std::move(name), size};
  }
  throw_errno(last_errno != 0 ? last_errno : EEXIST,
              "cannot create a value file after " + std::to_string(kMaxAttempts) + " attempts in " +
                  directory_.string(),
              directory_, key);
}

std::string ValueFiles::write(std::string_view bytes, const std::string& key) {
  return create(
             [&](const Append& append) {
               append(bytes);
               return static_cast<std::int64_t>(bytes.size());
             },
             key)
      .name;
}

ValueFiles::Written ValueFiles::write_stream(std::istream& in, const std::string& key) {
  if (in.fail()) {
    throw IoError("cannot store key " + key + " in " + directory_.string() +
                      " from a stream that has already failed (failbit or badbit set, "
                      "e.g. a file that did not open)",
                  directory_, key);
  }
  const StreamExceptionsOff exceptions_off(in);
  return create(
      [&](const Append& append) {
        std::vector<char> buffer(kStreamChunk);
        std::int64_t size = 0;
        while (true) {
          in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          if (in.bad()) {
            throw IoError("cannot read the stream for key " + key + " in " + directory_.string() +
                              ": it went bad (badbit) after " + std::to_string(size + in.gcount()) +
                              " bytes",
                          directory_, key);
          }
          const auto got = static_cast<std::size_t>(in.gcount());
          append(std::string_view(buffer.data(), got));
          size += static_cast<std::int64_t>(got);
          if (in.eof()) {
            // A short read sets failbit too; the stream merely ended.
            in.clear(std::ios::eofbit);
            return size;
          }
        }
      },
      key);
}

std::optional<UniqueFd> ValueFiles::open_for_read(std::string_view name,
                                                  const std::string& key) const {
  if (!valid_name(name)) {
    throw CorruptionError("cache.db in " + directory_.string() + " names value file '" +
                              std::string(name) + "' for key " + key +
                              ", which is not a value-file name of the form "
                              "ab/cd/<28 hex>.val; refusing to open it",
                          directory_, key);
  }
  const NameParts parts = split(name);
  auto failed = [&](const std::string& path) -> std::optional<UniqueFd> {
    const int error_number = errno;
    if (error_number == ENOENT) return std::nullopt;
    if (error_number == ELOOP || error_number == ENOTDIR) {
      throw CorruptionError("value file path " + path + " for key " + key +
                                " is a symbolic link or not a directory; refusing "
                                "to follow it",
                            directory_, key);
    }
    throw_errno(error_number, "cannot open " + path, directory_, key);
  };
  bool unused = false;
  UniqueFd first = open_subdir(directory_fd_, parts.first.c_str(), /*create=*/false, &unused);
  if (!first.valid()) return failed((directory_ / parts.first).string());
  UniqueFd second = open_subdir(first.get(), parts.second.c_str(), /*create=*/false, &unused);
  if (!second.valid()) return failed((directory_ / parts.first / parts.second).string());
  // O_NONBLOCK: opening a FIFO planted under a value name must not hang.
  UniqueFd file(ops_->openat(second.get(), parts.leaf.c_str(),
                             O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0));
  if (!file.valid()) return failed((directory_ / name).string());
  return file;
}

std::optional<UniqueFd> ValueFiles::open(std::string_view name, std::int64_t expected_size,
                                         const std::string& key) const {
  std::optional<UniqueFd> file = open_for_read(name, key);
  if (!file) return std::nullopt;
  const std::string path = (directory_ / name).string();

  struct stat info {};
  if (ops_->fstat(file->get(), &info) != 0) {
    throw_errno(errno, "cannot stat value file " + path, directory_, key);
  }
  if (!S_ISREG(info.st_mode)) {
    throw CorruptionError("value file " + path + " for key " + key + " is not a regular file",
                          directory_, key);
  }
  if (info.st_size != expected_size) {
    throw CorruptionError("value file " + path + " for key " + key + " is " +
                              std::to_string(info.st_size) + " bytes, expected " +
                              std::to_string(expected_size),
                          directory_, key);
  }
  return file;
}

std::string ValueFiles::allocate_for(const std::string& path, std::int64_t size,
                                     const std::string& key) const {
  auto too_large = [&](int error_number, const std::string& why) {
    return IoError("cannot load value file " + path + " for key " + key + " into memory: " +
                       std::to_string(size) + " bytes " + why + "; stream it with read()",
                   directory_, key, error_number);
  };
  // Refused before allocating: with overcommit the allocation may succeed
  // and the process be killed while the pages are filled.
  const std::int64_t memory = physical_memory();
  if (size > memory || static_cast<std::uint64_t>(size) > std::string().max_size()) {
    throw too_large(EFBIG,
                    "is more than this machine's memory (" + std::to_string(memory) + " bytes)");
  }
  try {
    return std::string(static_cast<std::size_t>(size), '\0');
  } catch (const std::bad_alloc&) {
    throw too_large(ENOMEM, "could not be allocated");
  }
}

std::optional<std::string> ValueFiles::read(std::string_view name, std::int64_t expected_size,
                                            const std::string& key) const {
  std::optional<UniqueFd> file = open(name, expected_size, key);
  if (!file) return std::nullopt;
  const std::string path = (directory_ / name).string();

  std::string bytes = allocate_for(path, expected_size, key);
  size_t filled = 0;
  while (filled < bytes.size()) {
    ssize_t got = ops_->read(file->get(), bytes.data() + filled, bytes.size() - filled);
    if (got < 0) throw_errno(errno, "cannot read value file " + path, directory_, key);
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  if (filled != bytes.size()) {
    throw CorruptionError("value file " + path + " for key " + key + " ended after " +
                              std::to_string(filled) + " bytes, expected " +
                              std::to_string(expected_size),
                          directory_, key);
  }
  return bytes;
}

std::optional<std::int64_t> ValueFiles::size_of(std::string_view name) const {
  const std::optional<UniqueFd> file = open_for_read(name, {});
  if (!file) return std::nullopt;
  const std::string path = (directory_ / name).string();
  struct stat info {};
  if (ops_->fstat(file->get(), &info) != 0) {
    throw_errno(errno, "cannot stat value file " + path, directory_);
  }
  if (!S_ISREG(info.st_mode)) {
    throw CorruptionError("value file " + path + " is not a regular file", directory_);
  }
  return info.st_size;
}

void ValueFiles::confirm_staged(std::string_view name, std::int64_t size,
                                const std::string& key) const {
  if (open(name, size, key)) return;
  throw IoError("value file " + (directory_ / name).string() + " written for key " + key +
                    " was removed before its row could commit (check(fix = true) in another "
                    "process takes a file it finds unnamed and old for an orphan); nothing "
                    "was stored",
                directory_, key, ENOENT);
}

void ValueFiles::remove(std::string_view name) const noexcept {
  if (!valid_name(name)) return;
  // Nothing here may allocate: remove runs after a commit and in
  // destructors, where std::bad_alloc would end the process.
  char first_name[3] = {name[0], name[1], '\0'};
  char second_name[3] = {name[3], name[4], '\0'};
  char leaf[33] = {};
  name.substr(6).copy(leaf, sizeof leaf - 1);
  bool unused = false;
  UniqueFd first = open_subdir(directory_fd_, first_name, /*create=*/false, &unused);
  if (!first.valid()) return;
  UniqueFd second = open_subdir(first.get(), second_name, /*create=*/false, &unused);
  if (!second.valid()) return;
  ops_->unlinkat(second.get(), leaf, 0);
  // Like Python's os.removedirs: drop the sub-directories once empty
  // (ENOTEMPTY otherwise, which is fine).
  second.reset();
  ops_->unlinkat(first.get(), second_name, AT_REMOVEDIR);
  first.reset();
  ops_->unlinkat(directory_fd_, first_name, AT_REMOVEDIR);
}

}  // namespace diskcache::detail
