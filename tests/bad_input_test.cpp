// Bad input (SPEC section 8): damaged values, value files and databases,
// hostile rows, an unwritable directory, a full disk. Each gives a typed
// error naming the directory; the cache stays usable and nothing else changes.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "diskcache/cache.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::only_value_file;
using testing::run_in_child;
using testing::TempDir;

struct Point {
  int x = 0;
  int y = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(x, y);
  }
  friend bool operator==(const Point&, const Point&) = default;
};

// Runs one SQL statement on the cache's database, as another program would.
void tamper(const std::filesystem::path& directory, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((directory / "cache.db").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

// Asserts that `call` throws E and that its message contains `part` and the
// directory.
template <class E, class Call>
void expect_error(Call&& call, const std::string& part, const std::filesystem::path& directory) {
  try {
    call();
    ADD_FAILURE() << "expected an exception containing '" << part << "'";
  } catch (const E& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_NE(message.find(directory.string()), std::string::npos) << message;
  }
}

// A type whose serialization throws on demand, for the strong guarantee.
struct Exploding {
  bool explode = false;
  template <class Archive>
  void save(Archive& archive) const {
    if (explode) throw std::runtime_error("cannot serialize");
    archive(explode);
  }
  template <class Archive>
  void load(Archive& archive) {
    archive(explode);
  }
};

class BadInputTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(BadInputTest, CorruptInlineBytesGiveSerializationError) {
  Cache<std::string, Point> cache(dir_.path());
  cache.set("p", {1, 2});
  cache.set("q", {3, 4});
  tamper(dir_.path(), "UPDATE Cache SET value = X'01' WHERE key = 'p'");
  expect_error<SerializationError>([&] { cache.get("p"); }, "", dir_.path());
  EXPECT_EQ(cache.at("q"), (Point{3, 4}));
  cache.set("p", {5, 6});  // a corrupt item can be overwritten
  EXPECT_EQ(cache.at("p"), (Point{5, 6}));
}

TEST_F(BadInputTest, TruncatedValueFileGivesCorruptionError) {
  Cache<std::string, std::string> cache(dir_.path());
  cache.set("big", std::string(100000, 'x'));
  cache.set("small", "ok");
  std::filesystem::resize_file(only_value_file(dir_.path()), 10);
  expect_error<CorruptionError>([&] { cache.get("big"); }, "10 bytes, expected 100000",
                                dir_.path());
  EXPECT_EQ(cache.at("small"), "ok");
  EXPECT_FALSE(cache.check().empty());
}

TEST_F(BadInputTest, MissingValueFileGivesCorruptionErrorAndCheckFixRemovesTheRow) {
  Cache<std::string, std::string> cache(dir_.path());
  cache.set("big", std::string(100000, 'x'));
  cache.set("small", "ok");
  std::filesystem::remove(only_value_file(dir_.path()));
  expect_error<CorruptionError>([&] { cache.get("big"); }, "missing", dir_.path());
  expect_error<CorruptionError>([&] { cache.pop("big"); }, "missing", dir_.path());
  EXPECT_TRUE(cache.contains("big"));  // the failed pop removed nothing
  const auto problems = cache.check(/*fix=*/true);
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.front().find("file not found"), std::string::npos) << problems.front();
  EXPECT_FALSE(cache.contains("big"));
  EXPECT_EQ(cache.at("small"), "ok");
  EXPECT_TRUE(cache.check().empty());
}

TEST_F(BadInputTest, FilenameOutsideTheDirectoryIsRefusedAndNeverFollowed) {
  TempDir outside;
  const auto canary = outside / "x";
  { std::ofstream(canary) << "canary"; }
  Cache<std::string, std::string> cache(dir_.path());
  cache.set("evil", std::string(100000, 'x'));
  const std::string traversal =
      std::filesystem::relative(canary, dir_.path()).string();  // ../dctest-.../x
  tamper(dir_.path(), "UPDATE Cache SET filename = '" + traversal + "', size = 6");
  expect_error<CorruptionError>([&] { cache.get("evil"); }, "refusing", dir_.path());
  EXPECT_TRUE(cache.erase("evil"));
  cache.check(/*fix=*/true);
  EXPECT_EQ(testing::read_file(canary), "canary");
}

TEST_F(BadInputTest, RandomBytesAsCacheDbGiveCorruptionError) {
  {
    std::ofstream db(dir_.path() / "cache.db", std::ios::binary);
    for (int i = 0; i < 8192; ++i) db.put(static_cast<char>((i * 7919) % 251));
  }
  expect_error<CorruptionError>([&] { Cache<> cache(dir_.path()); }, "", dir_.path());
}

TEST_F(BadInputTest, AnotherApplicationsDatabaseGivesCorruptionError) {
  tamper(dir_.path(), "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
  expect_error<CorruptionError>([&] { Cache<> cache(dir_.path()); }, "invoices", dir_.path());
}

TEST_F(BadInputTest, HostileSettingsRowIsRefused) {
  { Cache<> cache(dir_.path()); }
  tamper(dir_.path(),
         "UPDATE Settings SET value = 'wal; ATTACH ''/tmp/x'' AS x' "
         "WHERE key = 'sqlite_journal_mode'");
  expect_error<CorruptionError>([&] { Cache<> cache(dir_.path()); }, "sqlite_journal_mode",
                                dir_.path());
}

TEST_F(BadInputTest, UnwritableDirectoryGivesIoError) {
  const auto directory = dir_ / "locked";
  std::filesystem::create_directory(directory);
  std::filesystem::permissions(
      directory, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                     std::filesystem::perms::others_read | std::filesystem::perms::group_exec |
                     std::filesystem::perms::others_exec);
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add);
  // Tests run as root, which may write anywhere: drop to an unprivileged user.
  const int status = run_in_child([&] {
    if (::getuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 2;
    try {
      Cache<> cache(directory);
      cache.set("k", 1);
    } catch (const IoError& error) {
      const std::string message = error.what();
      return message.find(directory.string()) != std::string::npos ? 0 : 3;
    }
    return 1;
  });
  EXPECT_EQ(status, 0);
}

TEST_F(BadInputTest, ValueLargerThanTheFreeSpaceGivesIoErrorAndKeepsTheOldValue) {
  {
    Cache<std::string, std::string> cache(dir_.path());
    cache.set("k", "old");
  }
  // RLIMIT_FSIZE makes write() fail with EFBIG, as a full disk would with ENOSPC.
  const int status = run_in_child([&] {
    Cache<std::string, std::string> cache(dir_.path());
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{1 << 20, 1 << 20};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 2;
    try {
      cache.set("k", std::string(4 << 20, 'n'));
    } catch (const IoError& error) {
      const std::string message = error.what();
      return message.find(dir_.path().string()) != std::string::npos ? 0 : 3;
    }
    return 1;
  });
  EXPECT_EQ(status, 0);
  Cache<std::string, std::string> cache(dir_.path());
  EXPECT_EQ(cache.at("k"), "old");
  EXPECT_TRUE(only_value_file(dir_.path()).empty());
  for (auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
  EXPECT_TRUE(cache.check().empty());
}

TEST_F(BadInputTest, SerializerFailureLeavesTheOldValue) {
  Cache<std::string, Exploding> cache(dir_.path());
  cache.set("k", Exploding{false});
  EXPECT_ANY_THROW(cache.set("k", Exploding{true}));
  EXPECT_FALSE(cache.at("k").explode);
}

TEST_F(BadInputTest, NullKeyIsATypedError) {
  Cache<> cache(dir_.path());
  EXPECT_THROW(cache.set(Value(), 1), SerializationError);
  EXPECT_THROW(cache.get(nullptr), SerializationError);
}

}  // namespace
}  // namespace diskcache
