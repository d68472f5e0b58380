// The exit statuses of the diskcache command (docs/cli.md lists them), and
// the exception a command throws to end with one.
#ifndef DISKCACHE_TOOLS_EXIT_STATUS_HPP_
#define DISKCACHE_TOOLS_EXIT_STATUS_HPP_

#include <stdexcept>
#include <string>

namespace diskcache::tool {

// NOTE: scripts test these numbers; do not renumber.
enum class ExitStatus : int {
  Ok = 0,
  NotFound = 1,    // no such key, or an empty deque
  Usage = 2,       // bad arguments or input: unknown option, malformed literal or JSON line
  NotACache = 3,   // the directory does not exist, holds no cache.db, or it is not a cache
  Corrupt = 4,     // damaged data: a missing value file, problems check() found
  IoError = 5,     // the file system failed: permissions, a full disk
  Timeout = 6,     // the database stayed locked longer than --timeout
  Unreadable = 7,  // a value C++ cannot read (a Python pickle) or use (incr of a non-integer)
  Failed = 8,      // any other error
};

inline int to_int(ExitStatus status) noexcept { return static_cast<int>(status); }

// Ends a command with `status`; main prints what() on stderr.
class CommandError : public std::runtime_error {
 public:
  CommandError(ExitStatus status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  ExitStatus status() const noexcept { return status_; }

 private:
  ExitStatus status_;
};

}  // namespace diskcache::tool

#endif  // DISKCACHE_TOOLS_EXIT_STATUS_HPP_
