#include "file_ops.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "diskcache/errors.hpp"

namespace diskcache::detail {

void UniqueFd::reset(int fd) noexcept {
  // Never retry close() on EINTR: on Linux the descriptor is already gone.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int FileOps::openat(int dirfd, const char* path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::openat(dirfd, path, flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

ssize_t FileOps::write(int fd, const void* data, size_t size) {
  ssize_t written;
  do {
    written = ::write(fd, data, size);
  } while (written < 0 && errno == EINTR);
  return written;
}

ssize_t FileOps::read(int fd, void* data, size_t size) {
  ssize_t got;
  do {
    got = ::read(fd, data, size);
  } while (got < 0 && errno == EINTR);
  return got;
}

// fsync is never retried: after a failed fsync the kernel may have dropped
// the dirty pages, and a second fsync would report success for lost data.
int FileOps::fsync(int fd) { return ::fsync(fd); }

void FileOps::start_writeback(int fd, off_t offset, off_t size) {
  ::sync_file_range(fd, offset, size, SYNC_FILE_RANGE_WRITE);
}

int FileOps::fstat(int fd, struct stat* info) { return ::fstat(fd, info); }

int FileOps::rename_noreplace(int olddirfd, const char* oldpath, int newdirfd,
                              const char* newpath) {
  int rc = ::renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE);
  if (rc != 0 && errno == EINVAL) {
    // The file system cannot refuse to replace; names carry 112 random bits,
    // so a plain rename is safe in practice.
    rc = ::renameat(olddirfd, oldpath, newdirfd, newpath);
  }
  return rc;
}

int FileOps::unlinkat(int dirfd, const char* path, int flags) {
  return ::unlinkat(dirfd, path, flags);
}

int FileOps::mkdirat(int dirfd, const char* path, mode_t mode) {
  return ::mkdirat(dirfd, path, mode);
}

FileOps& system_file_ops() {
  static FileOps ops;
  return ops;
}

void throw_errno(int error_number, const std::string& context,
                 const std::filesystem::path& directory, const std::string& key) {
  std::string message = context;
  if (!key.empty()) message += " for key " + key;
  message += ": ";
  message += std::strerror(error_number);
  throw IoError(message, directory, key, error_number);
}

}  // namespace diskcache::detail
