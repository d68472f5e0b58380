// Dead letters: a queue's items that no consumer can take, moved aside into
// a second cache directory inside the first, <directory>/cache.db-dead-letters.
// Why there rather than as rows of this cache.db: Python's Deque counts and
// iterates every row of its Cache table, so a row kept here would still be
// part of the live queue for Python. A directory of its own is a queue Python
// opens as diskcache.Deque(directory=...), found from the queue's directory
// alone, and its name contains "cache.db", so Python's check(fix=True) on
// the queue (core.py skips every path containing it) and ours leave its
// files alone.
#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"
#include "kill_point.hpp"
#include "sqlite_rows.hpp"

namespace diskcache::detail {

std::shared_ptr<Engine> SqliteEngine::dead_letters() {
  MutexLock lock(dead_letters_mutex_);
  if (!dead_letters_) {
    Settings settings;
    settings.eviction_policy = EvictionPolicy::None;  // a queue loses nothing to eviction
    settings.timeout = timeout();
    settings.file_mode = this->settings().file_mode.value();
    dead_letters_ = SqliteEngine::open(directory_ / Store::kDeadLetterDirectory, settings);
  }
  return dead_letters_;
}

bool SqliteEngine::dead_letter(const std::optional<std::string>& prefix, const Cell& key,
                               bool retry) {
  if (prefix) require_queue_prefix(*prefix, directory());
  // Opened before taking our lock: opening writes to its own database.
  const std::shared_ptr<Engine> dead = dead_letters();
  Connection& connection = this->connection();
  // Held while the copy is written, so two consumers moving the same item
  // cannot both copy it.
  WriteTransaction transaction = begin_write(connection, retry);
  const double now = now_seconds();
  std::optional<ValueLocation> location = select_item(connection, key, now);
  if (!location) {
    transaction.commit();
    return false;
  }
  std::optional<Cell> value = load_value(*this, *location, key);
  if (!value) missing_file(*this, *location, key);
  SetOptions options{.tag = std::move(location->tag), .retry = retry};
  if (location->expire_time) {
    options.expire = std::chrono::duration<double>(*location->expire_time - now);
  }
  // The copy commits first: a crash before the deletion below commits
  // leaves the item in both queues, never in neither.
  dead->push(*value, prefix, Side::Back, options);
  DISKCACHE_TEST_KILL_POINT("dead_letter_copied");
  delete_rows(connection, transaction, {RowFile{location->rowid, location->filename}});
  transaction.commit();
  return true;
}

}  // namespace diskcache::detail
