// check(fix = true) deleted intact values it merely could not open. Its
// file probe answered "missing" for any failure to open a value file, so
// `su nobody -s /bin/sh -c 'diskcache check DIR --fix'` on a cache whose
// value files are 0600 reported 20 of 20 values as "file not found" and
// deleted their rows; so did a check run with two free file descriptors
// (RLIMIT_NOFILE), where opening the files failed with EMFILE. Only a file
// that is absent (ENOENT) or damaged may cost its row; any other failure
// stops the check with IoError naming the file, and nothing is removed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

constexpr int kValues = 20;

std::string key_of(int i) { return "key-" + std::to_string(i); }
// Larger than Settings::disk_min_file_size: each lives in a value file.
std::string value_of(int i) { return std::string(40000, 'v') + std::to_string(i); }

// Leaves exactly `free` descriptors to open: caps RLIMIT_NOFILE, then fills
// every other free slot (below the cap) with /dev/null.
void leave_free_descriptors(int free) {
  int highest = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    highest = std::max(highest, std::stoi(entry.path().filename().string()));
  }
  const auto cap = static_cast<rlim_t>(highest + 1 + free);
  const rlimit nofile{cap, cap};
  if (::setrlimit(RLIMIT_NOFILE, &nofile) != 0) ::_exit(3);
  std::vector<int> fillers;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.push_back(fd);
  for (int i = 0; i < free && !fillers.empty(); ++i) {
    ::close(fillers.back());
    fillers.pop_back();
  }
}

// Runs check(fix = true) in the child; 0 if it threw IoError naming a value
// file, 1 if it repaired something, 2 for any other outcome.
int check_fix_in_child(const std::filesystem::path& directory, const std::function<void()>& limit) {
  Cache<std::string, std::string> cache(directory);
  (void)cache.size();  // this thread's connection is open before the limit
  limit();
  try {
    const std::vector<std::string> problems = cache.check(/*fix=*/true);
    for (const std::string& problem : problems) std::fprintf(stderr, "%s\n", problem.c_str());
    return 1;
  } catch (const IoError& error) {
    std::fprintf(stderr, "check: %s\n", error.what());
    return std::string(error.what()).find(".val") != std::string::npos ? 0 : 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "check threw another error: %s\n", error.what());
    return 2;
  }
}

class CheckFixUnreadableValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Cache<std::string, std::string> cache(dir_.path());
    for (int i = 0; i < kValues; ++i) cache.set(key_of(i), value_of(i));
    ASSERT_EQ(testing::files_under(dir_.path()).size(), static_cast<std::size_t>(kValues));
  }

  void expect_every_value_intact() {
    Cache<std::string, std::string> cache(dir_.path());
    for (int i = 0; i < kValues; ++i) EXPECT_EQ(cache.get(key_of(i)), value_of(i)) << key_of(i);
    EXPECT_EQ(testing::files_under(dir_.path()).size(), static_cast<std::size_t>(kValues));
    EXPECT_TRUE(cache.check().empty());
  }

  TempDir dir_;
};

TEST_F(CheckFixUnreadableValuesTest, OutOfDescriptorsStopsTheCheckAndRemovesNothing) {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizers' runtime needs descriptors of its own (UBSan checks
  // memory through a pipe) and misreports when none is left; the other
  // test covers the same path (EACCES) in sanitized builds.
  GTEST_SKIP() << "the sanitizer runtime needs free descriptors";
#endif
  const int status = testing::run_in_child([&] {
    // Two free descriptors: enough for a value file's two sub-directories,
    // not for the file itself.
    return check_fix_in_child(dir_.path(), [] { leave_free_descriptors(2); });
  });
  EXPECT_EQ(status, 0) << "check(fix) with no descriptor left must throw IoError";
  expect_every_value_intact();
}

TEST_F(CheckFixUnreadableValuesTest, AnotherUserStopsTheCheckAndRemovesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to the user nobody";
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  // nobody may open the database, not the value files (0600, in 0700
  // sub-directories), as in a cache shared by mistake.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::all);
  std::filesystem::permissions(
      dir_.path() / "cache.db",
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
          std::filesystem::perms::group_read | std::filesystem::perms::group_write |
          std::filesystem::perms::others_read | std::filesystem::perms::others_write);
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  const int status = testing::run_in_child([&] {
    if (::setgid(gid) != 0 || ::setuid(uid) != 0) return 3;
    return check_fix_in_child(dir_.path(), [] {});
  });
  EXPECT_EQ(status, 0) << "check(fix) by a user who cannot read the values must throw IoError";
  expect_every_value_intact();
}

}  // namespace
}  // namespace diskcache
