// Machinery of the model-checked stress and crash tests: self-checking
// values, an operation log that survives SIGKILL, and the checks a directory
// must pass after a crash.
#ifndef DISKCACHE_TESTS_MODEL_SUPPORT_HPP_
#define DISKCACHE_TESTS_MODEL_SUPPORT_HPP_

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "diskcache/value.hpp"

namespace diskcache::testing {

inline std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// A value that names what it is: "<key>|<id>|<length>|" then filler, then
// "|<checksum of everything before>". A torn, truncated or foreign value
// fails parse_payload.
inline std::string make_payload(const std::string& key, const std::string& id, std::size_t length) {
  std::string head = key + "|" + id + "|" + std::to_string(length) + "|";
  std::string body = head;
  const std::size_t tail = 17;  // "|" + 16 hex digits
  for (std::size_t i = 0; body.size() + tail < length; ++i) {
    body.push_back(static_cast<char>('a' + (fnv1a(id) + i) % 26));
  }
  char checksum[17];
  std::snprintf(checksum, sizeof checksum, "%016llx", static_cast<unsigned long long>(fnv1a(body)));
  return body + "|" + checksum;
}

// The text of a payload read back as a Value: set stores text, set_stream
// bytes. (Throws SerializationError for any other kind: not a payload.)
inline std::string payload_text(const Value& value) {
  if (value.kind() == Value::Kind::Blob) return to_string(value.as<Bytes>());
  return value.as<std::string>();
}

// The id inside `value` if it is a whole payload written for `key`.
inline std::optional<std::string> parse_payload(const std::string& key, const std::string& value) {
  const std::size_t bar = value.rfind('|');
  if (bar == std::string::npos || value.size() - bar != 17) return std::nullopt;
  const std::string body = value.substr(0, bar);
  char checksum[17];
  std::snprintf(checksum, sizeof checksum, "%016llx", static_cast<unsigned long long>(fnv1a(body)));
  if (value.compare(bar + 1, 16, checksum) != 0) return std::nullopt;
  if (body.compare(0, key.size() + 1, key + "|") != 0) return std::nullopt;
  const std::size_t id_end = body.find('|', key.size() + 1);
  if (id_end == std::string::npos) return std::nullopt;
  const std::size_t length_end = body.find('|', id_end + 1);
  if (length_end == std::string::npos) return std::nullopt;
  std::size_t length = 0;
  const char* first = body.data() + id_end + 1;
  const char* last = body.data() + length_end;
  if (std::from_chars(first, last, length).ptr != last) return std::nullopt;
  if (length != value.size()) return std::nullopt;
  return body.substr(key.size() + 1, id_end - key.size() - 1);
}

// An append-only operation log. Each record is one write(2) of one line, so
// it is whole or absent after SIGKILL, and the kernel keeps it.
class OpLog {
 public:
  explicit OpLog(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) {
    if (fd_ < 0) throw std::runtime_error("cannot open log " + path.string());
  }
  OpLog(const OpLog&) = delete;
  OpLog& operator=(const OpLog&) = delete;
  ~OpLog() { ::close(fd_); }

  // "I <op>": the operation is about to run.
  void intent(const std::string& op) { line("I " + op); }
  // "A <result>": the operation returned.
  void ack(const std::string& result) { line("A " + result); }
  void line(const std::string& text) {
    const std::string record = text + "\n";
    if (::write(fd_, record.data(), record.size()) != static_cast<ssize_t>(record.size())) {
      std::abort();
    }
  }
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

// The log's lines, each split at spaces.
inline std::vector<std::vector<std::string>> read_log(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> lines;
  std::ifstream in(path);
  std::string text;
  while (std::getline(in, text)) {
    std::istringstream words(text);
    std::vector<std::string> line;
    for (std::string word; words >> word;) line.push_back(word);
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

// PRAGMA integrity_check's answer on `directory`/cache.db ("ok" if sound),
// read by a connection of its own, as another program would.
inline std::string integrity_check(const std::filesystem::path& directory) {
  sqlite3* db = nullptr;
  std::string result;
  if (sqlite3_open_v2((directory / "cache.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    result = "cannot open";
  } else {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr);
    while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
      if (!result.empty()) result += "; ";
      result += reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return result;
}

// Sets every file under `directory` except the database's back by an hour,
// as if the directory were checked long after the crash: check(fix) removes
// only orphans older than the timeout.
inline void age_files(const std::filesystem::path& directory) {
  const timespec an_hour_ago[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
  for (auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (entry.path().filename().string().find("cache.db") != std::string::npos) continue;
    ::utimensat(AT_FDCWD, entry.path().c_str(), an_hour_ago, AT_SYMLINK_NOFOLLOW);
  }
}

}  // namespace diskcache::testing

#endif  // DISKCACHE_TESTS_MODEL_SUPPORT_HPP_
