// A SQLite VFS for tests: SQLite's own "unix" VFS, with a hook before each
// xWrite, xTruncate and xSync of a file it opened. The hook may let the real
// call run or answer in its place (fail it, or skip a sync), and so chooses
// when a real failure happens without mocking the file system (STYLE rule
// 18). Registered as the default VFS, so the library's connections use it.
#ifndef DISKCACHE_TESTS_VFS_SHIM_HPP_
#define DISKCACHE_TESTS_VFS_SHIM_HPP_

#include <sqlite3.h>

#include <optional>
#include <stdexcept>

namespace diskcache::testing {

// A file opened through the shim.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;  // the "unix" file, allocated right after this struct
  const char* name;    // as given to xOpen (valid until xClose); null for a temporary file
};

// What the shim asks before each call. std::nullopt lets the real call run;
// a result code is returned instead of running it.
class VfsHooks {
 public:
  virtual ~VfsHooks() = default;
  virtual std::optional<int> before_write(ShimFile&, const void*, int, sqlite3_int64) {
    return std::nullopt;
  }
  virtual std::optional<int> before_truncate(ShimFile&, sqlite3_int64) { return std::nullopt; }
  virtual std::optional<int> before_sync(ShimFile&, int) { return std::nullopt; }
};

namespace vfs_shim_internal {

inline sqlite3_vfs* unix_vfs = nullptr;
inline VfsHooks* hooks = nullptr;

inline ShimFile& shim(sqlite3_file* file) { return *reinterpret_cast<ShimFile*>(file); }
inline sqlite3_file* real(sqlite3_file* file) { return shim(file).real; }
inline const sqlite3_io_methods& methods(sqlite3_file* file) { return *real(file)->pMethods; }

inline int close(sqlite3_file* f) { return methods(f).xClose(real(f)); }
inline int read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  return methods(f).xRead(real(f), data, amount, offset);
}
inline int write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  if (auto rc = hooks->before_write(shim(f), data, amount, offset)) return *rc;
  return methods(f).xWrite(real(f), data, amount, offset);
}
inline int truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (auto rc = hooks->before_truncate(shim(f), size)) return *rc;
  return methods(f).xTruncate(real(f), size);
}
inline int sync(sqlite3_file* f, int flags) {
  if (auto rc = hooks->before_sync(shim(f), flags)) return *rc;
  return methods(f).xSync(real(f), flags);
}
inline int file_size(sqlite3_file* f, sqlite3_int64* size) {
  return methods(f).xFileSize(real(f), size);
}
inline int lock(sqlite3_file* f, int level) { return methods(f).xLock(real(f), level); }
inline int unlock(sqlite3_file* f, int level) { return methods(f).xUnlock(real(f), level); }
inline int check_reserved(sqlite3_file* f, int* out) {
  return methods(f).xCheckReservedLock(real(f), out);
}
inline int file_control(sqlite3_file* f, int op, void* arg) {
  return methods(f).xFileControl(real(f), op, arg);
}
inline int sector_size(sqlite3_file* f) { return methods(f).xSectorSize(real(f)); }
inline int device(sqlite3_file* f) { return methods(f).xDeviceCharacteristics(real(f)); }
inline int shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return methods(f).xShmMap(real(f), page, size, extend, out);
}
inline int shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return methods(f).xShmLock(real(f), offset, n, flags);
}
inline void shm_barrier(sqlite3_file* f) { methods(f).xShmBarrier(real(f)); }
inline int shm_unmap(sqlite3_file* f, int remove) { return methods(f).xShmUnmap(real(f), remove); }
inline int fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return methods(f).xFetch(real(f), offset, amount, out);
}
inline int unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return methods(f).xUnfetch(real(f), offset, page);
}

inline const sqlite3_io_methods kMethods = {
    3,        close,       read,           write,        truncate,    sync,   file_size,
    lock,     unlock,      check_reserved, file_control, sector_size, device, shm_map,
    shm_lock, shm_barrier, shm_unmap,      fetch,        unfetch};

inline int open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out) {
  ShimFile& shim = *reinterpret_cast<ShimFile*>(file);
  shim.real = reinterpret_cast<sqlite3_file*>(&shim + 1);
  shim.name = name;
  const int rc = unix_vfs->xOpen(unix_vfs, name, shim.real, flags, out);
  // SQLite calls xClose only when pMethods is set; mirror the real file.
  shim.base.pMethods = shim.real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

inline sqlite3_vfs* vfs() {
  static sqlite3_vfs vfs = [] {
    unix_vfs = sqlite3_vfs_find("unix");
    sqlite3_vfs copy = *unix_vfs;  // every other method is unix's own
    copy.zName = "diskcache-test-shim";
    copy.szOsFile = static_cast<int>(sizeof(ShimFile)) + unix_vfs->szOsFile;
    copy.xOpen = open;
    copy.pNext = nullptr;
    return copy;
  }();
  return &vfs;
}

}  // namespace vfs_shim_internal

// Makes the shim, asking `hooks`, the default VFS for the object's lifetime.
// Connections opened meanwhile must be closed before it goes.
class ScopedVfsShim {
 public:
  explicit ScopedVfsShim(VfsHooks& hooks) {
    vfs_shim_internal::hooks = &hooks;
    if (sqlite3_vfs_register(vfs_shim_internal::vfs(), 1) != SQLITE_OK) {
      throw std::runtime_error("cannot register the test VFS shim");
    }
  }
  ScopedVfsShim(const ScopedVfsShim&) = delete;
  ScopedVfsShim& operator=(const ScopedVfsShim&) = delete;
  ~ScopedVfsShim() { sqlite3_vfs_unregister(vfs_shim_internal::vfs()); }
};

}  // namespace diskcache::testing

#endif  // DISKCACHE_TESTS_VFS_SHIM_HPP_
