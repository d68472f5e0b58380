// The diskcache command as installed (the fixture tool_install puts it in a
// temporary prefix): each subcommand on real directories, made by C++ and
// by Python (tests/python/tool.py), asserting output and exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cereal/types/utility.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/disk/binary.hpp"
#include "diskcache/disk/json.hpp"
#include "diskcache/fanout_cache.hpp"
#include "diskcache/index.hpp"
#include "diskcache/version.hpp"
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

// Keys as the tool prints them: Python's pickle of ('tuple', 'key'), and
// std::pair{1, 2} as disk::Auto (Python's pickle of (1, 2)) and
// std::pair{3, 4} as disk::Json (raw text) store them.
const std::string kPickledKey =
    "encoded(b'\\x80\\x05\\x95\\x0e\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x8c\\x05tuple"
    "\\x8c\\x03key\\x86.')";
const std::string kAutoKey =
    "encoded(b'\\x80\\x05\\x95\\x06\\x00\\x00\\x00\\x00\\x00\\x00\\x00K\\x01K\\x02\\x86.')";
const std::string kJsonKey = R"('{"value0": {"first": 3,"second": 4}}')";

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
  for (const char* key : {"tuple", "big-list"}) {
    const Result raw = tool({"get", dir_, key, "--raw"});
    EXPECT_EQ(raw.status, kUnreadable);
    EXPECT_EQ(raw.out, "");
    EXPECT_EQ(raw.err,
              "diskcache: the value of key '" + std::string(key) + "' in " + dir_ +
                  " is a Python pickle, which --raw cannot write (the command never decodes it)\n");
  }
  EXPECT_EQ(tool({"--json", "get", dir_, "big-list"}).out,
            "{\"key\":\"big-list\",\"value\":{\"pickle\":" + sizes.at("big-list") +
                "},\"size\":" + sizes.at("big-list") + ",\"expire_time\":null,\"tag\":null}\n");
}

TEST_F(ToolTest, GetRawRefusesAKeyNoCacheHoldsWithoutCallingItAPickle) {
  python_cache();
  // Keys the engine would refuse (NaN, text that is not UTF-8) never reach
  // it: the literal is refused, with its own reason.
  for (const char* key : {"nan", "'\\udc80'"}) {
    const Result refused = tool({"get", dir_, key, "--raw"});
    EXPECT_EQ(refused.status, kUsage) << key;
    EXPECT_EQ(refused.out, "") << key;
    EXPECT_EQ(refused.err.find("pickle"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(tool({"get", dir_, "absent", "--raw"}).status, kNotFound);
  EXPECT_EQ(tool({"get", dir_, "7", "--raw"}).out, "-42");
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
  EXPECT_EQ(refused.err,
            "diskcache: " + dir_ + " does not exist; add --create to make a new cache\n");
  EXPECT_FALSE(std::filesystem::exists(dir_));
  EXPECT_EQ(tool({"set", dir_, "k", "v", "--create"}).status, kOk);
  EXPECT_EQ(tool({"get", dir_, "k"}).out, "'v'\n");
}

TEST_F(ToolTest, GetRawWritesTheValueBytesAlone) {
  std::string pattern;
  for (int i = 0; i < 100'000; ++i) pattern += static_cast<char>(i % 251);
  {
    Cache<> cache(dir_);
    cache.set("bytes", to_bytes("\x00\x01\xff\n"));
    cache.set("text", "h\xc3\xa9llo");
    cache.set("number", 42);
    cache.set("file", to_bytes(pattern));  // a value file
  }
  EXPECT_EQ(tool({"get", dir_, "bytes", "--raw"}).out, std::string("\x00\x01\xff\n", 4));
  EXPECT_EQ(tool({"get", dir_, "text", "--raw"}).out, "h\xc3\xa9llo");
  EXPECT_EQ(tool({"get", dir_, "number", "--raw"}).out, "42");
  const Result file = tool({"get", dir_, "file", "--raw"});
  EXPECT_EQ(file.status, kOk) << file.err;
  EXPECT_EQ(file.out, pattern);
  const Result json = tool({"--json", "get", dir_, "bytes", "--raw"});
  EXPECT_EQ(json.status, kUsage);
  EXPECT_EQ(json.err, "diskcache: get: --raw writes the bytes alone; drop --json\n");
  EXPECT_EQ(tool({"get", dir_, "absent", "--raw"}).status, kNotFound);
  // A write that fails is an I/O error, never a silent success.
  const Result full = run("sh", {"-c", shell_quoted(DISKCACHE_TEST_TOOL) + " get " +
                                           shell_quoted(dir_) + " file --raw >/dev/full"});
  EXPECT_EQ(full.status, kIoError);
  EXPECT_EQ(full.err, "diskcache: cannot write to standard output: No space left on device\n");
}

TEST_F(ToolTest, SetFileStoresTheFileBytesStreamed) {
  std::string content;
  for (int i = 0; i < 300'000; ++i) content += static_cast<char>(i % 253);
  const std::filesystem::path file = temp_ / "value.bin";
  std::ofstream(file, std::ios::binary) << content;
  const Result set = tool({"set", dir_, "big", "--file", file.string(), "--create"});
  EXPECT_EQ(set.status, kOk) << set.err;
  EXPECT_EQ(Cache<>(dir_).at("big"), Value(to_bytes(content)));
  EXPECT_EQ(tool({"get", dir_, "big", "--raw"}).out, content);

  EXPECT_EQ(tool({"set", dir_, "piped", "--file", "-", "--tag", "t"}, "from stdin").status, kOk);
  EXPECT_EQ(tool({"--json", "get", dir_, "piped"}).out,
            "{\"key\":\"piped\",\"value\":{\"bytes\":\"ZnJvbSBzdGRpbg==\"},\"size\":10,"
            "\"expire_time\":null,\"tag\":\"t\"}\n");

  const std::string absent = (temp_ / "absent.bin").string();
  const Result missing = tool({"set", dir_, "k", "--file", absent});
  EXPECT_EQ(missing.status, kIoError);
  EXPECT_EQ(missing.err,
            "diskcache: cannot open " + absent + " for reading: No such file or directory\n");
  const Result directory = tool({"set", dir_, "k", "--file", temp_.path().string()});
  EXPECT_EQ(directory.status, kIoError);
  EXPECT_EQ(directory.err, "diskcache: --file " + temp_.path().string() +
                               " is a directory; give the file to store\n");
  const Result both = tool({"set", dir_, "k", "v", "--file", file.string()});
  EXPECT_EQ(both.status, kUsage);
  EXPECT_EQ(both.err, "diskcache: set: give VALUE or --file PATH, not both\n");
  const Result neither = tool({"set", dir_, "k"});
  EXPECT_EQ(neither.status, kUsage);
  EXPECT_EQ(neither.err, "diskcache: set needs VALUE or --file PATH\n");
  EXPECT_FALSE(Cache<>(dir_).contains("k"));
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
  EXPECT_EQ(keys.out, "'text'\n7\nb'\\x00key'\n'bytes'\n'tagged'\n'tuple'\n'big-list'\n" +
                          kPickledKey + "\n");
  // Python's pickled tuple key, given back as printed.
  EXPECT_EQ(tool({"get", dir_, kPickledKey}).out, "'value of a pickled key'\n");
  EXPECT_EQ(tool({"keys", dir_, "--limit", "2"}).out, "'text'\n7\n");
  EXPECT_EQ(tool({"keys", dir_, "--prefix", "t"}).out, "'text'\n'tagged'\n'tuple'\n");
  EXPECT_EQ(tool({"--json", "keys", dir_, "--limit", "3"}).out,
            "\"text\"\n7\n{\"bytes\":\"AGtleQ==\"}\n");
}

TEST_F(ToolTest, EncodedKeysPrintAsLiteralsThatAddressThem) {
  using Point = std::pair<int, int>;
  { Cache<Point, std::string>(dir_).set({1, 2}, "auto"); }
  { Cache<Point, std::string, disk::Json>(dir_).set({3, 4}, "json"); }
  const Result keys = tool({"keys", dir_});
  EXPECT_EQ(keys.out, kAutoKey + "\n" + kJsonKey + "\n");
  EXPECT_EQ(tool({"get", dir_, kAutoKey}).out, "'auto'\n");
  // disk::Json stores its text raw, so the key is a str; it encodes the
  // value too, and values carry no mark of it.
  EXPECT_EQ(tool({"get", dir_, kJsonKey}).out, "'{\"value0\": \"json\"}'\n");
  // The literal inside encoded(...) alone is another key: the raw bytes.
  const std::string bytes = kAutoKey.substr(8, kAutoKey.size() - 9);
  const Result raw = tool({"get", dir_, bytes});
  EXPECT_EQ(raw.status, kNotFound);
  EXPECT_EQ(raw.err, "diskcache: key " + bytes + " not found in " + dir_ + "\n");
  EXPECT_EQ(tool({"delete", dir_, kAutoKey}).status, kOk);
  EXPECT_FALSE((Cache<Point, std::string>(dir_).contains({1, 2})));
  EXPECT_EQ(tool({"set", dir_, kJsonKey, "'{\"value0\": \"changed\"}'"}).status, kOk);
  EXPECT_EQ((Cache<Point, std::string, disk::Json>(dir_).get({3, 4})), "changed");
}

// A disk policy that stores strings as text marked encoded (raw = 0), as a
// user's policy may: an encoded key that is not a pickle.
struct EncodedText {
  template <class T>
  static Cell encode(const T& object) {
    return Cell::text(object, /*raw=*/false);
  }
  template <class T>
  static T decode(const Cell& cell) {
    return T(cell.bytes());
  }
};

// Each line `--json keys` prints, given back with --key-json, addresses its
// key: Python's str, int, bytes and pickled tuple keys, the keys disk::Binary,
// disk::Auto and a policy of one's own encoded, and a float inf key.
TEST_F(ToolTest, KeyJsonTakesEveryKeyJsonKeysPrints) {
  const auto sizes = python_cache();
  using Point = std::pair<int, int>;
  { Cache<Point, std::string, disk::Binary>(dir_).set({5, 6}, "binary"); }
  { Cache<Point, std::string>(dir_).set({1, 2}, "auto"); }
  { Cache<std::string, std::string, EncodedText>(dir_).set("point 7", "own"); }
  { Cache<double, std::string>(dir_).set(INFINITY, "infinite"); }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // "soon" has expired
  // The key as `--json keys` prints it, and its value as `get` prints it.
  const std::vector<std::pair<std::string, std::string>> items = {
      {"\"text\"", "'héllo'"},
      {"7", "-42"},
      {"{\"bytes\":\"AGtleQ==\"}", "2.5"},
      {"\"bytes\"", "b\"\\x00\\x01'\""},
      {"\"tagged\"", "'t'"},
      {"\"tuple\"", "<binary " + sizes.at("tuple") + " bytes>"},
      {"\"big-list\"", "<binary " + sizes.at("big-list") + " bytes>"},
      // Python's pickle of ('tuple', 'key'): its bytes, encoded.
      {"{\"encoded\":{\"bytes\":\"gAWVDgAAAAAAAACMBXR1cGxljANrZXmGLg==\"}}",
       "'value of a pickled key'"},
      // disk::Binary's std::pair{5, 6}, raw bytes: an endianness byte and
      // two int32 (the value is encoded too: a length and the characters).
      {"{\"bytes\":\"AQUAAAAGAAAA\"}", "b'\\x01\\x06\\x00\\x00\\x00\\x00\\x00\\x00\\x00binary'"},
      // disk::Auto's std::pair{1, 2}: Python's pickle of (1, 2), encoded.
      {"{\"encoded\":{\"bytes\":\"gAWVBgAAAAAAAABLAUsChi4=\"}}", "'auto'"},
      {"{\"encoded\":\"point 7\"}", "'own'"},
      {"{\"float\":\"inf\"}", "'infinite'"},
  };
  std::string printed;
  for (const auto& [key, value] : items) printed += key + "\n";
  const Result keys = tool({"--json", "keys", dir_});
  ASSERT_EQ(keys.status, kOk) << keys.err;
  ASSERT_EQ(keys.out, printed);

  for (const auto& [key, value] : items) {
    const Result got = tool({"get", dir_, "--key-json", key});
    EXPECT_EQ(got.status, kOk) << key << ": " << got.err;
    EXPECT_EQ(got.out, value + "\n") << key;
    // The key comes back out of `--json get` as it went in.
    const Result json = tool({"--json", "get", dir_, key, "--key-json"});
    EXPECT_EQ(json.out.rfind("{\"key\":" + key + ",\"value\":", 0), 0u) << json.out;
    EXPECT_EQ(tool({"delete", dir_, "--key-json", key}).status, kOk) << key;
    EXPECT_EQ(tool({"get", dir_, "--key-json", key}).status, kNotFound) << key;
    EXPECT_EQ(tool({"delete", dir_, "--key-json", key}).status, kNotFound) << key;
  }
  EXPECT_EQ(tool({"keys", dir_}).out, "");
  EXPECT_EQ(python({"missing", dir_, "('tuple', 'key')"}).status, 0);
  EXPECT_EQ(python({"missing", dir_, "b'\\x00key'"}).status, 0);
}

TEST_F(ToolTest, KeyJsonAddressesTheKeyForSetAndIncr) {
  python_cache();
  const std::string key = "{\"bytes\":\"AAE=\"}";  // b'\x00\x01'
  EXPECT_EQ(tool({"set", dir_, "--key-json", key, "5"}).status, kOk);
  EXPECT_EQ(tool({"incr", dir_, "--key-json", key, "2"}).out, "7\n");
  EXPECT_EQ(python({"expect", dir_, "b'\\x00\\x01'", "7"}).status, 0);
  // The JSON string "7" is the text '7', not Python's int key 7.
  EXPECT_EQ(tool({"incr", dir_, "--key-json", "\"7\""}).out, "1\n");
  EXPECT_EQ(python({"expect", dir_, "'7'", "1"}).status, 0);
  EXPECT_EQ(python({"expect", dir_, "7", "-42"}).status, 0);
}

TEST_F(ToolTest, AMalformedJsonKeyIsAUsageErrorSayingWhatToType) {
  python_cache();
  const std::string instead =
      "\n  --key-json takes a key as `diskcache --json keys DIR` prints it: \"text\", 42, 2.5, "
      "{\"bytes\": \"AAE=\"}, {\"float\": \"inf\"}, {\"encoded\": {\"bytes\": \"...\"}}"
      "\n  without --key-json, KEY is a literal as `diskcache keys DIR` prints it: 'text', 42, "
      "b'\\x00', encoded(b'..')\n";
  // A literal where JSON was wanted.
  const Result literal = tool({"delete", dir_, "--key-json", "'text'"});
  EXPECT_EQ(literal.status, kUsage);
  EXPECT_EQ(literal.out, "");
  EXPECT_EQ(literal.err,
            "diskcache: malformed JSON key 'text': Invalid value. (at byte 0)" + instead);
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"{\"bytes\":\"@@@@\"}", "not base64 text"},
      {"null", "null cannot be a key"},
      {"{\"encoded\":null}", "null cannot be a key"},
      {"{\"float\":\"nan\"}", "nan cannot be a key (SQLite stores NaN as NULL)"},
      {"{\"pickle\":3}", "a Python pickle cannot be written from C++"},
      {"\"\\udc80\"", "the text is not valid UTF-8"},
      {"7 8", "The document root must not be followed by other values."},
      {"[\"text\"]", "expected null, a number, a string"},
      {"", "The document is empty."},
  };
  for (const auto& [key, why] : refused) {
    for (const char* command : {"get", "delete", "set", "incr"}) {
      std::vector<std::string> arguments = {command, dir_, "--key-json", key};
      if (std::string(command) == "set") arguments.push_back("1");
      const Result bad = tool(arguments);
      EXPECT_EQ(bad.status, kUsage) << command << " " << key << ": " << bad.err;
      EXPECT_EQ(bad.err.rfind("diskcache: malformed JSON key " + key + ": ", 0), 0u) << bad.err;
      EXPECT_NE(bad.err.find(why), std::string::npos) << bad.err;
      EXPECT_NE(bad.err.find(instead), std::string::npos) << bad.err;
    }
  }
  // Nothing was deleted nor stored.
  EXPECT_EQ(python({"expect", dir_, "'text'", "'héllo'"}).status, 0);
  EXPECT_EQ(tool({"keys", dir_, "--limit", "1"}).out, "'text'\n");
  const Result stored = tool({"--json", "keys", dir_});
  EXPECT_EQ(stored.out.find("null"), std::string::npos) << stored.out;
  EXPECT_EQ(stored.out.find("\"7 8\""), std::string::npos) << stored.out;
}

TEST_F(ToolTest, ANegativeLimitIsRefusedSayingWhatToGive) {
  { Cache<> cache(dir_); }
  const Result negative = tool({"keys", dir_, "--limit", "-3"});
  EXPECT_EQ(negative.status, kUsage);
  EXPECT_EQ(negative.out, "");
  EXPECT_EQ(negative.err,
            "diskcache: --limit: -3 is out of range: give the number of keys to print, 0 or more\n"
            "  usage: diskcache keys [OPTIONS] DIRECTORY\n"
            "  `diskcache keys --help` describes the arguments\n");
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

TEST_F(ToolTest, StatsNamesWhatMadeTheDirectory) {
  const auto path = [this](const char* name) { return (temp_ / name).string(); };
  Cache<>(path("cache")).set(1, 1);
  Index<std::string, std::int64_t>(path("index")).set("a", 1);
  Deque<std::string>(path("deque")).push_back("job");
  Index<std::string, std::int64_t> empty(path("empty"));
  for (const auto& [name, kind] :
       {std::pair{"cache", "cache"}, std::pair{"index", "index"}, std::pair{"deque", "deque"},
        std::pair{"empty", "deque or index"}}) {
    const Result stats = tool({"stats", path(name)});
    EXPECT_EQ(stats.status, kOk) << stats.err;
    EXPECT_EQ(stats.out.substr(0, stats.out.find("\nitems:")),
              "directory: " + path(name) + "\nkind: " + kind)
        << name;
  }
}

TEST_F(ToolTest, StatsSummarisesAFanoutCacheShardByShard) {
  {
    FanoutCache<std::string, std::string> cache(dir_, 4, std::chrono::milliseconds(10),
                                                {.size_limit = 4'000'000});
    for (const char* key : {"a", "b", "c", "d", "e"}) cache.set(key, key, {.retry = true});
    cache.deque<std::string>("jobs").push_back("job");
  }
  std::string shards;
  std::int64_t volume = 0;
  for (const char* name : {"000", "001", "002", "003"}) {
    Cache<> shard(temp_ / "cache" / name);
    shards += "shard " + std::string(name) + ": items " + std::to_string(shard.size()) +
              ", volume " + std::to_string(shard.volume()) + ", hits 0, misses 0\n";
    volume += shard.volume();
  }
  const Result stats = tool({"stats", dir_});
  EXPECT_EQ(stats.status, kOk) << stats.err;
  const std::string expected =
      "directory: " + dir_ + "\nkind: fanout\nitems: 5\nvolume: " + std::to_string(volume) +
      "\nhits: 0\nmisses: 0\n" + shards + "containers: deque/jobs\nsize_limit: 4000000\n";
  EXPECT_EQ(stats.out.substr(0, expected.size()), expected);
  const Result json = tool({"--json", "stats", dir_});
  EXPECT_NE(json.out.find("\"kind\":\"fanout\",\"items\":5,"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(",\"shards\":[{\"name\":\"000\",\"items\":"), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("\"containers\":[\"deque/jobs\"],\"size_limit\":4000000,"),
            std::string::npos)
      << json.out;

  // Other commands take one shard, and say so.
  const Result get = tool({"get", dir_, "a"});
  EXPECT_EQ(get.status, kNotACache);
  EXPECT_EQ(get.err, "diskcache: " + dir_ +
                         " is a FanoutCache directory (4 shards, 000 to 003): stats and watch "
                         "read it whole; give other commands one shard, e.g. " +
                         dir_ + "/000, or a sub-container, e.g. " + dir_ + "/deque/jobs\n");
  EXPECT_EQ(tool({"set", dir_, "k", "v", "--create"}).status, kNotACache);
  EXPECT_FALSE(std::filesystem::exists(temp_ / "cache" / "cache.db"));
}

TEST_F(ToolTest, StatsOfAFanoutCachePrintsNoQueueCounts) {
  {
    FanoutCache<std::string, std::string> cache(dir_, 2);
    cache.set("a", "a", {.retry = true});
  }
  const Result stats = tool({"stats", dir_});
  EXPECT_EQ(stats.status, kOk) << stats.err;
  EXPECT_EQ(stats.out.find("leased"), std::string::npos) << stats.out;
  EXPECT_EQ(stats.out.find("dead_letters"), std::string::npos) << stats.out;
  const Result json = tool({"--json", "stats", dir_});
  EXPECT_EQ(json.out.find("\"leased\""), std::string::npos) << json.out;
  EXPECT_EQ(json.out.find("\"dead_letters\""), std::string::npos) << json.out;
}

TEST_F(ToolTest, StatsCountsDeadLettersAndNamesThemInJson) {
  {
    Deque<std::string> deque(dir_, std::nullopt, {.max_deliveries = 3});
    for (const char* job : {"a", "b", "c"}) deque.push_back(job);
    EXPECT_TRUE(deque.dead_letter_front());
    EXPECT_TRUE(deque.dead_letter_front());
  }
  const Result stats = tool({"stats", dir_});
  EXPECT_EQ(stats.status, kOk) << stats.err;
  EXPECT_NE(stats.out.find("items: 1\n"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("\nleased: 0\ndead_letters: 2\n"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("\nmax_deliveries: 3\n"), std::string::npos) << stats.out;
  const Result json = tool({"--json", "stats", dir_});
  EXPECT_EQ(json.status, kOk) << json.err;
  EXPECT_NE(json.out.find(",\"misses\":0,\"leased\":0,\"dead_letters\":2,\"size_limit\":"),
            std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find(",\"max_deliveries\":3,"), std::string::npos) << json.out;
}

TEST_F(ToolTest, StatsOfTheDatabaseFileNamesTheDirectoryToGive) {
  { Cache<> cache(dir_); }
  const Result stats = tool({"stats", dir_ + "/cache.db"});
  EXPECT_EQ(stats.status, kNotACache);
  EXPECT_EQ(stats.out, "");
  EXPECT_EQ(stats.err, "diskcache: " + dir_ +
                           "/cache.db is a cache's database file; give the directory that holds "
                           "it: " +
                           dir_ + "\n");
}

TEST_F(ToolTest, WatchPrintsCountsAndHitRatioEachInterval) {
  {
    Cache<> cache(dir_, {.statistics = true});
    cache.set("a", 1);
    cache.set("b", 2);
    cache.get("a");
    cache.get("b");
    cache.get("missing");
  }
  const std::int64_t volume = Cache<>(dir_).volume();
  char row[128];
  std::snprintf(row, sizeof row, "%10d %14lld %12d %12d %10s\n", 2, static_cast<long long>(volume),
                2, 1, "0.667");
  const Result watch = tool({"watch", dir_, "--interval", "0.01", "--count", "3"});
  EXPECT_EQ(watch.status, kOk) << watch.err;
  EXPECT_EQ(watch.err, "");
  EXPECT_EQ(watch.out, "     items         volume         hits       misses  hit_ratio\n" +
                           std::string(row) + row + row);
  EXPECT_EQ(tool({"--json", "watch", dir_, "--count", "1"}).out,
            "{\"items\":2,\"volume\":" + std::to_string(volume) +
                ",\"hits\":2,\"misses\":1,\"hit_ratio\":0.6666666666666666}\n");

  const std::string quiet = (temp_ / "quiet").string();
  Cache<>(quiet).set("a", 1);
  const Result off = tool({"--json", "watch", quiet, "--count", "1"});
  EXPECT_NE(off.out.find(",\"hits\":0,\"misses\":0,\"hit_ratio\":null}\n"), std::string::npos)
      << off.out;
  EXPECT_EQ(off.err, "diskcache: statistics are off in " + quiet +
                         ", so hits and misses stay as they are (Settings::statistics, or "
                         "Python's cache.stats(enable=True), turns them on)\n");
  EXPECT_EQ(tool({"watch", dir_, "--interval", "0"}).status, kUsage);
}

TEST_F(ToolTest, WatchReadsAFanoutCacheWhole) {
  std::int64_t volume = 0;
  {
    FanoutCache<std::string, std::string> cache(dir_, 3, std::chrono::milliseconds(10),
                                                {.statistics = true});
    for (const char* key : {"a", "b", "c", "d"}) cache.set(key, key, {.retry = true});
    EXPECT_EQ(cache.get("a"), "a");
    EXPECT_EQ(cache.get("b"), "b");
    EXPECT_EQ(cache.get("missing"), std::nullopt);
  }
  for (const char* name : {"000", "001", "002"}) volume += Cache<>(temp_ / "cache" / name).volume();
  const Result json = tool({"--json", "watch", dir_, "--count", "1"});
  EXPECT_EQ(json.status, kOk) << json.err;
  EXPECT_EQ(json.err, "");
  EXPECT_EQ(json.out, "{\"items\":4,\"volume\":" + std::to_string(volume) +
                          ",\"hits\":2,\"misses\":1,\"hit_ratio\":0.6666666666666666}\n");
  char row[128];
  std::snprintf(row, sizeof row, "%10d %14lld %12d %12d %10s\n", 4, static_cast<long long>(volume),
                2, 1, "0.667");
  const Result text = tool({"watch", dir_, "--interval", "0.01", "--count", "2"});
  EXPECT_EQ(text.status, kOk) << text.err;
  EXPECT_EQ(text.out, "     items         volume         hits       misses  hit_ratio\n" +
                          std::string(row) + row);
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
  EXPECT_EQ(tool({"deque", "peek", dir_, "--raw"}).out, "a");
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

TEST_F(ToolTest, DequePopRawWritesTheItemsBytesAlone) {
  ASSERT_EQ(python({"deque-push", dir_, "'h\\xe9'", "(1, 'two')", "42", "b'\\x00c'"}).status, 0);
  for (const char* command : {"pop", "peek"}) {
    const Result json = tool({"--json", "deque", command, dir_, "--raw"});
    EXPECT_EQ(json.status, kUsage) << command;
    EXPECT_EQ(json.out, "") << command;
    EXPECT_EQ(json.err, "diskcache: deque " + std::string(command) +
                            ": --raw writes the bytes alone; drop "
                            "--json\n");
  }
  EXPECT_EQ(tool({"deque", "len", dir_}).out, "4\n");  // nothing was popped
  EXPECT_EQ(tool({"deque", "pop", dir_, "--raw"}).out, "h\xc3\xa9");
  EXPECT_EQ(tool({"deque", "pop", dir_, "--back", "--raw"}).out, std::string("\0c", 2));
  EXPECT_EQ(tool({"deque", "pop", dir_, "--back", "--raw"}).out, "42");
  // A tuple (or dict) has no bytes of its own: --raw writes its repr.
  EXPECT_EQ(tool({"deque", "pop", dir_, "--raw"}).out, "(1, 'two')");
  EXPECT_EQ(tool({"deque", "pop", dir_, "--raw"}).status, kNotFound);
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

TEST_F(ToolTest, DequePopMovesAPickledObjectAsideAndPopsTheNextItem) {
  ASSERT_EQ(python({"deque-push", dir_, "1j", "'next'"}).status, 0);  // complex: pickled
  const Result popped = tool({"deque", "pop", dir_});
  EXPECT_EQ(popped.status, kOk) << popped.err;
  EXPECT_EQ(popped.out, "'next'\n");
  EXPECT_NE(popped.err.find("moved <pickled builtins.complex> to the dead letters in "),
            std::string::npos)
      << popped.err;
  EXPECT_EQ(tool({"deque", "len", dir_}).out, "0\n");
  EXPECT_EQ(tool({"deque", "len", dir_, "--dead-letters"}).out, "1\n");
  EXPECT_EQ(tool({"deque", "peek", dir_, "--dead-letters"}).out, "<pickled builtins.complex>\n");
  // Among the dead letters it stays: there is nowhere further to put it.
  const Result stays = tool({"deque", "pop", dir_, "--dead-letters"});
  EXPECT_EQ(stays.status, kUnreadable);
  EXPECT_NE(stays.err.find("it stays there"), std::string::npos) << stays.err;
  EXPECT_EQ(python({"deque-expect", dir_ + "/cache.db-dead-letters", "[1j]"}).status, 0);
}

TEST_F(ToolTest, DequeDeadLetterMovesTheFrontAsideByHand) {
  ASSERT_EQ(python({"deque-push", dir_, "'stuck'", "'fine'"}).status, 0);
  EXPECT_EQ(tool({"deque", "len", dir_, "--dead-letters"}).status, kNotFound);
  const Result moved = tool({"deque", "dead-letter", dir_});
  EXPECT_EQ(moved.status, kOk) << moved.err;
  EXPECT_NE(moved.err.find("moved 'stuck' to the dead letters"), std::string::npos) << moved.err;
  EXPECT_EQ(tool({"deque", "peek", dir_}).out, "'fine'\n");
  EXPECT_EQ(python({"deque-expect", dir_ + "/cache.db-dead-letters", "['stuck']"}).status, 0);
  EXPECT_EQ(tool({"deque", "pop", dir_, "--dead-letters"}).out, "'stuck'\n");
  EXPECT_EQ(tool({"deque", "dead-letter", dir_, "--back"}).status, kOk);
  const Result empty = tool({"deque", "dead-letter", dir_});
  EXPECT_EQ(empty.status, kNotFound);
  EXPECT_EQ(empty.err, "diskcache: deque " + dir_ + " is empty\n");
}

TEST_F(ToolTest, DeadLettersOfAQueueThatHasNoneOrOfNoQueue) {
  ASSERT_EQ(python({"deque-push", dir_, "'job'"}).status, 0);
  for (const char* command : {"pop", "peek", "len"}) {
    const Result none = tool({"deque", command, dir_, "--dead-letters"});
    EXPECT_EQ(none.status, kNotFound) << command;
    EXPECT_EQ(none.err, "diskcache: deque " + dir_ + " has no dead letters (no " + dir_ +
                            "/cache.db-dead-letters)\n");
  }
  const std::string absent = (temp_ / "absent").string();
  const Result missing = tool({"deque", "pop", absent, "--dead-letters"});
  EXPECT_EQ(missing.status, kNotACache);
  EXPECT_EQ(missing.err, "diskcache: " + absent + " does not exist\n");
  EXPECT_FALSE(std::filesystem::exists(absent));
}

TEST_F(ToolTest, DequePushAndDeadLetterForceUseACacheAsAQueue) {
  {
    Cache<> cache(dir_);
    cache.set(7, "seven");
    cache.set("name", "alice");
  }
  EXPECT_EQ(tool({"deque", "push", dir_, "job"}).status, kNotACache);
  EXPECT_EQ(tool({"deque", "dead-letter", dir_}).status, kNotACache);
  EXPECT_EQ(Cache<>(dir_).size(), 2);
  const Result pushed = tool({"deque", "push", dir_, "job", "--force"});
  EXPECT_EQ(pushed.status, kOk) << pushed.err;
  EXPECT_EQ(Cache<>(dir_).get(8), Value("job"));  // one past the queue's back, 7
  const Result moved = tool({"deque", "dead-letter", dir_, "--force"});
  EXPECT_EQ(moved.status, kOk) << moved.err;
  EXPECT_EQ(moved.err,
            "diskcache: moved 'seven' to the dead letters in " + dir_ + "/cache.db-dead-letters\n");
  Cache<> cache(dir_);
  EXPECT_FALSE(cache.contains(7));
  EXPECT_EQ(cache.get("name"), Value("alice"));
  EXPECT_EQ(python({"deque-expect", dir_ + "/cache.db-dead-letters", "['seven']"}).status, 0);
}

TEST_F(ToolTest, DequeLenAndStatsCountLeasedItemsApart) {
  Deque<std::string> deque(dir_);
  deque.push_back("a");
  deque.push_back("b");
  auto lease = deque.lease_front(std::chrono::hours(1));
  EXPECT_EQ(tool({"deque", "len", dir_}).out, "1\n");
  EXPECT_EQ(tool({"deque", "len", dir_, "--leased"}).out, "1\n");
  const Result stats = tool({"stats", dir_});
  EXPECT_EQ(stats.status, kOk) << stats.err;
  EXPECT_NE(stats.out.find("items: 1\n"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("leased: 1\ndead_letters: 0\n"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("max_deliveries: 0\n"), std::string::npos) << stats.out;
}

// --- usage -------------------------------------------------------------------

TEST_F(ToolTest, AnUnknownCommandIsNamedWithTheCommandsToChooseFrom) {
  const std::string commands =
      "  commands: get, set, delete, incr, keys, dump, load, stats, watch, expire, evict, cull, "
      "clear, check, vacuum, deque\n"
      "  `diskcache COMMAND --help` describes a command\n";
  const Result unknown = tool({"frobnicate", dir_});
  EXPECT_EQ(unknown.status, kUsage);
  EXPECT_EQ(unknown.err, "diskcache: unknown command 'frobnicate'\n" + commands);
  EXPECT_EQ(tool({}).err, "diskcache: a command is required\n" + commands);
  const Result deque = tool({"deque", "frob", dir_});
  EXPECT_EQ(deque.status, kUsage);
  EXPECT_EQ(deque.err,
            "diskcache: unknown command 'frob'\n  commands: push, pop, peek, len, dead-letter\n"
            "  `diskcache deque COMMAND --help` describes a command\n");
  const Result missing = tool({"get", dir_});
  EXPECT_EQ(missing.status, kUsage);
  EXPECT_EQ(missing.err,
            "diskcache: KEY is required\n  usage: diskcache get [OPTIONS] DIRECTORY KEY\n"
            "  `diskcache get --help` describes the arguments\n");
}

TEST_F(ToolTest, NumberOptionsRefuseWhatTheyCannotUseSayingWhatToGive) {
  Cache<>(dir_).set("k", 1);
  const auto first_line = [](const Result& result) {
    return result.err.substr(0, result.err.find('\n'));
  };
  const std::string timeout =
      "give the seconds to wait for a locked database, more than 0 and at most 1000000000 (about "
      "31 years)";
  for (const auto& [seconds, complaint] :
       {std::pair{"soon", "is not a number"}, std::pair{"", "is not a number"},
        std::pair{"nan", "is not a number"}, std::pair{"inf", "is out of range"},
        std::pair{"0", "is out of range"}, std::pair{"-1", "is out of range"}}) {
    const Result refused = tool({"--timeout", seconds, "get", dir_, "k"});
    EXPECT_EQ(refused.status, kUsage) << seconds;
    EXPECT_EQ(refused.out, "") << seconds;
    EXPECT_EQ(first_line(refused),
              "diskcache: --timeout: " + std::string(seconds) + " " + complaint + ": " + timeout)
        << refused.err;
  }
  EXPECT_EQ(tool({"--timeout", "0.5", "get", dir_, "k"}).out, "1\n");
  const Result interval = tool({"watch", dir_, "--interval", "inf", "--count", "1"});
  EXPECT_EQ(interval.status, kUsage);
  EXPECT_EQ(first_line(interval),
            "diskcache: --interval: inf is out of range: give the seconds between lines, more "
            "than 0 and at most 1000000000 (about 31 years)");
  const Result nan = tool({"watch", dir_, "--interval", "nan", "--count", "1"});
  EXPECT_EQ(nan.status, kUsage);
  EXPECT_EQ(first_line(nan),
            "diskcache: --interval: nan is not a number: give the seconds between lines, more "
            "than 0 and at most 1000000000 (about 31 years)");
  for (const auto& [count, complaint] :
       {std::pair{"1.5", "is not a whole number"}, std::pair{"1e3", "is not a whole number"},
        std::pair{"many", "is not a number"}, std::pair{"nan", "is not a whole number"},
        std::pair{"inf", "is not a whole number"}, std::pair{"-1", "is out of range"}}) {
    const Result refused = tool({"watch", dir_, "--count", count});
    EXPECT_EQ(refused.status, kUsage) << count;
    EXPECT_EQ(first_line(refused), "diskcache: --count: " + std::string(count) + " " + complaint +
                                       ": give the number of lines to print, 0 or more")
        << refused.err;
  }
  const Result limit = tool({"keys", dir_, "--limit", "1.5"});
  EXPECT_EQ(limit.status, kUsage);
  EXPECT_EQ(first_line(limit),
            "diskcache: --limit: 1.5 is not a whole number: give the number of keys to print, 0 "
            "or more");
}

TEST_F(ToolTest, VersionNamesTheLibraryAndSqlite) {
  const VersionInfo info = version();
  const Result printed = tool({"--version"});
  EXPECT_EQ(printed.status, kOk);
  EXPECT_EQ(printed.out, "diskcache " + info.library + " (SQLite " + info.sqlite +
                             (info.sqlite_wal_reset_race
                                  ? ", which has the WAL-reset race; see docs/reliability.md)\n"
                                  : ")\n"));
}

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
