#include "stored_cache.hpp"

#include <system_error>

#include "exit_status.hpp"

namespace diskcache::tool {

Settings open_settings(const GlobalOptions& options) {
  return Settings{.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::duration<double>(options.timeout))};
}

StoredCache open_cache(const std::filesystem::path& directory, const GlobalOptions& options,
                       bool create) {
  std::error_code error;
  if (!create && !std::filesystem::is_regular_file(directory / "cache.db", error)) {
    const bool exists = std::filesystem::is_directory(directory, error);
    throw CommandError(ExitStatus::NotACache,
                       directory.string() + (exists ? " is not a cache directory (no cache.db)"
                                                    : " does not exist"));
  }
  try {
    return StoredCache(directory, open_settings(options));
  } catch (const CorruptionError& error) {
    // Failing while opening means the database itself is not a cache.
    throw CommandError(ExitStatus::NotACache,
                       (directory / "cache.db").string() + " is not a cache: " + error.what());
  }
}

}  // namespace diskcache::tool
