// The power cut of the simulated power-loss test (tests/power_loss_test.cpp):
// given a child's journal (power_journal.hpp), keeps what was synced and
// drops, keeps or keeps a random part of the rest, as a power cut could.
#ifndef DISKCACHE_TESTS_POWER_CUT_HPP_
#define DISKCACHE_TESTS_POWER_CUT_HPP_

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "power_journal.hpp"

namespace diskcache::power_loss {
enum class Damage { DropUnsynced, KeepAll, RandomSubset };
inline const char* name_of(Damage damage) {
  switch (damage) {
    case Damage::DropUnsynced: return "drop unsynced";
    case Damage::KeepAll: return "keep all";
    case Damage::RandomSubset: return "random subset";
  }
  return "?";
}

inline bool is_database(const Record& record) {
  return record.type == 'W' || record.type == 'T' || record.type == 'S';
}
inline bool is_wal(const Record& record) { return record.path.ends_with("-wal"); }

// Whether each record reached the disk for sure: a later sync of its file
// (data) or of its directory (names).
inline std::vector<bool> durable(const std::vector<Record>& journal) {
  std::vector<bool> result(journal.size());
  std::set<std::string> synced_later;
  auto synced = [&](const std::string& path) { return synced_later.count(path) != 0; };
  auto parent = [](const std::string& path) { return fs::path(path).parent_path().string(); };
  for (std::size_t i = journal.size(); i-- > 0;) {
    const Record& record = journal[i];
    switch (record.type) {
      case 'S':
      case 'F':
        synced_later.insert(record.path);
        result[i] = true;
        break;
      case 'W':
      case 'T':
      case 'D': result[i] = synced(record.path); break;
      case 'R': result[i] = synced(parent(record.path)) && synced(parent(record.other)); break;
      default: result[i] = synced(parent(record.path)); break;
    }
  }
  return result;
}

// The database files under a root, each opened once.
class DatabaseFiles {
 public:
  explicit DatabaseFiles(fs::path root) : root_(std::move(root)) {}

  // Writes `bytes` at `offset` of `path`, then sets its size if given.
  void rewrite(const std::string& path, const std::string& bytes, std::int64_t offset,
               std::optional<std::int64_t> size) {
    const int fd = open(path);
    if (fd < 0) return;  // a WAL that SQLite deleted when its last connection closed
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), offset), static_cast<ssize_t>(bytes.size()));
    if (size) {
      ASSERT_EQ(::ftruncate(fd, *size), 0);
    }
  }

 private:
  int open(const std::string& path) {
    auto found = files_.find(path);
    if (found == files_.end()) {
      found = files_.emplace(path, ::open((root_ / path).c_str(), O_RDWR | O_CLOEXEC)).first;
      if (!found->second.valid() && !(errno == ENOENT && path.ends_with("-wal"))) {
        ADD_FAILURE() << "cannot open " << path << " to cut the power: " << std::strerror(errno);
      }
    }
    return found->second.get();
  }

  fs::path root_;
  std::map<std::string, detail::UniqueFd> files_;
};

// Puts back what the record changed. Restoring a name whose directory is
// gone fails, as it should: nothing under that directory survived.
inline void undo(const fs::path& root, DatabaseFiles& database, const Record& record) {
  const fs::path path = root / record.path;
  std::error_code ignored;
  switch (record.type) {
    case 'W':
      database.rewrite(record.path, record.old_bytes, record.offset, record.old_size);
      break;
    case 'T':
      database.rewrite(record.path, record.old_bytes, record.new_size, record.old_size);
      break;
    case 'M': fs::remove_all(path, ignored); break;
    case 'C': ::unlink(path.c_str()); break;
    case 'D':  // never synced: none of it reached the disk
      ::truncate(path.c_str(), 0);
      break;
    case 'R': ::rename((root / record.other).c_str(), path.c_str()); break;
    case 'U': ::link((root / record.other).c_str(), path.c_str()); break;
    case 'X': ::mkdir(path.c_str(), 0700); break;
  }
}

inline void redo(DatabaseFiles& database, const Record& record) {
  if (record.type == 'W') {
    database.rewrite(record.path, record.new_bytes, record.offset, std::nullopt);
  }
  if (record.type == 'T') database.rewrite(record.path, {}, 0, record.new_size);
}

// Cuts the power over the directories under `root`, as `damage` says.
// Synced changes always stay; shared memory (cache.db-shm) never does.
inline void power_cut(const fs::path& root, const std::vector<Record>& journal, Damage damage,
                      std::uint64_t seed) {
  const std::vector<bool> synced = durable(journal);
  std::mt19937_64 random(seed);
  std::vector<bool> reapply(journal.size());
  DatabaseFiles database(root);
  if (damage != Damage::KeepAll) {
    for (std::size_t i = journal.size(); i-- > 0;) {
      const Record& record = journal[i];
      if (synced[i]) continue;
      // Any part of what was not synced may have reached the disk: the
      // WAL's writes are undone and a random part written again; of the
      // value files' changes a random part stays.
      const bool subset = damage == Damage::RandomSubset;
      if (subset && !is_database(record) && random() % 2 == 0) continue;
      undo(root, database, record);
      if (subset && is_wal(record)) reapply[i] = random() % 2 == 0;
    }
  }
  for (std::size_t i = 0; i < journal.size(); ++i) {
    if (reapply[i]) redo(database, journal[i]);
  }
  for (const char* dir : {"cache", "queue"}) fs::remove(root / dir / "cache.db-shm");
}

// Copies the directories under `from` to `to` for one cut. Value files are
// never changed in place, only named and unnamed: they are linked.
inline void copy_tree(const fs::path& from, const fs::path& to) {
  for (const char* dir : {"cache", "queue", "stash"}) {
    fs::create_directory(to / dir);
    for (const auto& entry : fs::recursive_directory_iterator(from / dir)) {
      const fs::path target = to / entry.path().lexically_relative(from);
      if (entry.is_directory()) {
        fs::create_directory(target);
      } else if (entry.path().extension() == ".val" || std::string_view(dir) == "stash") {
        fs::create_hard_link(entry.path(), target);
      } else {
        fs::copy_file(entry.path(), target);
      }
    }
  }
}

}  // namespace diskcache::power_loss

#endif  // DISKCACHE_TESTS_POWER_CUT_HPP_
