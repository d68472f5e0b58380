// Streamed values: Cache::set_stream and Cache::read (Python's
// set(key, file, read=True) and get(key, read=True)), from a 10-byte value to
// 1 GiB in bounded memory, failing streams, concurrent replaces, and Python
// interoperability.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <istream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "diskcache/cache.hpp"
#include "file_ops.hpp"
#include "sqlite_engine.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using namespace std::chrono_literals;
using testing::files_under;
using testing::TempDir;

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::uint64_t kPatternStep = 0x9E3779B97F4A7C15;

// Bytes [offset, offset + size) of the test pattern: little-endian 64-bit
// words, word j = (j + 1) * kPatternStep, so a byte out of place shows.
// tests/python/streams.py makes the same bytes. REQUIRES: offset % 8 == 0.
void fill_pattern(std::uint64_t offset, char* out, std::size_t size) {
  std::uint64_t index = offset / 8;
  for (std::size_t done = 0; done < size; done += 8, ++index) {
    std::uint64_t word = (index + 1) * kPatternStep;
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    std::memcpy(out + done, &word, std::min<std::size_t>(8, size - done));
  }
}

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  fill_pattern(0, bytes.data(), size);
  return bytes;
}

// Yields `size` pattern bytes, 64 KiB at a time, never holding more. With
// `fail_at`, the source throws once that many bytes have been handed out,
// which std::istream reports as badbit.
class PatternBuf : public std::streambuf {
 public:
  explicit PatternBuf(std::uint64_t size, std::optional<std::uint64_t> fail_at = std::nullopt)
      : size_(size), fail_at_(fail_at), buffer_(64 * 1024) {}

 protected:
  int_type underflow() override {
    if (fail_at_ && produced_ >= *fail_at_) throw std::runtime_error("source failed");
    if (produced_ == size_) return traits_type::eof();
    const auto count =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size(), size_ - produced_));
    fill_pattern(produced_, buffer_.data(), count);
    produced_ += count;
    setg(buffer_.data(), buffer_.data(), buffer_.data() + count);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  const std::uint64_t size_;
  const std::optional<std::uint64_t> fail_at_;
  std::vector<char> buffer_;
  std::uint64_t produced_ = 0;
};

// Whether `in` holds exactly `size` pattern bytes, read and compared 1 MiB
// at a time.
::testing::AssertionResult holds_pattern(std::istream& in, std::uint64_t size) {
  std::vector<char> actual(kMiB);
  std::vector<char> expected(kMiB);
  std::uint64_t offset = 0;
  while (in.read(actual.data(), static_cast<std::streamsize>(actual.size())) || in.gcount() > 0) {
    const auto got = static_cast<std::size_t>(in.gcount());
    if (offset + got > size) {
      return ::testing::AssertionFailure() << "more than the " << size << " bytes expected";
    }
    fill_pattern(offset, expected.data(), got);
    if (std::memcmp(actual.data(), expected.data(), got) != 0) {
      return ::testing::AssertionFailure()
             << "bytes differ in [" << offset << ", " << offset + got << ")";
    }
    offset += got;
  }
  if (in.bad()) return ::testing::AssertionFailure() << "stream went bad at " << offset;
  if (offset != size) {
    return ::testing::AssertionFailure() << "ended after " << offset << " bytes, expected " << size;
  }
  return ::testing::AssertionSuccess();
}

std::string read_all(std::istream& in) {
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// One integer from cache.db, read with plain SQLite.
std::int64_t query_integer(const std::filesystem::path& directory, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2((directory / "cache.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  std::int64_t result = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    result = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return result;
}

class StreamTest : public ::testing::Test {
 protected:
  // Stores `size` pattern bytes under `key` through set_stream.
  bool set_pattern(const Value& key, std::uint64_t size, const SetOptions& options = {}) {
    PatternBuf source(size);
    std::istream in(&source);
    return cache_.set_stream(key, in, options);
  }

  TempDir dir_;
  Cache<> cache_{dir_.path()};
};

// --- Round trips ------------------------------------------------------------

TEST_F(StreamTest, SmallValueIsStoredInAFileAsBytes) {
  std::istringstream in("0123456789");
  ASSERT_TRUE(cache_.set_stream("small", in));

  // As Python's set(..., read=True): a file whatever the size, mode 2.
  const std::vector<std::filesystem::path> files = files_under(dir_.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].extension(), ".val");
  EXPECT_EQ(std::filesystem::file_size(files[0]), 10u);
  EXPECT_EQ(query_integer(dir_.path(), "SELECT mode FROM Cache WHERE key = 'small'"), 2);
  EXPECT_EQ(query_integer(dir_.path(), "SELECT size FROM Cache WHERE key = 'small'"), 10);

  std::optional<std::ifstream> stream = cache_.read("small");
  ASSERT_TRUE(stream);
  EXPECT_EQ(read_all(*stream), "0123456789");
  EXPECT_EQ(cache_.get("small"), Value(to_bytes("0123456789")));
}

TEST_F(StreamTest, LargeValueRoundTrips) {
  // Not a multiple of the 1 MiB chunk, nor of the pattern's word.
  const std::uint64_t size = 5 * kMiB + 3;
  ASSERT_TRUE(set_pattern("large", size));
  std::optional<std::ifstream> stream = cache_.read("large");
  ASSERT_TRUE(stream);
  EXPECT_TRUE(holds_pattern(*stream, size));
  EXPECT_EQ(cache_.get("large"), Value(to_bytes(pattern(size))));
  EXPECT_EQ(query_integer(dir_.path(), "SELECT size FROM Cache"), static_cast<std::int64_t>(size));
}

TEST_F(StreamTest, EmptyStreamStoresAnEmptyFile) {
  std::istringstream in("");
  ASSERT_TRUE(cache_.set_stream("empty", in));
  std::optional<std::ifstream> stream = cache_.read("empty");
  ASSERT_TRUE(stream);
  EXPECT_EQ(read_all(*stream), "");
  EXPECT_EQ(cache_.get("empty"), Value(Bytes{}));
  EXPECT_EQ(files_under(dir_.path()).size(), 1u);
}

TEST_F(StreamTest, AddStreamStoresOnlyWhenTheKeyIsMissingOrExpired) {
  std::istringstream first("first");
  ASSERT_TRUE(cache_.add_stream("key", first));
  std::istringstream second("second");
  EXPECT_FALSE(cache_.add_stream("key", second));
  EXPECT_TRUE(second.eof());  // read to its end, as documented
  EXPECT_EQ(cache_.get("key"), Value(to_bytes("first")));
  // The second copy was dropped, not left beside the first.
  EXPECT_EQ(files_under(dir_.path()).size(), 1u);

  cache_.set("expiring", "old", {.expire = 1ms});
  std::this_thread::sleep_for(20ms);
  std::istringstream fresh("fresh");
  EXPECT_TRUE(cache_.add_stream("expiring", fresh, {.tag = Value("t")}));
  EXPECT_EQ(cache_.get_entry("expiring")->tag, Value("t"));
  EXPECT_EQ(cache_.get("expiring"), Value(to_bytes("fresh")));
  EXPECT_TRUE(cache_.check().empty());
}

TEST_F(StreamTest, StreamOpenedWithFailbitExceptionsReachesItsEnd) {
  // The usual way to open a file with exceptions: the end of the stream sets
  // failbit, which must not abort the copy.
  const std::filesystem::path source = dir_ / "source.bin";
  std::ofstream(source, std::ios::binary) << pattern(100'000);
  std::ifstream in;
  in.exceptions(std::ios::failbit | std::ios::badbit);
  in.open(source, std::ios::binary);
  ASSERT_TRUE(cache_.set_stream("file", in));
  EXPECT_TRUE(in.eof());
  EXPECT_EQ(in.exceptions(), std::ios::failbit | std::ios::badbit);
  std::optional<std::ifstream> stream = cache_.read("file");
  ASSERT_TRUE(stream);
  EXPECT_TRUE(holds_pattern(*stream, 100'000));
}

TEST_F(StreamTest, OptionsApplyAsInSet) {
  ASSERT_TRUE(set_pattern("tagged", 100, {.expire = 1h, .tag = "videos"}));
  std::optional<Entry<Value>> entry = cache_.get_entry("tagged");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->tag, Value("videos"));
  ASSERT_TRUE(entry->expire_time);
  EXPECT_GT(*entry->expire_time, std::chrono::system_clock::now() + 59min);
  EXPECT_EQ(cache_.evict("videos"), 1);
  EXPECT_TRUE(files_under(dir_.path()).empty());
}

TEST_F(StreamTest, SetStreamCullsExpiredItemsLikeSet) {
  cache_.set("old", to_bytes(pattern(50'000)), {.expire = 1ms});
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(set_pattern("new", 100));
  EXPECT_EQ(cache_.size(), 1);
  EXPECT_EQ(files_under(dir_.path()).size(), 1u);
}

// --- read() -----------------------------------------------------------------

TEST_F(StreamTest, ReadsTextAndBytesThatSetStoredInFiles) {
  const std::string text = pattern(40'000);  // over disk_min_file_size (32 KiB)
  cache_.set("bytes", to_bytes(text));
  cache_.set("text", "é" + std::string(40'000, 'x'));
  std::optional<std::ifstream> bytes = cache_.read("bytes");
  ASSERT_TRUE(bytes);
  EXPECT_EQ(read_all(*bytes), text);
  std::optional<std::ifstream> utf8 = cache_.read("text");
  ASSERT_TRUE(utf8);
  EXPECT_EQ(read_all(*utf8), "é" + std::string(40'000, 'x'));
}

TEST_F(StreamTest, ReadOfMissingOrExpiredKeyIsNullopt) {
  EXPECT_FALSE(cache_.read("missing"));
  ASSERT_TRUE(set_pattern("expiring", 100, {.expire = 1ms}));
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(cache_.read("expiring"));
}

TEST_F(StreamTest, ReadOfInlineValueThrowsErrorSayingUseGet) {
  cache_.set("number", 42);
  cache_.set("short", "short text");
  for (const char* key : {"number", "short"}) {
    try {
      cache_.read(key);
      ADD_FAILURE() << "read of the inline value of " << key << " must throw";
    } catch (const Error& error) {
      // The base Error, not a leaf: nothing is damaged, the call was wrong.
      EXPECT_EQ(typeid(error), typeid(Error));
      const std::string message = error.what();
      EXPECT_NE(message.find("inline"), std::string::npos) << message;
      EXPECT_NE(message.find("get()"), std::string::npos) << message;
      EXPECT_NE(message.find(key), std::string::npos) << message;
      EXPECT_NE(message.find(dir_.path().string()), std::string::npos) << message;
    }
  }
  EXPECT_EQ(cache_.get("number"), Value(42));
}

TEST_F(StreamTest, StreamStaysReadableAfterTheKeyIsReplacedOrErased) {
  const std::uint64_t size = 3 * kMiB + 5;
  ASSERT_TRUE(set_pattern("replaced", size));
  ASSERT_TRUE(set_pattern("erased", size));
  std::optional<std::ifstream> replaced = cache_.read("replaced");
  std::optional<std::ifstream> erased = cache_.read("erased");
  ASSERT_TRUE(replaced && erased);

  std::istringstream other("other value");
  ASSERT_TRUE(cache_.set_stream("replaced", other));
  ASSERT_TRUE(cache_.erase("erased"));
  // Both old files are unlinked: only the replacement's file remains.
  const std::vector<std::filesystem::path> files = files_under(dir_.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(files[0]), 11u);

  EXPECT_TRUE(holds_pattern(*replaced, size));
  EXPECT_TRUE(holds_pattern(*erased, size));
  std::optional<std::ifstream> now = cache_.read("replaced");
  ASSERT_TRUE(now);
  EXPECT_EQ(read_all(*now), "other value");
}

TEST_F(StreamTest, ReadRefusesATruncatedOrSymlinkedValueFile) {
  ASSERT_TRUE(set_pattern("key", 1000));
  const std::filesystem::path file = files_under(dir_.path()).front();
  std::filesystem::resize_file(file, 999);
  try {
    cache_.read("key");
    ADD_FAILURE() << "read of a truncated value file must throw";
  } catch (const CorruptionError& error) {
    EXPECT_NE(std::string(error.what()).find("999 bytes, expected 1000"), std::string::npos)
        << error.what();
  }

  // A symlink planted under the value's name is never followed.
  const std::filesystem::path outside = dir_ / "outside.bin";
  std::ofstream(outside, std::ios::binary) << pattern(1000);
  std::filesystem::remove(file);
  std::filesystem::create_symlink(outside, file);
  EXPECT_THROW(cache_.read("key"), CorruptionError);
}

// Real system calls; runs `hook` once, just before the first open of a value
// file for reading.
class HookBeforeValueOpen : public detail::FileOps {
 public:
  std::function<void()> hook;
  int openat(int dirfd, const char* path, int flags, mode_t mode) override {
    const std::string name = path;
    if (hook && !(flags & O_DIRECTORY) && name.ends_with(".val")) {
      std::function<void()> once = std::move(hook);
      hook = nullptr;
      once();
    }
    return FileOps::openat(dirfd, path, flags, mode);
  }
};

TEST_F(StreamTest, ReadRereadsTheRowWhenAConcurrentReplaceRemovedTheFile) {
  ASSERT_TRUE(set_pattern("key", 100'000));
  HookBeforeValueOpen ops;
  detail::SqliteEngine::TEST_of(cache_.store()).TEST_set_file_ops(ops);
  // Another writer replaces the value between read()'s SELECT and its open,
  // and removes the old file once committed.
  ops.hook = [&] {
    Cache<> writer(dir_.path());
    std::istringstream in("replacement");
    writer.set_stream("key", in);
  };
  std::optional<std::ifstream> stream = cache_.read("key");
  EXPECT_FALSE(ops.hook);  // the replace did run
  detail::SqliteEngine::TEST_of(cache_.store()).TEST_set_file_ops(detail::system_file_ops());
  ASSERT_TRUE(stream);
  EXPECT_EQ(read_all(*stream), "replacement");
}

TEST(StreamStatisticsTest, ReadCountsHitsAndMissesAndRecordsAccess) {
  TempDir dir;
  Cache<> cache(dir.path(),
                {.eviction_policy = EvictionPolicy::LeastFrequentlyUsed, .statistics = true});
  std::istringstream in("value");
  ASSERT_TRUE(cache.set_stream("key", in));
  EXPECT_TRUE(cache.read("key"));
  EXPECT_TRUE(cache.read("key"));
  EXPECT_FALSE(cache.read("missing"));
  EXPECT_EQ(cache.stats(), (Stats{.hits = 2, .misses = 1}));
  EXPECT_EQ(query_integer(dir.path(), "SELECT access_count FROM Cache"), 2);
}

// --- Failures ---------------------------------------------------------------

class StreamFailureTest : public StreamTest {
 protected:
  void SetUp() override {
    std::istringstream old("old value");
    ASSERT_TRUE(cache_.set_stream("key", old));
    old_file_ = files_under(dir_.path());
    ASSERT_EQ(old_file_.size(), 1u);
  }

  // The previous value is intact and no other file (.tmp or .val) remains.
  void expect_old_value_only() {
    EXPECT_EQ(files_under(dir_.path()), old_file_);
    std::optional<std::ifstream> stream = cache_.read("key");
    ASSERT_TRUE(stream);
    EXPECT_EQ(read_all(*stream), "old value");
    EXPECT_TRUE(cache_.check().empty());
  }

  std::vector<std::filesystem::path> old_file_;
};

TEST_F(StreamFailureTest, StreamGoingBadMidwayKeepsTheOldValueAndLeavesNoFile) {
  // Fails after two full chunks were written to the temporary file.
  PatternBuf source(10 * kMiB, 2 * kMiB + 100);
  std::istream in(&source);
  try {
    cache_.set_stream("key", in);
    ADD_FAILURE() << "set_stream of a failing stream must throw";
  } catch (const IoError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("badbit"), std::string::npos) << message;
    EXPECT_NE(message.find("'key'"), std::string::npos) << message;
    EXPECT_EQ(error.key(), "'key'");
    EXPECT_EQ(error.directory(), dir_.path());
  }
  EXPECT_TRUE(in.bad());
  expect_old_value_only();
}

TEST_F(StreamFailureTest, StreamWithExceptionsOnBadbitStillGivesIoError) {
  PatternBuf source(10 * kMiB, 100);
  std::istream in(&source);
  in.exceptions(std::ios::badbit);
  EXPECT_THROW(cache_.set_stream("key", in), IoError);
  EXPECT_EQ(in.exceptions(), std::ios::badbit);
  expect_old_value_only();
}

TEST_F(StreamFailureTest, StreamThatFailedBeforehandIsRefused) {
  std::ifstream missing(dir_ / "no-such-file");
  ASSERT_FALSE(missing.is_open());
  try {
    cache_.set_stream("key", missing);
    ADD_FAILURE() << "set_stream of a stream that failed to open must throw";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find("already failed"), std::string::npos) << error.what();
  }
  expect_old_value_only();
}

// --- Python interoperability ------------------------------------------------

// 1.5 MiB + 5: more than one chunk on the C++ side.
constexpr std::size_t kInteropSize = 3 * kMiB / 2 + 5;

int streams_py(const std::string& command, const TempDir& dir, std::size_t size) {
  return testing::run_python("streams.py",
                             command + " '" + dir.path().string() + "' " + std::to_string(size));
}

TEST_F(StreamTest, PythonReadsWhatSetStreamStored) {
  ASSERT_TRUE(set_pattern("streamed", kInteropSize));
  cache_.close();
  EXPECT_EQ(streams_py("check", dir_, kInteropSize), 0);
}

TEST_F(StreamTest, PythonReadsSmallStreamedValueAsBytes) {
  ASSERT_TRUE(set_pattern("streamed", 10));
  cache_.close();
  EXPECT_EQ(streams_py("check", dir_, 10), 0);
}

TEST_F(StreamTest, ReadsWhatPythonStoredWithReadTrue) {
  ASSERT_EQ(streams_py("write", dir_, kInteropSize), 0);
  std::optional<std::ifstream> stream = cache_.read("streamed");
  ASSERT_TRUE(stream);
  EXPECT_TRUE(holds_pattern(*stream, kInteropSize));
}

TEST_F(StreamTest, ReadOfPythonPickleThrowsSerializationError) {
  ASSERT_EQ(testing::run_python("pickled.py", "write '" + dir_.path().string() + "'"), 0);
  for (const char* key : {"tuple", "big-list"}) {  // inline and in a file
    try {
      cache_.read(key);
      ADD_FAILURE() << "read of pickle " << key << " must throw";
    } catch (const SerializationError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("pickle"), std::string::npos) << message;
      EXPECT_NE(message.find("mode 4"), std::string::npos) << message;
      EXPECT_NE(message.find(key), std::string::npos) << message;
    }
  }
}

// --- 1 GiB in bounded memory ------------------------------------------------

// Measured on the 2-core CI machine: 1.3-4.6 s in the release build, 8-15 s
// under ASan+UBSan (word-sized pattern loops keep the sanitizers' cost down),
// so 1 GiB in every build.
constexpr std::uint64_t kHugeSize = std::uint64_t{1} << 30;
constexpr std::int64_t kMaxPeakGrowthKib = 64 * 1024;

// A "VmHWM:" or "VmRSS:" line of /proc/self/status, in KiB; -1 if absent.
std::int64_t status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field + ":")) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

TEST(StreamMemoryTest, HugeValueStreamsInAndOutInBoundedMemory) {
  TempDir dir;
  // In a child: its peak RSS is its own, reset to the current RSS first
  // (clear_refs 5), so earlier tests' allocations do not hide growth.
  const int status = testing::run_in_child([&] {
    if (!(std::ofstream("/proc/self/clear_refs") << "5")) {
      std::fprintf(stderr, "cannot reset the peak RSS through /proc/self/clear_refs\n");
      return 2;
    }
    const std::int64_t peak_before = status_kib("VmHWM");
    const auto start = std::chrono::steady_clock::now();
    // At the default 1 GiB size limit, culling would evict the value at once.
    Cache<> cache(dir.path(), {.size_limit = std::int64_t{4} << 30});
    PatternBuf source(kHugeSize);
    std::istream in(&source);
    if (!cache.set_stream("huge", in)) return 3;
    const auto written = std::chrono::steady_clock::now();
    std::optional<std::ifstream> stream = cache.read("huge");
    if (!stream) return 4;
    const ::testing::AssertionResult same = holds_pattern(*stream, kHugeSize);
    if (!same) {
      std::fprintf(stderr, "read back: %s\n", same.message());
      return 5;
    }
    const auto verified = std::chrono::steady_clock::now();
    const std::int64_t growth = status_kib("VmHWM") - peak_before;
    std::printf("%llu bytes: set_stream %.1f s, read and verify %.1f s, peak RSS growth %lld KiB\n",
                static_cast<unsigned long long>(kHugeSize),
                std::chrono::duration<double>(written - start).count(),
                std::chrono::duration<double>(verified - written).count(),
                static_cast<long long>(growth));
    return growth < kMaxPeakGrowthKib ? 0 : 6;
  });
  EXPECT_EQ(status, 0) << "2: no clear_refs, 3: set_stream failed, 4: read found nothing, "
                          "5: bytes differ, 6: peak RSS grew by 64 MiB or more";
}

}  // namespace
}  // namespace diskcache
