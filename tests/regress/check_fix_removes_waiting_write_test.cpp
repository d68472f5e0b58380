// check(fix = true) removed the value file of a write waiting for the lock,
// and the writer then reported success. A writer stages its value file (the
// final name, not yet named by any row) before it waits for the write lock;
// check(fix) took any unnamed file older than its own timeout plus a second
// for an orphan. `diskcache --timeout 3 check --fix`, run while another
// connection held the lock for 6 s, removed the files of writers with a
// longer timeout, which then committed rows naming missing files: the values
// were lost after "stored". Now check(fix) keeps unnamed files for ten
// minutes at least, and a writer confirms its file under the lock, failing
// with IoError (nothing stored) if it went anyway.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

constexpr int kWriterFailedLoudly = 10;

const std::string& big_value() {
  static const std::string value(100000, 'b');  // a value file
  return value;
}

class CheckFixWaitingWriteTest : public ::testing::Test {
 protected:
  // Forks a writer with a long timeout that stores big_value() under "big"
  // once told to go; it exits 0 once told "stored", kWriterFailedLoudly on
  // IoError. Forked before this process opens the cache: a child must not
  // inherit SQLite's record of the parent's locks.
  void SetUp() override {
    int ready[2] = {-1, -1};
    ASSERT_EQ(::pipe(go_), 0);
    ASSERT_EQ(::pipe(ready), 0);
    writer_ = testing::spawn_child([this, &ready] {
      // Opening writes (the Settings rows), so it happens before the lock is taken.
      Cache<std::string, std::string> writer(dir_.path(), {.timeout = 60s});
      char byte = 0;
      if (::write(ready[1], "r", 1) != 1 || ::read(go_[0], &byte, 1) != 1) return 3;
      try {
        writer.set("big", big_value());
        return 0;
      } catch (const IoError& error) {
        std::fprintf(stderr, "writer: %s\n", error.what());
        return kWriterFailedLoudly;
      }
    });
    ::close(go_[0]);
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the writer could not open the cache";
    ::close(ready[0]);
    // A short timeout: its own grace period used to be 1.1 s.
    checker_.emplace(dir_.path(), Settings{.timeout = 100ms});
  }

  void TearDown() override {
    ::close(go_[1]);  // a writer never told to go exits
    if (writer_ > 0) testing::wait_child(writer_);
  }

  // Starts the writer; returns its exit status.
  void start_writer() { ASSERT_EQ(::write(go_[1], "g", 1), 1); }
  int wait_writer() { return testing::wait_child(std::exchange(writer_, 0)); }

  // The writer's staged value file, once it exists.
  std::filesystem::path wait_for_staged_file() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::filesystem::path file = testing::only_value_file(dir_.path());
      if (!file.empty()) return file;
      std::this_thread::sleep_for(5ms);
    }
    return {};
  }

  // The writer either stored its value, intact, or said it did not.
  void expect_stored_or_failed_loudly(int status) {
    if (status == 0) {
      std::optional<std::string> value;
      EXPECT_NO_THROW(value = checker_->get("big")) << "the writer was told \"stored\"";
      EXPECT_EQ(value, big_value()) << "the writer was told \"stored\"";
    } else {
      EXPECT_EQ(status, kWriterFailedLoudly);
      EXPECT_EQ(checker_->get("big"), std::nullopt);
    }
    const std::vector<std::string> problems = checker_->check();
    EXPECT_TRUE(problems.empty()) << problems.front();
  }

  TempDir dir_;
  int go_[2] = {-1, -1};
  pid_t writer_ = 0;
  std::optional<Cache<std::string, std::string>> checker_;
};

TEST_F(CheckFixWaitingWriteTest, AStagedFileOlderThanTheCheckersTimeoutIsKept) {
  std::filesystem::path staged;
  {
    auto transaction = checker_->transact();  // the writer waits for this lock
    start_writer();
    staged = wait_for_staged_file();
    ASSERT_FALSE(staged.empty()) << "the writer never staged its value file";
    std::this_thread::sleep_for(1200ms);  // past the checker's timeout + 1 s
    checker_->check(/*fix=*/true);
    EXPECT_TRUE(std::filesystem::exists(staged)) << "check(fix) removed a write in progress";
  }
  const int status = wait_writer();
  EXPECT_EQ(status, 0);
  expect_stored_or_failed_loudly(status);
}

TEST_F(CheckFixWaitingWriteTest, AWriterWhoseStagedFileWasRemovedFailsLoudly) {
  {
    auto transaction = checker_->transact();
    start_writer();
    const std::filesystem::path staged = wait_for_staged_file();
    ASSERT_FALSE(staged.empty()) << "the writer never staged its value file";
    // As if the writer had waited an hour (with retry = true it waits for
    // ever): old enough for any grace period.
    const timespec an_hour_ago[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, staged.c_str(), an_hour_ago, 0), 0);
    checker_->check(/*fix=*/true);
    ASSERT_FALSE(std::filesystem::exists(staged));
  }
  const int status = wait_writer();
  EXPECT_EQ(status, kWriterFailedLoudly);
  expect_stored_or_failed_loudly(status);
}

}  // namespace
}  // namespace diskcache
