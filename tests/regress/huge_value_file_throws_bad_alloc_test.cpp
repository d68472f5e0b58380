// A value file of 1 TiB (sparse, the row's size column agreeing, as a
// Python process or a crafted row could leave) made get() and pop() throw
// std::bad_alloc, which is no diskcache::Error, so `catch (const Error&)`
// missed it; with memory overcommit the allocation could even succeed and
// the process be killed while zero-filling. Now a value larger than the
// machine's physical memory is refused before any allocation, and a failed
// allocation is translated: IoError naming the size either way. read()
// still streams the value.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "diskcache/cache.hpp"
#include "sqlite_probe.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

constexpr std::int64_t kTiB = std::int64_t{1} << 40;

TEST(HugeValueFile, GetAndPopThrowIoErrorNamingTheSizeAndReadStreams) {
  const auto memory =
      static_cast<std::int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGE_SIZE);
  if (memory >= kTiB) GTEST_SKIP() << "this machine could hold a 1 TiB value";
  TempDir dir;
  Cache<std::string, Bytes> cache(dir.path());
  cache.set("huge", Bytes(100000, std::byte{'a'}));
  const std::filesystem::path file = testing::only_value_file(dir.path());
  std::filesystem::resize_file(file, kTiB);  // sparse: no disk space used
  testing::SqliteProbe(dir.path())
      .row("UPDATE Cache SET size = " + std::to_string(kTiB) + " WHERE key = 'huge'");

  for (int call = 0; call < 2; ++call) {
    try {
      if (call == 0) {
        cache.get("huge");
      } else {
        cache.pop("huge");
      }
      FAIL() << "a 1 TiB value was loaded";
    } catch (const IoError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(std::to_string(kTiB)), std::string::npos) << message;
      EXPECT_NE(message.find("'huge'"), std::string::npos) << message;
      EXPECT_EQ(error.error_code(), EFBIG);
    }
  }
  EXPECT_TRUE(cache.contains("huge"));  // pop threw before deleting

  std::optional<std::ifstream> stream = cache.read("huge");
  ASSERT_TRUE(stream.has_value());
  std::string head(4, '\0');
  stream->read(head.data(), 4);
  EXPECT_EQ(head, "aaaa");
  stream->seekg(kTiB - 4);
  stream->read(head.data(), 4);
  EXPECT_EQ(head, std::string(4, '\0'));
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
// Below the machine's memory, so the allocation is tried; an address-space
// limit makes it fail, and std::bad_alloc comes out as IoError (ENOMEM).
TEST(HugeValueFile, FailedAllocationIsIoErrorNamingTheSize) {
  constexpr std::int64_t kGiB = std::int64_t{1} << 30;
  TempDir dir;
  Cache<std::string, Bytes> cache(dir.path());
  cache.set("big", Bytes(100000, std::byte{'a'}));
  std::filesystem::resize_file(testing::only_value_file(dir.path()), kGiB);
  testing::SqliteProbe(dir.path())
      .row("UPDATE Cache SET size = " + std::to_string(kGiB) + " WHERE key = 'big'");
  const int status = testing::run_in_child([&] {
    std::ifstream statm("/proc/self/statm");
    std::int64_t pages = 0;
    statm >> pages;
    const rlim_t limit = static_cast<rlim_t>(pages * ::sysconf(_SC_PAGE_SIZE) + 256 * 1024 * 1024);
    const rlimit address_space{limit, limit};
    if (::setrlimit(RLIMIT_AS, &address_space) != 0) return 2;
    try {
      cache.get("big");
    } catch (const IoError& error) {
      const std::string message = error.what();
      return error.error_code() == ENOMEM && message.find(std::to_string(kGiB)) != std::string::npos
                 ? 0
                 : 3;
    }
    return 4;
  });
  EXPECT_EQ(status, 0);
}
#endif

}  // namespace
}  // namespace diskcache
