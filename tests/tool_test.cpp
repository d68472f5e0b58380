// The diskcache command as installed (the fixture tool_install puts it in a
// temporary prefix): each subcommand on real directories, made by C++ and
// by Python (tests/python/tool.py), asserting output and exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cereal/types/utility.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

// The documented exit statuses (docs/cli.md).
constexpr int kOk = 0;
constexpr int kNotFound = 1;
constexpr int kUsage = 2;
constexpr int kNotACache = 3;
constexpr int kCorrupt = 4;
constexpr int kIoError = 5;
constexpr int kTimeout = 6;
constexpr int kUnreadable = 7;

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

std::string shell_quoted(const std::string& argument) {
  std::string quoted = "'";
  for (const char c : argument) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

class ToolTest : public ::testing::Test {
 protected:
  // Runs `program` with `arguments` (no shell interpretation), stdout and
  // stderr captured apart, stdin empty.
  Result run(const std::string& program, const std::vector<std::string>& arguments,
             const std::string& input = "") {
    std::string command = shell_quoted(program);
    for (const std::string& argument : arguments) command += " " + shell_quoted(argument);
    const std::filesystem::path in = scratch_ / "stdin", out = scratch_ / "stdout",
                                err = scratch_ / "stderr";
    std::ofstream(in) << input;
    command += " <" + shell_quoted(in) + " >" + shell_quoted(out) + " 2>" + shell_quoted(err);
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::read_file(out),
            testing::read_file(err)};
  }

  Result tool(const std::vector<std::string>& arguments, const std::string& input = "") {
    return run(DISKCACHE_TEST_TOOL, arguments, input);
  }

  Result python(const std::vector<std::string>& arguments) {
    std::vector<std::string> all{std::string(DISKCACHE_TEST_SOURCE_DIR) + "/python/tool.py"};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return run(DISKCACHE_TEST_PYTHON, all);
  }

  // A cache written by Python; returns the `name=size` lines it printed.
  std::map<std::string, std::string> python_cache() {
    const Result written = python({"write", dir_});
    EXPECT_EQ(written.status, 0) << written.err;
    std::map<std::string, std::string> sizes;
    std::istringstream lines(written.out);
    for (std::string line; std::getline(lines, line);) {
      sizes[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
    }
    return sizes;
  }

  TempDir scratch_;
  TempDir temp_;
  const std::string dir_ = (temp_ / "cache").string();
};

// --- get, set, delete, incr --------------------------------------------------

TEST_F(ToolTest, GetShowsPythonValuesAsTheirRawTypes) {
  python_cache();
  EXPECT_EQ(tool({"get", dir_, "text"}).out, "'héllo'\n");
  EXPECT_EQ(tool({"get", dir_, "7"}).out, "-42\n");
  EXPECT_EQ(tool({"get", dir_, "b'\\x00key'"}).out, "2.5\n");
  EXPECT_EQ(tool({"get", dir_, "bytes"}).out, "b\"\\x00\\x01'\"\n");
  const Result quoted = tool({"get", dir_, "'text'"});
  EXPECT_EQ(quoted.status, kOk);
  EXPECT_EQ(quoted.out, "'héllo'\n");
}

TEST_F(ToolTest, GetShowsPickledValuesAsBinaryWithTheirSize) {
  const auto sizes = python_cache();
  EXPECT_EQ(tool({"get", dir_, "tuple"}).out, "<binary " + sizes.at("tuple") + " bytes>\n");
  const Result file = tool({"get", dir_, "big-list"});
  EXPECT_EQ(file.status, kOk);
  EXPECT_EQ(file.out, "<binary " + sizes.at("big-list") + " bytes>\n");
  EXPECT_EQ(tool({"--json", "get", dir_, "big-list"}).out,
            "{\"key\":\"big-list\",\"value\":{\"pickle\":" + sizes.at("big-list") +
                "},\"size\":" + sizes.at("big-list") + ",\"expire_time\":null,\"tag\":null}\n");
}

TEST_F(ToolTest, GetJsonGivesTagAndExpiry) {
  python_cache();
  EXPECT_EQ(
      tool({"get", dir_, "tagged", "--json"}).out,
      "{\"key\":\"tagged\",\"value\":\"t\",\"size\":1,\"expire_time\":null,\"tag\":\"blue\"}\n");
  EXPECT_EQ(tool({"--json", "get", dir_, "bytes"}).out,
            "{\"key\":\"bytes\",\"value\":{\"bytes\":\"AAEn\"},\"size\":3,\"expire_time\":null,"
            "\"tag\":null}\n");
}

TEST_F(ToolTest, GetOfAMissingKeyExitsNotFound) {
  python_cache();
  const Result missing = tool({"get", dir_, "nothing"});
  EXPECT_EQ(missing.status, kNotFound);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "diskcache: key 'nothing' not found in " + dir_ + "\n");
  // 7 is stored as an integer; the text '7' is another key.
  EXPECT_EQ(tool({"get", dir_, "'7'"}).status, kNotFound);
}

TEST_F(ToolTest, SetStoresWhatPythonReadsBack) {
  python_cache();
  EXPECT_EQ(tool({"set", dir_, "new", "hello world"}).status, kOk);
  EXPECT_EQ(tool({"set", dir_, "99", "2.5"}).status, kOk);
  EXPECT_EQ(tool({"set", dir_, "'99'", "b'\\xff\\x00'"}).status, kOk);
  EXPECT_EQ(tool({"set", dir_, "none", "None"}).status, kOk);
  EXPECT_EQ(tool({"set", dir_, "quoted", "\"it's\""}).status, kOk);
  EXPECT_EQ(python({"expect", dir_, "'new'", "'hello world'"}).status, 0);
  EXPECT_EQ(python({"expect", dir_, "99", "2.5"}).status, 0);
  EXPECT_EQ(python({"expect", dir_, "'99'", "b'\\xff\\x00'"}).status, 0);
  EXPECT_EQ(python({"expect", dir_, "'none'", "None"}).status, 0);
  EXPECT_EQ(python({"expect", dir_, "'quoted'", "\"it's\""}).status, 0);
}

TEST_F(ToolTest, SetWithExpireAndTag) {
  EXPECT_EQ(tool({"set", dir_, "k", "v", "--expire", "60", "--tag", "group", "--create"}).status,
            kOk);
  Cache<> cache(dir_);
  const auto entry = cache.get_entry("k");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->tag, Value("group"));
  ASSERT_TRUE(entry->expire_time);
  const auto left = *entry->expire_time - std::chrono::system_clock::now();
  EXPECT_GT(left, std::chrono::seconds(50));
  EXPECT_LE(left, std::chrono::seconds(60));
}

TEST_F(ToolTest, SetNeedsCreateForANewDirectory) {
  const Result refused = tool({"set", dir_, "k", "v"});
  EXPECT_EQ(refused.status, kNotACache);
  EXPECT_EQ(refused.err, "diskcache: " + dir_ + " does not exist\n");
  EXPECT_FALSE(std::filesystem::exists(dir_));
  EXPECT_EQ(tool({"set", dir_, "k", "v", "--create"}).status, kOk);
  EXPECT_EQ(tool({"get", dir_, "k"}).out, "'v'\n");
}

TEST_F(ToolTest, MalformedLiteralsAreUsageErrors) {
  python_cache();
  const Result bad_escape = tool({"set", dir_, "k", "'\\x4'"});
  EXPECT_EQ(bad_escape.status, kUsage);
  EXPECT_NE(bad_escape.err.find("\\x needs 2 hexadecimal digits"), std::string::npos)
      << bad_escape.err;
  EXPECT_EQ(tool({"get", dir_, "None"}).status, kUsage);
  EXPECT_EQ(tool({"set", dir_, "k", "99999999999999999999"}).status, kUsage);
}

TEST_F(ToolTest, DeleteRemovesOnceThenExitsNotFound) {
  python_cache();
  EXPECT_EQ(tool({"delete", dir_, "text"}).status, kOk);
  EXPECT_EQ(python({"missing", dir_, "'text'"}).status, 0);
  EXPECT_EQ(tool({"delete", dir_, "text"}).status, kNotFound);
}

TEST_F(ToolTest, IncrAddsAtomicallyAndRefusesNonIntegers) {
  python_cache();
  EXPECT_EQ(tool({"incr", dir_, "views"}).out, "1\n");
  EXPECT_EQ(tool({"incr", dir_, "views", "10"}).out, "11\n");
  EXPECT_EQ(tool({"incr", dir_, "views", "-20"}).out, "-9\n");
  EXPECT_EQ(tool({"incr", dir_, "7"}).out, "-41\n");  // Python's int
  EXPECT_EQ(tool({"incr", dir_, "fresh", "--default", "100"}).out, "101\n");
  EXPECT_EQ(tool({"incr", dir_, "absent", "--no-default"}).status, kNotFound);
  const Result text = tool({"incr", dir_, "text"});
  EXPECT_EQ(text.status, kUnreadable);
  EXPECT_NE(text.err.find("not an integer"), std::string::npos) << text.err;
  EXPECT_EQ(python({"expect", dir_, "'views'", "-9"}).status, 0);
}

// --- keys, dump, load ---------------------------------------------------------

TEST_F(ToolTest, KeysListsInInsertionOrderWithLimitAndPrefix) {
  python_cache();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // "soon" has expired
  const Result keys = tool({"keys", dir_});
  EXPECT_EQ(keys.status, kOk);
  EXPECT_EQ(keys.out,
            "'text'\n7\nb'\\x00key'\n'bytes'\n'tagged'\n'tuple'\n'big-list'\n<binary 25 bytes>\n");
  EXPECT_EQ(tool({"keys", dir_, "--limit", "2"}).out, "'text'\n7\n");
  EXPECT_EQ(tool({"keys", dir_, "--prefix", "t"}).out, "'text'\n'tagged'\n'tuple'\n");
  EXPECT_EQ(tool({"--json", "keys", dir_, "--limit", "3"}).out,
            "\"text\"\n7\n{\"bytes\":\"AGtleQ==\"}\n");
  EXPECT_EQ(tool({"keys", dir_, "--limit", "-1"}).status, kUsage);
}

TEST_F(ToolTest, DumpAndLoadCopyAPythonCacheExceptItsPickles) {
  python_cache();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // "soon" has expired
  const Result dump = tool({"dump", dir_});
  EXPECT_EQ(dump.status, kUnreadable);
  EXPECT_EQ(dump.err, "diskcache: skipped 2 Python-pickled values (JSON lines cannot hold them)\n");
  EXPECT_NE(dump.out.find("{\"key\":\"tagged\",\"value\":\"t\",\"expire_time\":null,"
                          "\"tag\":\"blue\"}\n"),
            std::string::npos)
      << dump.out;

  const std::string copy = (temp_ / "copy").string();
  const Result load = tool({"load", copy, "--create"}, dump.out);
  EXPECT_EQ(load.status, kOk) << load.err;
  EXPECT_EQ(load.out, "loaded: 6\nexpired: 0\n");
  EXPECT_EQ(python({"expect", copy, "'text'", "'héllo'"}).status, 0);
  EXPECT_EQ(python({"expect", copy, "b'\\x00key'", "2.5"}).status, 0);
  EXPECT_EQ(python({"expect", copy, "'bytes'", "b\"\\x00\\x01'\""}).status, 0);
  // A pickled key is copied as its bytes, so Python still finds it.
  EXPECT_EQ(python({"expect", copy, "('tuple', 'key')", "'value of a pickled key'"}).status, 0);
  EXPECT_EQ(tool({"evict", copy, "--tag", "blue"}).out, "removed: 1\n");
}

TEST_F(ToolTest, DumpAndLoadKeepEncodedKeysExpiryAndTags) {
  using Point = std::pair<int, int>;
  {
    Cache<Point, std::string> cache(dir_);
    cache.set({1, 2}, "one-two", {.expire = std::chrono::hours(1), .tag = "pairs"});
    cache.set({3, 4}, std::string(50'000, 'x'));  // a value file
  }
  const Result dump = tool({"--json", "dump", dir_});
  ASSERT_EQ(dump.status, kOk) << dump.err;
  const std::filesystem::path file = temp_ / "dump.jsonl";
  std::ofstream(file) << dump.out << "\n";  // a blank line is ignored

  const std::string copy = (temp_ / "copy").string();
  const Result load = tool({"--json", "load", copy, file.string(), "--create"});
  EXPECT_EQ(load.out, "{\"loaded\":2,\"expired\":0}\n");
  Cache<Point, std::string> cache(copy);
  const auto entry = cache.get_entry({1, 2});
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->value, "one-two");
  EXPECT_EQ(entry->tag, Value("pairs"));
  ASSERT_TRUE(entry->expire_time);
  EXPECT_GT(*entry->expire_time - std::chrono::system_clock::now(), std::chrono::minutes(59));
  EXPECT_EQ(cache.get({3, 4}), std::string(50'000, 'x'));
}

TEST_F(ToolTest, LoadStopsAtABadLineNamingItAndKeepsTheLinesBefore) {
  { Cache<> cache(dir_); }
  const std::string input =
      "{\"key\":\"a\",\"value\":1}\n"
      "{\"key\":\"b\",\"value\":1,\"expire_time\":1.0}\n"  // expired long ago
      "{\"key\":\"c\",\"value\":{\"bytes\":\"@@@@\"}}\n"
      "{\"key\":\"d\",\"value\":4}\n";
  const Result load = tool({"load", dir_}, input);
  EXPECT_EQ(load.status, kUsage);
  EXPECT_EQ(load.out, "loaded: 1\nexpired: 1\n");
  EXPECT_EQ(load.err, "diskcache: - line 3: value: not base64 text\n");
  Cache<> cache(dir_);
  EXPECT_TRUE(cache.contains("a"));
  EXPECT_FALSE(cache.contains("b"));
  EXPECT_FALSE(cache.contains("d"));
  EXPECT_EQ(tool({"load", dir_}, "[1, 2]\n").status, kUsage);
  EXPECT_EQ(tool({"load", dir_}, "{\"key\": {\"pickle\": 3}, \"value\": 1}\n").status, kUsage);
  EXPECT_EQ(tool({"load", dir_, (temp_ / "absent.jsonl").string()}).status, kIoError);
}

// --- stats, expire, evict, cull, clear, check, vacuum ------------------------

TEST_F(ToolTest, StatsReportsCountSettingsSqliteVersionAndWalResetRace) {
  python_cache();
  const Result stats = tool({"stats", dir_});
  EXPECT_EQ(stats.status, kOk);
  EXPECT_NE(stats.out.find("items: 9\n"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("eviction_policy: least-recently-stored\n"), std::string::npos);
  EXPECT_NE(stats.out.find("sqlite_version: " + Store::sqlite_version() + "\n"), std::string::npos);
  const Result json = tool({"stats", dir_, "--json"});
  EXPECT_NE(json.out.find("\"items\":9,"), std::string::npos) << json.out;
  const std::string race = version().sqlite_wal_reset_race ? "1" : "0";
  EXPECT_NE(stats.out.find("sqlite_wal_reset_race: " + race + "\n"), std::string::npos);
  EXPECT_NE(json.out.find("\"sqlite_version\":\"" + Store::sqlite_version() +
                          "\",\"sqlite_wal_reset_race\":" + race + "}\n"),
            std::string::npos)
      << json.out;
}

TEST_F(ToolTest, StatsLeavesStatisticsAsStored) {
  { Cache<> cache(dir_); }
  EXPECT_EQ(tool({"stats", dir_}).status, kOk);
  EXPECT_FALSE(Cache<>(dir_).settings().statistics);
}

TEST_F(ToolTest, DirectoriesThatAreNotCachesAreRefused) {
  EXPECT_EQ(tool({"stats", dir_}).status, kNotACache);
  std::filesystem::create_directory(dir_);
  const Result empty = tool({"stats", dir_});
  EXPECT_EQ(empty.status, kNotACache);
  EXPECT_EQ(empty.err, "diskcache: " + dir_ + " is not a cache directory (no cache.db)\n");
  EXPECT_FALSE(std::filesystem::exists(temp_ / "cache" / "cache.db"));
  std::ofstream(temp_ / "cache" / "cache.db") << "not a database, just some text";
  const Result garbage = tool({"stats", dir_});
  EXPECT_EQ(garbage.status, kNotACache);
  EXPECT_NE(garbage.err.find("cache.db"), std::string::npos) << garbage.err;
}

TEST_F(ToolTest, ExpireRemovesExpiredItems) {
  python_cache();  // "soon" expires after 50 ms
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(tool({"expire", dir_}).out, "removed: 1\n");
  EXPECT_EQ(tool({"--json", "expire", dir_}).out, "{\"removed\":0}\n");
}

TEST_F(ToolTest, EvictRemovesATagsItems) {
  python_cache();
  EXPECT_EQ(tool({"evict", dir_, "--tag", "blue"}).out, "removed: 1\n");
  EXPECT_EQ(python({"missing", dir_, "'tagged'"}).status, 0);
  EXPECT_EQ(tool({"evict", dir_}).status, kUsage);
}

TEST_F(ToolTest, CullEvictsDownToTheSizeLimit) {
  {
    Cache<> cache(dir_, {.size_limit = 3'000'000, .cull_limit = 0});
    auto transaction = cache.transact();
    for (int i = 0; i < 200; ++i) cache.set(i, std::string(20'000, 'x'));
  }
  const Result cull = tool({"--json", "cull", dir_});
  EXPECT_EQ(cull.status, kOk);
  Cache<> cache(dir_);
  EXPECT_LE(cache.volume(), 3'000'000);
  EXPECT_GT(cache.size(), 0);
  EXPECT_EQ(cull.out, "{\"removed\":" + std::to_string(200 - cache.size()) + "}\n");
  EXPECT_TRUE(cache.contains(199));  // the newest stay
}

TEST_F(ToolTest, ClearRemovesEverythingWithoutProgressWhenNotATerminal) {
  python_cache();
  const Result clear = tool({"clear", dir_});
  EXPECT_EQ(clear.out, "removed: 9\n");
  EXPECT_EQ(clear.err, "");  // stderr is a file here: no progress bar
  EXPECT_EQ(Cache<>(dir_).size(), 0);
}

TEST_F(ToolTest, ClearDrawsProgressOnATerminal) {
  {
    Cache<> cache(dir_);
    auto transaction = cache.transact();
    for (int i = 0; i < 2000; ++i) cache.set(i, i);
  }
  // script(1) runs the command on a pseudo-terminal and copies what it draws.
  const std::string command = shell_quoted(DISKCACHE_TEST_TOOL) + " clear " + shell_quoted(dir_);
  const Result terminal = run("script", {"-qec", command, "/dev/null"});
  EXPECT_EQ(terminal.status, kOk);
  EXPECT_NE(terminal.out.find("clear ["), std::string::npos) << terminal.out;
  EXPECT_NE(terminal.out.find("100% 2000/2000"), std::string::npos) << terminal.out;
  EXPECT_NE(terminal.out.find("removed: 2000"), std::string::npos) << terminal.out;
}

TEST_F(ToolTest, CheckReportsAndFixesAMissingValueFile) {
  python_cache();
  const Result healthy = tool({"check", dir_});
  EXPECT_EQ(healthy.status, kOk);
  EXPECT_EQ(healthy.out, "found: 0\nsqlite_version: " + Store::sqlite_version() + "\n");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    if (entry.path().extension() == ".val") std::filesystem::remove(entry.path());
  }
  const Result damaged = tool({"check", dir_});
  EXPECT_EQ(damaged.status, kCorrupt);
  EXPECT_NE(damaged.out.find("found: 2\n"), std::string::npos) << damaged.out;
  EXPECT_NE(damaged.err.find("--fix repairs them"), std::string::npos) << damaged.err;
  const Result fixed = tool({"--json", "check", "--fix", dir_});
  EXPECT_EQ(fixed.status, kOk) << fixed.err;
  // The fix also removes the parent directory that removing ab/cd emptied.
  EXPECT_NE(fixed.out.find("\"found\":3,\"remaining\":0,"), std::string::npos) << fixed.out;
  EXPECT_EQ(tool({"check", dir_}).status, kOk);
  EXPECT_EQ(python({"missing", dir_, "'big-list'"}).status, 0);
}

TEST_F(ToolTest, VacuumShrinksTheDatabaseAndKeepsTheItems) {
  {
    Cache<> cache(dir_, {.sqlite_auto_vacuum = 0});
    auto transaction = cache.transact();
    for (int i = 0; i < 1000; ++i) cache.set(i, std::string(1000, 'v'));
  }
  {
    Cache<> cache(dir_);
    auto transaction = cache.transact();
    for (int i = 0; i < 990; ++i) cache.erase(i);
  }
  const Result vacuum = tool({"--json", "vacuum", dir_});
  EXPECT_EQ(vacuum.status, kOk) << vacuum.err;
  Cache<> cache(dir_);
  EXPECT_LT(cache.volume(), 200'000);
  EXPECT_NE(vacuum.out.find(",\"volume_after\":" + std::to_string(cache.volume()) + "}"),
            std::string::npos)
      << vacuum.out;
  EXPECT_EQ(cache.size(), 10);
}

TEST_F(ToolTest, ALockedDatabaseExitsTimeout) {
  Cache<> cache(dir_);
  cache.set("k", 1);
  auto transaction = cache.transact();  // holds the write lock
  const Result locked = tool({"--timeout", "0.2", "set", dir_, "k", "2"});
  EXPECT_EQ(locked.status, kTimeout);
  EXPECT_NE(locked.err.find("locked"), std::string::npos) << locked.err;
}

// --- deque push, pop, peek, len ---------------------------------------------

TEST_F(ToolTest, DequeCommandsShareAQueueWithPython) {
  ASSERT_EQ(python({"deque-push", dir_, "'a'", "2", "b'c'"}).status, 0);
  EXPECT_EQ(tool({"deque", "len", dir_}).out, "3\n");
  EXPECT_EQ(tool({"deque", "peek", dir_}).out, "'a'\n");
  EXPECT_EQ(tool({"deque", "peek", dir_, "--back", "--json"}).out, "{\"bytes\":\"Yw==\"}\n");
  EXPECT_EQ(tool({"deque", "pop", dir_}).out, "'a'\n");
  EXPECT_EQ(tool({"deque", "push", dir_, "front", "--front"}).status, kOk);
  EXPECT_EQ(tool({"deque", "push", dir_, "2.5"}).status, kOk);
  EXPECT_EQ(python({"deque-expect", dir_, "['front', 2, b'c', 2.5]"}).status, 0);
  EXPECT_EQ(tool({"deque", "pop", dir_, "--back"}).out, "2.5\n");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(tool({"deque", "pop", dir_}).status, kOk);
  const Result empty = tool({"deque", "pop", dir_});
  EXPECT_EQ(empty.status, kNotFound);
  EXPECT_EQ(empty.err, "diskcache: deque " + dir_ + " is empty\n");
}

TEST_F(ToolTest, DequePushCreatesADequeAsPythonDoes) {
  EXPECT_EQ(tool({"deque", "push", dir_, "job"}).status, kNotACache);
  EXPECT_EQ(tool({"deque", "push", dir_, "job", "--create"}).status, kOk);
  EXPECT_EQ(Cache<>(dir_).settings().eviction_policy, EvictionPolicy::None);
  EXPECT_EQ(python({"deque-expect", dir_, "['job']"}).status, 0);
}

TEST_F(ToolTest, DequePopReadsPythonsPlainData) {
  ASSERT_EQ(python({"deque-push", dir_, "(1, 'two')", "{'k': [True, None]}"}).status, 0);
  EXPECT_EQ(tool({"deque", "pop", dir_}).out, "(1, 'two')\n");
  EXPECT_EQ(tool({"--json", "deque", "pop", dir_}).out, "{\"python\":\"{'k': [True, None]}\"}\n");
}

TEST_F(ToolTest, DequePopRefusesAPickledObjectAndKeepsIt) {
  ASSERT_EQ(python({"deque-push", dir_, "1j"}).status, 0);  // complex: a pickled object
  const Result pickled = tool({"deque", "pop", dir_});
  EXPECT_EQ(pickled.status, kUnreadable);
  EXPECT_NE(pickled.err.find("pickled builtins.complex"), std::string::npos) << pickled.err;
  EXPECT_EQ(tool({"deque", "len", dir_}).out, "1\n");
  EXPECT_EQ(tool({"deque", "peek", dir_}).out, "<pickled builtins.complex>\n");
}

// --- usage -------------------------------------------------------------------

TEST_F(ToolTest, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(tool({}).status, kUsage);
  EXPECT_EQ(tool({"frobnicate", dir_}).status, kUsage);
  EXPECT_EQ(tool({"get", dir_}).status, kUsage);
  EXPECT_EQ(tool({"incr", dir_, "k", "not-a-number"}).status, kUsage);
  EXPECT_EQ(tool({"deque", dir_}).status, kUsage);
  const Result help = tool({"--help"});
  EXPECT_EQ(help.status, kOk);
  EXPECT_NE(help.out.find("deque"), std::string::npos);
}

}  // namespace
}  // namespace diskcache
