// With the disk full, a new process could not even read: `diskcache get`
// exited 5 with "disk I/O error (SQLite code 4874)". Opening a cache always
// ran a write transaction (the Settings rows and the schema, written even
// when all were there), so it also waited for any writer's lock; and the
// error did not say why: 4874 is SQLITE_IOERR_SHMSIZE, cache.db-shm could
// not be extended because the disk was full. Opening an existing cache now
// writes only what differs, and a full disk is reported as "no space left
// on device". (A process that is the first to open a cache on a full disk
// still cannot read: SQLite needs 32 KiB for cache.db-shm.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

constexpr int kSkip = 77;

const std::string& file_value() {
  static const std::string value(50000, 'f');  // a value file
  return value;
}

void fill_cache(const std::filesystem::path& directory) {
  Cache<std::string, std::string> cache(directory);
  cache.set("inline", "small");
  cache.set("file", file_value());
}

// Returns 0 if both values read back, else a status naming what failed.
int read_back(const std::filesystem::path& directory) {
  try {
    Cache<std::string, std::string> cache(directory);
    if (cache.get("inline") != "small") return 11;
    if (cache.get("file") != file_value()) return 12;
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "read failed: %s\n", error.what());
    return 13;
  }
}

// Writes to a new file in `directory` until the file system is full.
void fill_disk(const std::filesystem::path& directory, const char* name) {
  const int fd = ::open((directory / name).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const std::string block(4096, 'x');
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  ::close(fd);
}

TEST(FullDiskTest, OpeningAnExistingCacheTakesNoWriteLock) {
  TempDir dir;
  fill_cache(dir.path());
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "cache.db").c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  try {
    Cache<std::string, std::string> cache(dir.path(), {.timeout = 200ms});
    EXPECT_EQ(cache.get("inline"), "small");
    EXPECT_EQ(cache.get("file"), file_value());
  } catch (const Timeout& error) {
    ADD_FAILURE() << "opening waited for the write lock: " << error.what();
  }
  sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
}

// On a small tmpfs, mounted in the child's own mount namespace.
TEST(FullDiskTest, ReadsWorkOnAFullDiskAndAFailureSaysWhy) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
  TempDir dir;
  const std::filesystem::path disk = dir / "disk";
  std::filesystem::create_directory(disk);
  const std::filesystem::path cache_dir = disk / "cache";

  const int status = testing::run_in_child([&] {
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=1m") != 0) {
      std::perror("cannot mount a tmpfs");
      return kSkip;
    }
    fill_cache(cache_dir);

    // Another process has the cache open (its cache.db-shm exists) while
    // the disk fills up: a new process reads without writing.
    int release[2];
    int ready[2];
    if (::pipe(release) != 0 || ::pipe(ready) != 0) return 2;
    const pid_t holder = testing::spawn_child([&] {
      ::close(release[1]);
      ::close(ready[0]);
      Cache<std::string, std::string> cache(cache_dir);
      (void)cache.get("inline");
      char byte = 0;
      if (::write(ready[1], "r", 1) != 1) return 1;
      (void)::read(release[0], &byte, 1);  // until the pipe closes
      return 0;
    });
    ::close(release[0]);
    ::close(ready[1]);
    char byte = 0;
    if (::read(ready[0], &byte, 1) != 1) return 3;
    fill_disk(disk, "filler");
    const int read_status = read_back(cache_dir);
    ::close(release[1]);
    testing::wait_child(holder);
    if (read_status != 0) return read_status;

    // The first process to open it on a full disk cannot: the error says why.
    fill_disk(disk, "filler-2");
    try {
      Cache<std::string, std::string> cache(cache_dir);
      (void)cache.get("inline");
      return 0;  // SQLite found room after all
    } catch (const IoError& error) {
      std::fprintf(stderr, "first open on a full disk: %s\n", error.what());
      if (std::string(error.what()).find("no space left on device") == std::string::npos) {
        return 21;
      }
      return error.error_code() == ENOSPC ? 0 : 22;
    }
  });
  if (status == kSkip) GTEST_SKIP() << "cannot mount a tmpfs here";
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace diskcache
