// A temporary directory for tests and benchmarks (no test framework needed).
#ifndef DISKCACHE_TESTS_TEMP_DIR_HPP_
#define DISKCACHE_TESTS_TEMP_DIR_HPP_

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace diskcache::testing {

// A fresh directory under `parent` (the system temporary directory by
// default), removed (with everything in it) when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string pattern = (parent / "dctest-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace diskcache::testing

#endif  // DISKCACHE_TESTS_TEMP_DIR_HPP_
