// Security: what a cache creates is private unless asked otherwise, and
// nothing planted in the directory (symbolic links, names outside the
// scheme) redirects a read or a write outside it. The trust model is in
// docs/reliability.md: never open a cache that untrusted users can write.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "diskcache/cache.hpp"
#include "diskcache/fanout_cache.hpp"
#include "model_support.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::only_value_file;
using testing::TempDir;

int mode_of(const std::filesystem::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 07777);
}

// Runs `body` with the process umask set to `mask`.
template <class Body>
void with_umask(mode_t mask, Body&& body) {
  const mode_t old = ::umask(mask);
  body();
  ::umask(old);
}

TEST(SecurityTest, NewDirectoriesAndFilesAreOwnerOnly) {
  TempDir root;
  const auto dir = root / "a" / "cache";
  with_umask(022, [&] {
    Cache<std::string, std::string> cache(dir);
    cache.set("big", std::string(50000, 'x'));
    // SQLite's own files, while they exist.
    EXPECT_EQ(mode_of(dir / "cache.db-wal"), 0600);
    EXPECT_EQ(mode_of(dir / "cache.db-shm"), 0600);
  });
  EXPECT_EQ(mode_of(root / "a"), 0700);  // a parent it created, too
  EXPECT_EQ(mode_of(dir), 0700);
  EXPECT_EQ(mode_of(dir / "cache.db"), 0600);
  const auto value = only_value_file(dir);
  ASSERT_FALSE(value.empty());
  EXPECT_EQ(mode_of(value), 0600);
  EXPECT_EQ(mode_of(value.parent_path()), 0700);
  EXPECT_EQ(mode_of(value.parent_path().parent_path()), 0700);
}

TEST(SecurityTest, FileModeSharesACacheWithAGroup) {
  TempDir root;
  const auto dir = root / "shared";
  with_umask(002, [&] {
    Cache<std::string, std::string> cache(dir, {.file_mode = 0660});
    cache.set("big", std::string(50000, 'x'));
  });
  EXPECT_EQ(mode_of(dir), 0770);
  EXPECT_EQ(mode_of(dir / "cache.db"), 0660);
  const auto value = only_value_file(dir);
  EXPECT_EQ(mode_of(value), 0660);
  EXPECT_EQ(mode_of(value.parent_path()), 0770);
}

TEST(SecurityTest, ExistingDirectoryAndDatabaseKeepTheirModes) {
  TempDir root;
  const auto dir = root / "existing";
  std::filesystem::create_directory(dir);
  ::chmod(dir.c_str(), 0750);
  { Cache<> cache(dir); }
  ::chmod((dir / "cache.db").c_str(), 0640);
  { Cache<> cache(dir); }
  EXPECT_EQ(mode_of(dir), 0750);
  EXPECT_EQ(mode_of(dir / "cache.db"), 0640);
}

TEST(SecurityTest, FileModeWithoutOwnerReadWriteIsRefused) {
  TempDir root;
  try {
    Cache<> cache(root / "c", {.file_mode = 0400});
    ADD_FAILURE() << "a file mode the owner cannot write must be refused";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("file_mode"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(root / "c"));  // refused before creating anything
}

TEST(SecurityTest, FanoutCacheRefusesABadFileModeBeforeCreatingItsDirectory) {
  TempDir root;
  EXPECT_THROW((FanoutCache<>(root / "f", 4, std::chrono::milliseconds(10), {.file_mode = 0400})),
               Error);
  EXPECT_FALSE(std::filesystem::exists(root / "f"));
}

TEST(SecurityTest, SymlinkedDatabaseIsRefusedAndItsTargetUntouched) {
  TempDir root;
  const auto victim = root / "victim";
  {
    Cache<> cache(victim);
    cache.set("k", "v");
  }
  const auto dir = root / "planted";
  std::filesystem::create_directory(dir);
  std::filesystem::create_symlink(victim / "cache.db", dir / "cache.db");
  const std::string before = testing::read_file(victim / "cache.db");
  try {
    Cache<> cache(dir);
    cache.set("k", "overwritten");
    ADD_FAILURE() << "a symlinked cache.db must be refused";
  } catch (const CorruptionError& error) {
    EXPECT_NE(std::string(error.what()).find("symbolic link"), std::string::npos) << error.what();
  }
  EXPECT_EQ(testing::read_file(victim / "cache.db"), before);
  EXPECT_EQ(Cache<>(victim).get("k"), Value("v"));
}

TEST(SecurityTest, SymlinkedValueDirectoryIsNeverFollowed) {
  TempDir root;
  const auto dir = root / "cache";
  Cache<std::string, std::string> cache(dir);
  cache.set("big", std::string(50000, 'x'));
  const auto value = only_value_file(dir);
  const auto first = value.parent_path().parent_path();  // dir/ab
  // An attacker replaces dir/ab with a link to a copy outside holding a
  // different value under the same name.
  const auto outside = root / "outside";
  std::filesystem::create_directories(outside / value.parent_path().filename());
  std::ofstream(outside / value.parent_path().filename() / value.filename())
      << std::string(50000, 'E');
  std::filesystem::remove_all(first);
  std::filesystem::create_directory_symlink(outside, first);
  try {
    cache.get("big");
    ADD_FAILURE() << "a value read through a symlink must be refused";
  } catch (const CorruptionError& error) {
    EXPECT_NE(std::string(error.what()).find("symbolic link"), std::string::npos) << error.what();
  }
  // check(fix) removes the row and (once it is old, as any unknown entry)
  // the link, never what the link points to.
  testing::age_files(dir);
  cache.check(/*fix=*/true);
  EXPECT_TRUE(std::filesystem::exists(outside / value.parent_path().filename() / value.filename()));
  EXPECT_FALSE(cache.contains("big"));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(first)))
      << "check(fix) left the planted link";
}

}  // namespace
}  // namespace diskcache
