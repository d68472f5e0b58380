// Fault injection (STYLE rule 18): the Nth write, fsync or rename fails with
// a real errno, for N = 1, 2, ... until the operation completes, once through
// the FileOps seam under value files and once through a SQLite VFS shim
// under cache.db (it delegates to SQLite's "unix" VFS and only chooses when
// a call fails). For each N the call throws a typed error, the previous
// value is intact, no stray file remains, the database is sound, and the
// cache works again once the fault clears.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "file_ops.hpp"
#include "model_support.hpp"
#include "sqlite_engine.hpp"
#include "test_support.hpp"
#include "vfs_shim.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

enum class Call { Write, Fsync, Rename };

const char* name_of(Call call) {
  switch (call) {
    case Call::Write: return "write";
    case Call::Fsync: return "fsync";
    case Call::Rename: return "rename";
  }
  return "?";
}

// Counts the calls of one kind after arm(): hit() is true at the
// `fail_at`th, once.
class NthCall {
 public:
  void arm(Call call, long fail_at) {
    call_ = call;
    fail_at_ = fail_at;
    calls_ = 0;
    fired_ = false;
  }
  void disarm() { fail_at_ = 0; }
  bool fired() const { return fired_; }
  bool hit(Call call) {
    if (fail_at_ == 0 || call != call_ || ++calls_ != fail_at_) return false;
    fired_ = true;
    return true;
  }

 private:
  Call call_ = Call::Write;
  long fail_at_ = 0;  // 0: disarmed
  long calls_ = 0;
  bool fired_ = false;
};

// Real system calls; the `fail_at`th call of kind `call` after arm() fails
// with `error`.
class NthCallFails : public detail::FileOps, public NthCall {
 public:
  void arm(Call call, int error, long fail_at) {
    error_ = error;
    NthCall::arm(call, fail_at);
  }

  ssize_t write(int fd, const void* data, size_t size) override {
    if (fails(Call::Write)) return -1;
    return FileOps::write(fd, data, size);
  }
  int fsync(int fd) override {
    if (fails(Call::Fsync)) return -1;
    return FileOps::fsync(fd);
  }
  int rename_noreplace(int a, const char* b, int c, const char* d) override {
    if (fails(Call::Rename)) return -1;
    return FileOps::rename_noreplace(a, b, c, d);
  }

 private:
  bool fails(Call call) {
    if (!hit(call)) return false;
    errno = error_;
    return true;
  }

  int error_ = EIO;
};

std::string big(char fill, std::size_t size = 50000) { return std::string(size, fill); }

// An operation under test, on a cache holding "a" = old and "b" = old, and a
// deque holding one old item. It may throw.
struct Operation {
  const char* name;
  std::function<void(Cache<std::string, std::string>&, Deque<std::string>&)> run;
};

std::vector<Operation> file_operations() {
  return {
      {"set", [](auto& cache, auto&) { cache.set("a", big('n')); }},
      {"add", [](auto& cache, auto&) { cache.add("new", big('n')); }},
      {"set_stream",
       [](auto& cache, auto&) {
         std::istringstream in(big('n', 3 << 20));  // three chunks: three writes
         cache.set_stream("a", in);
       }},
      {"push", [](auto& cache, auto&) { cache.push(big('n'), "jobs"); }},
      {"deque push", [](auto&, auto& deque) { deque.push_back(big('n')); }},
      {"transaction",
       [](auto& cache, auto&) {
         auto transaction = cache.transact();
         cache.set("a", big('n'));
         cache.set("b", big('m'));
       }},
  };
}

// Checks what every failed operation must leave: the state before it.
void expect_intact(Cache<std::string, std::string>& cache, Deque<std::string>& deque,
                   const char* name) {
  EXPECT_EQ(cache.get("a"), big('o')) << name;
  EXPECT_EQ(cache.get("b"), big('p')) << name;
  EXPECT_FALSE(cache.contains("new")) << name;
  EXPECT_EQ(deque.size(), 1) << name;
}

class FileFaultTest : public ::testing::TestWithParam<std::tuple<Call, int>> {};

TEST_P(FileFaultTest, EveryFailingCallKeepsTheOldValueAndLeavesNoFile) {
  const auto [call, error] = GetParam();
  long injected = 0;
  for (const Operation& operation : file_operations()) {
    for (long n = 1;; ++n) {
      TempDir root;
      const std::filesystem::path dir = root / "cache";
      Cache<std::string, std::string> cache(dir);
      Deque<std::string> deque(root / "queue");
      cache.set("a", big('o'));
      cache.set("b", big('p'));
      deque.push_back(big('q'));
      const auto files_before = testing::files_under(root.path());
      NthCallFails ops;
      detail::SqliteEngine::TEST_of(cache.store()).TEST_set_file_ops(ops);
      detail::SqliteEngine::TEST_of(deque.store()).TEST_set_file_ops(ops);
      ops.arm(call, error, n);
      bool threw = false;
      try {
        operation.run(cache, deque);
      } catch (const IoError& failure) {
        threw = true;
        EXPECT_EQ(failure.error_code(), error) << operation.name << " " << failure.what();
        EXPECT_NE(std::string(failure.what()).find(root.path().string()), std::string::npos)
            << failure.what();
      }
      ops.disarm();
      ASSERT_EQ(threw, ops.fired()) << operation.name << ": " << name_of(call) << " #" << n
                                    << (threw ? " threw without a fault" : " fault swallowed");
      if (threw) {
        expect_intact(cache, deque, operation.name);
        EXPECT_EQ(testing::files_under(root.path()), files_before)
            << operation.name << ": a failed " << name_of(call) << " #" << n
            << " left a stray file";
        ++injected;
      }
      // The fault has cleared: everything works again.
      cache.set("after", big('z'));
      EXPECT_EQ(cache.get("after"), big('z'));
      deque.push_back(big('y'));
      EXPECT_TRUE(cache.check().empty()) << operation.name;
      EXPECT_TRUE(Cache<>(root / "queue").check().empty()) << operation.name;
      if (!threw) {  // the operation completed: the sweep is over
        EXPECT_GT(n, 1) << operation.name << " never reached a " << name_of(call);
        break;
      }
    }
  }
  std::printf(
      "[figures] value-file faults: %ld injected (%s, %s), 0 old values lost, 0 stray "
      "files\n",
      injected, name_of(call), std::strerror(error));
}

INSTANTIATE_TEST_SUITE_P(WriteFsyncRename, FileFaultTest,
                         ::testing::Combine(::testing::Values(Call::Write, Call::Fsync,
                                                              Call::Rename),
                                            ::testing::Values(ENOSPC, EIO)),
                         [](const auto& info) {
                           return std::string(name_of(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) == ENOSPC ? "ENOSPC" : "EIO");
                         });

// --- Through the VFS shim: the Nth xWrite/xTruncate or xSync fails.

class NthShimCallFails : public testing::VfsHooks, public NthCall {
 public:
  void arm(Call call, int code, long fail_at) {
    code_ = code;
    NthCall::arm(call, fail_at);
  }

  // Write: xWrite and xTruncate fail with the armed code; Fsync: xSync.
  std::optional<int> before_write(testing::ShimFile&, const void*, int, sqlite3_int64) override {
    return fails(Call::Write, code_);
  }
  std::optional<int> before_truncate(testing::ShimFile&, sqlite3_int64) override {
    return fails(Call::Write, code_);
  }
  std::optional<int> before_sync(testing::ShimFile&, int) override {
    return fails(Call::Fsync, SQLITE_IOERR_FSYNC);
  }

 private:
  std::optional<int> fails(Call call, int code) {
    if (!hit(call)) return std::nullopt;
    return code;
  }

  int code_ = SQLITE_IOERR_WRITE;
};

// The shim is the default VFS for the test's lifetime, so the library's
// connections (opened with the default VFS) go through it.
class VfsFaultTest : public ::testing::TestWithParam<std::tuple<Call, int, int>> {
 protected:
  NthShimCallFails fault_;
  testing::ScopedVfsShim shim_{fault_};
};

std::vector<Operation> database_operations() {
  return {
      {"set", [](auto& cache, auto&) { cache.set("a", "n"); }},
      {"add", [](auto& cache, auto&) { cache.add("new", "n"); }},
      {"erase", [](auto& cache, auto&) { cache.erase("a"); }},
      {"incr", [](auto& cache, auto&) { cache.incr("count"); }},
      {"deque push", [](auto&, auto& deque) { deque.push_back("n"); }},
      {"deque pop", [](auto&, auto& deque) { deque.pop_front(); }},
      {"transaction",
       [](auto& cache, auto&) {
         auto transaction = cache.transact();
         for (int i = 0; i < 50; ++i) cache.set("a", std::string(3000, 'n'));
         cache.set("b", "m");
       }},
  };
}

TEST_P(VfsFaultTest, EveryFailingDatabaseCallKeepsTheOldStateAndLeavesItSound) {
  const auto [call, code, synchronous] = GetParam();
  long injected = 0;
  for (const Operation& operation : database_operations()) {
    for (long n = 1;; ++n) {
      TempDir root;
      const std::filesystem::path dir = root / "cache";
      const Settings settings{.sqlite_synchronous = synchronous};
      bool threw = false;
      {
        Cache<std::string, std::string> cache(dir, settings);
        Deque<std::string> deque(root / "queue", {}, settings);
        cache.set("a", "o");
        cache.set("b", "p");
        deque.push_back("q");
        fault_.arm(call, code, n);
        try {
          operation.run(cache, deque);
        } catch (const IoError& failure) {
          threw = true;
          // The primary code of the injected failure (SQLite may extend it).
          EXPECT_EQ(failure.sqlite_code() & 0xff, code & 0xff) << failure.what();
          EXPECT_NE(std::string(failure.what()).find(root.path().string()), std::string::npos)
              << failure.what();
        }
        fault_.disarm();
        ASSERT_EQ(threw, fault_.fired()) << operation.name << ": " << name_of(call) << " #" << n
                                         << (threw ? " threw without a fault" : " fault swallowed");
        if (threw) {
          ++injected;
          EXPECT_EQ(cache.get("a"), "o") << operation.name << " #" << n;
          EXPECT_EQ(cache.get("b"), "p") << operation.name << " #" << n;
          EXPECT_FALSE(cache.contains("new"));
          EXPECT_FALSE(cache.contains("count"));
          EXPECT_EQ(deque.size(), 1);
        }
        cache.set("after", "z");  // the fault has cleared
        EXPECT_EQ(cache.get("after"), "z");
      }
      // Reopened, as the next process would: sound, and the old state.
      EXPECT_EQ(testing::integrity_check(dir), "ok");
      EXPECT_EQ(testing::integrity_check(root / "queue"), "ok");
      Cache<std::string, std::string> reopened(dir);
      if (threw) {
        EXPECT_EQ(reopened.get("a"), "o") << operation.name << " #" << n;
      }
      EXPECT_TRUE(reopened.check().empty());
      if (!threw) {
        EXPECT_GT(n, 1) << operation.name << " never reached a " << name_of(call);
        break;
      }
    }
  }
  std::printf("[figures] database faults: %ld injected (%s, SQLite code %d, synchronous %d)\n",
              injected, name_of(call), code, synchronous);
}

INSTANTIATE_TEST_SUITE_P(WriteSync, VfsFaultTest,
                         ::testing::Values(std::make_tuple(Call::Write, SQLITE_IOERR_WRITE, 1),
                                           std::make_tuple(Call::Write, SQLITE_FULL, 1),
                                           std::make_tuple(Call::Write, SQLITE_FULL, 2),
                                           std::make_tuple(Call::Fsync, SQLITE_IOERR_FSYNC, 2)),
                         [](const auto& info) {
                           return std::string(name_of(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) == SQLITE_FULL ? "Full" : "IoErr") +
                                  (std::get<2>(info.param) == 2 ? "SyncFull" : "SyncNormal");
                         });

}  // namespace
}  // namespace diskcache
