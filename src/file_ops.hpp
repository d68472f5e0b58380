// The file-system seam: every system call on value files goes through
// FileOps, so tests can make a real call fail at a chosen moment (disk full,
// I/O error) without mocking the file system. UniqueFd owns a descriptor.
#ifndef DISKCACHE_SRC_FILE_OPS_HPP_
#define DISKCACHE_SRC_FILE_OPS_HPP_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>

namespace diskcache::detail {

// A move-only owner of a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the current descriptor (errors ignored: nothing was written
  // through a descriptor whose durability depends on close) and takes `fd`.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// System calls used on value files. Each returns what the system call returns
// and leaves errno set on failure. The default implementation calls the
// kernel; a test implementation may fail a call by returning -1 with errno.
class FileOps {
 public:
  virtual ~FileOps() = default;
  virtual int openat(int dirfd, const char* path, int flags, mode_t mode);
  virtual ssize_t write(int fd, const void* data, size_t size);
  virtual ssize_t read(int fd, void* data, size_t size);
  virtual int fsync(int fd);
  // Asks the kernel to start writing `size` bytes from `offset` of `fd` to
  // disk now (sync_file_range(SYNC_FILE_RANGE_WRITE)), without waiting. A
  // hint only: fsync still decides durability, so its result is ignored.
  virtual void start_writeback(int fd, off_t offset, off_t size);
  virtual int fstat(int fd, struct stat* info);
  // Renames without replacing: fails with EEXIST if `newpath` exists.
  virtual int rename_noreplace(int olddirfd, const char* oldpath, int newdirfd,
                               const char* newpath);
  virtual int unlinkat(int dirfd, const char* path, int flags);
  virtual int mkdirat(int dirfd, const char* path, mode_t mode);
};

// The process-wide kernel implementation.
FileOps& system_file_ops();

// Throws IoError "<context>: <strerror(error_number)>" naming `directory`.
[[noreturn]] void throw_errno(int error_number, const std::string& context,
                              const std::filesystem::path& directory, const std::string& key = {});

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_FILE_OPS_HPP_
