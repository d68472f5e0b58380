// The Store: value-file protocol under injected I/O faults, check(), stored
// settings written by Python.
#include "diskcache/store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>

#include "file_ops.hpp"
#include "sqlite_engine.hpp"
#include "test_support.hpp"
#include "transaction.hpp"

namespace diskcache {
namespace {

using testing::files_under;
using testing::TempDir;

// Real system calls, except that the chosen one fails with `error` while
// `armed` (the rest of the protocol still touches the real file system).
class FailingFileOps : public detail::FileOps {
 public:
  enum class Call { Write, Fsync, Rename, Open };
  Call call = Call::Write;
  int error = EIO;
  bool armed = false;

  int openat(int dirfd, const char* path, int flags, mode_t mode) override {
    if (armed && call == Call::Open && (flags & O_CREAT)) return fail();
    return FileOps::openat(dirfd, path, flags, mode);
  }
  ssize_t write(int fd, const void* data, size_t size) override {
    if (armed && call == Call::Write) return fail();
    return FileOps::write(fd, data, size);
  }
  int fsync(int fd) override {
    if (armed && call == Call::Fsync) return fail();
    return FileOps::fsync(fd);
  }
  int rename_noreplace(int a, const char* b, int c, const char* d) override {
    if (armed && call == Call::Rename) return fail();
    return FileOps::rename_noreplace(a, b, c, d);
  }

 private:
  int fail() {
    errno = error;
    return -1;
  }
};

class StoreFaultTest : public ::testing::TestWithParam<std::tuple<FailingFileOps::Call, int>> {};

TEST_P(StoreFaultTest, FailedValueFileWriteKeepsOldValueAndLeavesNoFile) {
  TempDir dir;
  Store store(dir.path());
  FailingFileOps ops;
  detail::SqliteEngine::TEST_of(store).TEST_set_file_ops(ops);
  const std::string old_value(50000, 'o');
  const std::string new_value(60000, 'n');
  store.set(Cell::text("k"), Cell::text(old_value));
  ASSERT_EQ(files_under(dir.path()).size(), 1u);

  std::tie(ops.call, ops.error) = GetParam();
  ops.armed = true;
  try {
    store.set(Cell::text("k"), Cell::text(new_value));
    FAIL() << "the injected fault must surface";
  } catch (const IoError& error) {
    EXPECT_EQ(error.error_code(), ops.error);
    EXPECT_NE(std::string(error.what()).find(dir.path().string()), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("'k'"), std::string::npos) << error.what();
  }
  EXPECT_EQ(store.get(Cell::text("k"))->value.bytes(), old_value);
  EXPECT_EQ(files_under(dir.path()).size(), 1u);

  ops.armed = false;  // the fault clears: the store works again
  store.set(Cell::text("k"), Cell::text(new_value));
  EXPECT_EQ(store.get(Cell::text("k"))->value.bytes(), new_value);
  EXPECT_EQ(files_under(dir.path()).size(), 1u);
  EXPECT_TRUE(store.check().empty());
}

INSTANTIATE_TEST_SUITE_P(EveryStep, StoreFaultTest,
                         ::testing::Values(std::make_tuple(FailingFileOps::Call::Open, EACCES),
                                           std::make_tuple(FailingFileOps::Call::Write, ENOSPC),
                                           std::make_tuple(FailingFileOps::Call::Write, EIO),
                                           std::make_tuple(FailingFileOps::Call::Fsync, EIO),
                                           std::make_tuple(FailingFileOps::Call::Rename, EDQUOT)));

TEST(StoreTest, ValueFilesFollowPythonNamingAndLeaveNoTemporaries) {
  TempDir dir;
  Store store(dir.path());
  store.set(Cell::integer(1), Cell::blob(std::string(40000, 'b')));
  const auto files = files_under(dir.path());
  ASSERT_EQ(files.size(), 1u);
  const std::string relative = std::filesystem::relative(files[0], dir.path()).string();
  EXPECT_TRUE(detail::ValueFiles::valid_name(relative)) << relative;
}

TEST(StoreTest, ValuesBelowMinFileSizeStayInline) {
  TempDir dir;
  Store store(dir.path(), {.disk_min_file_size = 100});
  store.set(Cell::integer(1), Cell::text(std::string(99, 'a')));
  EXPECT_TRUE(files_under(dir.path()).empty());
  store.set(Cell::integer(2), Cell::text(std::string(100, 'a')));
  EXPECT_EQ(files_under(dir.path()).size(), 1u);
  EXPECT_EQ(store.get(Cell::integer(2))->value.mode(), Mode::Text);
  EXPECT_EQ(store.get(Cell::integer(1))->value.mode(), Mode::Raw);
}

TEST(StoreTest, CheckFixRemovesOldOrphansButKeepsYoungOnes) {
  TempDir dir;
  Store store(dir.path(), {.timeout = std::chrono::milliseconds(100)});
  std::filesystem::create_directories(dir / "ab/cd");
  const auto old_orphan = dir / "ab/cd/0123456789abcdef0123456789ab.val";
  const auto young_orphan = dir / "ab/cd/ffffffffffffffffffffffffffff.val.tmp";
  std::ofstream(old_orphan) << "old";
  std::ofstream(young_orphan) << "young";
  const timespec long_ago[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, old_orphan.c_str(), long_ago, 0), 0);

  EXPECT_EQ(store.check().size(), 2u);
  store.check(/*fix=*/true);
  EXPECT_FALSE(std::filesystem::exists(old_orphan));
  EXPECT_TRUE(std::filesystem::exists(young_orphan));
}

// Found by the crash tests: a writer killed between creating "ab/cd" and
// committing leaves an orphan alone in its directory. check(fix) removed the
// orphan but judged emptiness before, so the directory stayed and a second
// check() reported it.
TEST(StoreTest, CheckFixAlsoRemovesTheDirectoriesItsRemovalsEmptied) {
  TempDir dir;
  Store store(dir.path(), {.timeout = std::chrono::milliseconds(100)});
  std::filesystem::create_directories(dir / "ab/cd");
  const auto orphan = dir / "ab/cd/0123456789abcdef0123456789ab.val.tmp";
  std::ofstream(orphan) << "orphan";
  const timespec long_ago[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, orphan.c_str(), long_ago, 0), 0);

  EXPECT_FALSE(store.check(/*fix=*/true).empty());
  EXPECT_FALSE(std::filesystem::exists(dir / "ab"));
  const std::vector<std::string> after = store.check();
  EXPECT_TRUE(after.empty()) << after.front();
}

TEST(StoreTest, IntegerSettingsStoredAsRealByPythonAreAccepted) {
  TempDir dir;
  { Store store(dir.path()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "cache.db").c_str(), &db), SQLITE_OK);
  // Python's FanoutCache stores size_limit / shards, a float.
  ASSERT_EQ(sqlite3_exec(db, "UPDATE Settings SET value = 134217728.0 WHERE key = 'size_limit'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Store store(dir.path());
  EXPECT_EQ(store.settings().size_limit, 134217728);
}

TEST(StoreTest, CopiesShareOneEngine) {
  TempDir dir;
  Store store(dir.path());
  Store copy = store;
  copy.set(Cell::text("k"), Cell::integer(1));
  EXPECT_EQ(store.get(Cell::text("k"))->value.integer(), 1);
  EXPECT_EQ(&detail::SqliteEngine::TEST_of(store), &detail::SqliteEngine::TEST_of(copy));
}

TEST(StoreTest, WriteBlockedLongerThanTheTimeoutThrowsTimeout) {
  TempDir dir;
  Store store(dir.path(), {.timeout = std::chrono::milliseconds(200)});
  store.set(Cell::text("k"), Cell::integer(1));
  // Another program holds the write lock.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "cache.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  try {
    store.set(Cell::text("k"), Cell::integer(2));
    ADD_FAILURE() << "a write under another writer's lock must time out";
  } catch (const Timeout& error) {
    EXPECT_EQ(error.sqlite_code() & 0xff, SQLITE_BUSY);
    EXPECT_NE(std::string(error.what()).find(dir.path().string()), std::string::npos);
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(store.get(Cell::text("k"))->value.integer(), 1);  // reads are not blocked
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  store.set(Cell::text("k"), Cell::integer(2));
  EXPECT_EQ(store.get(Cell::text("k"))->value.integer(), 2);
}

TEST(StoreTest, OperationsInsideAnOuterTransactionRollBackWithIt) {
  TempDir dir;
  Store store(dir.path());
  store.set(Cell::text("kept"), Cell::integer(1));
  detail::SqliteEngine& engine = detail::SqliteEngine::TEST_of(store);
  {
    detail::WriteTransaction outer = engine.begin_write(engine.connection(), /*retry=*/false);
    store.set(Cell::text("file"), Cell::blob(std::string(50000, 'f')));
    store.erase(Cell::text("kept"));
    EXPECT_EQ(files_under(dir.path()).size(), 1u);
    // No commit: the outer transaction rolls back both operations.
  }
  EXPECT_FALSE(store.contains(Cell::text("file")));
  EXPECT_EQ(store.get(Cell::text("kept"))->value.integer(), 1);
  EXPECT_TRUE(files_under(dir.path()).empty());
  EXPECT_TRUE(store.check().empty());
}

TEST(StoreTest, RolledBackInnerTransactionUndoesOnlyItsOwnWrites) {
  TempDir dir;
  Store store(dir.path());
  detail::SqliteEngine& engine = detail::SqliteEngine::TEST_of(store);
  {
    detail::WriteTransaction outer = engine.begin_write(engine.connection(), /*retry=*/false);
    store.set(Cell::text("before"), Cell::blob(std::string(50000, 'b')));
    {
      detail::WriteTransaction inner = engine.begin_write(engine.connection(), /*retry=*/false);
      store.set(Cell::text("inner"), Cell::blob(std::string(50000, 'i')));
      store.erase(Cell::text("before"));
      EXPECT_EQ(files_under(dir.path()).size(), 2u);
      // Destroyed without commit: a savepoint rollback.
    }
    EXPECT_EQ(files_under(dir.path()).size(), 1u);  // only the inner file went
    store.set(Cell::text("after"), Cell::integer(2));
    outer.commit();
  }
  EXPECT_EQ(store.get(Cell::text("before"))->value.bytes(), std::string(50000, 'b'));
  EXPECT_FALSE(store.contains(Cell::text("inner")));
  EXPECT_EQ(store.get(Cell::text("after"))->value.integer(), 2);
  EXPECT_EQ(files_under(dir.path()).size(), 1u);
  EXPECT_TRUE(store.check().empty());
}

TEST(StoreTest, StoredItemSizeIsTheLengthOfTheValue) {
  TempDir dir;
  Store store(dir.path());
  store.set(Cell::text("inline"), Cell::text("hello"));
  store.set(Cell::text("file"), Cell::blob(std::string(40000, 'f')));
  store.set(Cell::text("number"), Cell::integer(7));
  EXPECT_EQ(store.get(Cell::text("inline"))->size, 5);
  EXPECT_EQ(store.get(Cell::text("file"))->size, 40000);
  EXPECT_EQ(store.get(Cell::text("number"))->size, 0);
}

TEST(StoreTest, VacuumShrinksTheDatabaseAndKeepsTheItems) {
  TempDir dir;
  Store store(dir.path(), {.sqlite_auto_vacuum = 0});
  for (int i = 0; i < 500; ++i) store.set(Cell::integer(i), Cell::text(std::string(1000, 'v')));
  for (int i = 0; i < 490; ++i) store.erase(Cell::integer(i));
  const std::int64_t before = store.volume();
  store.vacuum();
  EXPECT_LT(store.volume(), before / 4);
  EXPECT_LT(std::filesystem::file_size(dir / "cache.db"), static_cast<std::uintmax_t>(before / 4));
  EXPECT_EQ(store.size(), 10);
  EXPECT_EQ(store.get(Cell::integer(499))->value.bytes(), std::string(1000, 'v'));
  EXPECT_TRUE(store.check().empty());
}

TEST(StoreTest, SqliteVersionIsTheLinkedLibrarys) {
  EXPECT_EQ(Store::sqlite_version(), sqlite3_libversion());
  EXPECT_EQ(Store::sqlite_version().substr(0, 2), "3.");
}

}  // namespace
}  // namespace diskcache
