// Store over an Engine of the caller's: the seam a second engine plugs into.
// The engine here forwards every call to a Store on a real cache directory
// and records which calls arrived (as leveldb's EnvWrapper wraps an Env), so
// the containers run on it against real storage and the tests see their
// calls reach the engine. Nothing bypasses the interface either: the engine
// is no SQLite engine for a container to reach behind it, and it reports a
// directory of its own, which stays empty, so no container opened storage
// by path instead of asking the engine.
#include "diskcache/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "diskcache/cache.hpp"
#include "diskcache/deque.hpp"
#include "diskcache/errors.hpp"
#include "diskcache/store.hpp"
#include "test_support.hpp"

namespace diskcache {
namespace {

using testing::TempDir;

class RecordingEngine final : public Engine {
 public:
  // Forwards to `inner`; reports `shown` as its directory.
  RecordingEngine(Store inner, std::filesystem::path shown)
      : inner_(std::move(inner)), shown_(std::move(shown)) {}

  // The names of the calls that arrived, in order.
  std::vector<std::string> calls;

  const std::filesystem::path& directory() const noexcept override { return shown_; }
  Settings settings() const override { return inner_.settings(); }
  void reset(const Settings& settings) override {
    note("reset");
    inner_.reset(settings);
  }

  bool set(const Cell& key, const Cell& value, const SetOptions& options) override {
    note("set");
    return inner_.set(key, value, options);
  }
  bool add(const Cell& key, const Cell& value, const SetOptions& options) override {
    note("add");
    return inner_.add(key, value, options);
  }
  std::optional<StoredItem> get(const Cell& key, bool retry) override {
    note("get");
    return inner_.get(key, retry);
  }
  bool contains(const Cell& key) override {
    note("contains");
    return inner_.contains(key);
  }
  bool erase(const Cell& key, bool retry) override {
    note("erase");
    return inner_.erase(key, retry);
  }
  std::optional<StoredItem> pop(const Cell& key, bool retry, const ItemCheck& check) override {
    note("pop");
    return inner_.pop(key, retry, check);
  }
  std::int64_t incr(const Cell& key, std::int64_t delta, std::optional<std::int64_t> default_value,
                    bool retry) override {
    note("incr");
    return inner_.incr(key, delta, default_value, retry);
  }
  std::int64_t decr(const Cell& key, std::int64_t delta, std::optional<std::int64_t> default_value,
                    bool retry) override {
    note("decr");
    return inner_.decr(key, delta, default_value, retry);
  }
  bool touch(const Cell& key, std::optional<double> expire_seconds, bool retry) override {
    note("touch");
    return inner_.touch(key, expire_seconds, retry);
  }
  std::optional<std::pair<Cell, StoredItem>> peekitem(bool last, bool retry) override {
    note("peekitem");
    return inner_.peekitem(last, retry);
  }
  std::int64_t size() override {
    note("size");
    return inner_.size();
  }
  std::int64_t volume() override {
    note("volume");
    return inner_.volume();
  }
  std::int64_t expire(std::optional<double> now, bool retry) override {
    note("expire");
    return now ? inner_.expire_before(*now, retry) : inner_.expire(retry);
  }
  std::int64_t evict(const Value& tag, bool retry) override {
    note("evict");
    return inner_.evict(tag, retry);
  }
  std::int64_t cull(bool retry) override {
    note("cull");
    return inner_.cull(retry);
  }
  std::int64_t clear(bool retry) override {
    note("clear");
    return inner_.clear(retry);
  }
  Stats stats(bool enable, bool reset) override {
    note("stats");
    return inner_.stats(enable, reset);
  }
  void create_tag_index() override {
    note("create_tag_index");
    inner_.create_tag_index();
  }
  void drop_tag_index() override {
    note("drop_tag_index");
    inner_.drop_tag_index();
  }

  std::vector<std::string> check(bool fix, bool retry) override {
    note("check");
    return inner_.check(fix, retry);
  }
  void vacuum() override {
    note("vacuum");
    inner_.vacuum();
  }

  Cell push(const Cell& value, const std::optional<std::string>& prefix, Side side,
            const SetOptions& options) override {
    note("push");
    return inner_.push(value, prefix, side, options);
  }
  std::optional<std::pair<Cell, StoredItem>> pull(const std::optional<std::string>& prefix,
                                                  Side side, bool retry,
                                                  const ItemCheck& check) override {
    note("pull");
    return inner_.pull(prefix, side, retry, check);
  }
  std::optional<std::pair<Cell, StoredItem>> peek(const std::optional<std::string>& prefix,
                                                  Side side, bool retry) override {
    note("peek");
    return inner_.peek(prefix, side, retry);
  }
  std::optional<Cell> queue_key_at(const std::optional<std::string>& prefix, std::int64_t index,
                                   Side side) override {
    note("queue_key_at");
    return inner_.queue_key_at(prefix, index, side);
  }
  std::vector<Cell> queue_keys(const std::optional<std::string>& prefix, Side side,
                               const std::optional<Cell>& after, std::int64_t limit) override {
    note("queue_keys");
    return inner_.queue_keys(prefix, side, after, limit);
  }

  bool set_stream(const Cell& key, std::istream& in, const SetOptions& options) override {
    note("set_stream");
    return inner_.set_stream(key, in, options);
  }
  bool add_stream(const Cell& key, std::istream& in, const SetOptions& options) override {
    note("add_stream");
    return inner_.add_stream(key, in, options);
  }
  std::optional<ValueStream> read(const Cell& key, bool retry) override {
    note("read");
    return inner_.read(key, retry);
  }

  void enable_leases() override {
    note("enable_leases");
    inner_.enable_leases();
  }
  std::optional<Leased> lease(const std::optional<std::string>& prefix, Side side,
                              std::chrono::duration<double> visibility, bool retry,
                              const ItemCheck& check) override {
    note("lease");
    return inner_.lease(prefix, side, visibility, retry, check);
  }
  bool ack(std::int64_t id, std::int64_t token, bool retry) override {
    note("ack");
    return inner_.ack(id, token, retry);
  }
  bool release(std::int64_t id, std::int64_t token, bool retry) override {
    note("release");
    return inner_.release(id, token, retry);
  }
  bool renew(std::int64_t id, std::int64_t token, std::chrono::duration<double> visibility,
             bool retry) override {
    note("renew");
    return inner_.renew(id, token, visibility, retry);
  }
  std::int64_t reclaim_leases(const std::optional<std::string>& prefix, bool retry) override {
    note("reclaim_leases");
    return inner_.reclaim_leases(prefix, retry);
  }
  std::int64_t leased_count(const std::optional<std::string>& prefix) override {
    note("leased_count");
    return inner_.leased_count(prefix);
  }
  std::shared_ptr<Engine> dead_letters() override {
    note("dead_letters");
    return std::make_shared<RecordingEngine>(inner_.dead_letters(),
                                             shown_ / Store::kDeadLetterDirectory);
  }
  bool dead_letter(const std::optional<std::string>& prefix, const Cell& key, bool retry) override {
    note("dead_letter");
    return inner_.dead_letter(prefix, key, retry);
  }

  std::unique_ptr<Engine::Cursor> scan(ScanOptions options) override {
    note("scan");
    return std::make_unique<ForwardingCursor>(inner_.scan(std::move(options)));
  }

  bool wait_until(std::chrono::duration<double> timeout,
                  const std::function<bool()>& attempt) override {
    note("wait_until");
    return inner_.wait_until(timeout, attempt);
  }
  // Forwards to the inner store's watch.
  class ForwardingWatch final : public Watch {
   public:
    explicit ForwardingWatch(ChangeWatch inner) : inner_(std::move(inner)) {}
    int fd() const noexcept override { return inner_.fd(); }
    void clear() override { inner_.clear(); }
    bool notices_changes() const noexcept override { return inner_.notices_changes(); }

   private:
    ChangeWatch inner_;
  };
  std::unique_ptr<Watch> watch_changes() override {
    note("watch_changes");
    return std::make_unique<ForwardingWatch>(inner_.watch_changes());
  }
  std::unique_ptr<Scope> transact(bool retry) override {
    note("transact");
    return std::make_unique<ForwardingScope>(inner_.transact(retry));
  }
  void close() override {
    note("close");
    inner_.close();
  }

  bool called(const std::string& name) const {
    return std::find(calls.begin(), calls.end(), name) != calls.end();
  }

 private:
  class ForwardingCursor final : public Engine::Cursor {
   public:
    explicit ForwardingCursor(Store::Cursor cursor) : cursor_(std::move(cursor)) {}
    bool next() override { return cursor_.next(); }
    const Cell& key() const noexcept override { return cursor_.key(); }
    StoredItem& item() noexcept override { return cursor_.item(); }

   private:
    Store::Cursor cursor_;
  };

  // A Transaction commits when it ends normally; a Scope must roll back
  // unless told to commit, so an uncommitted one rolls back explicitly,
  // which also leaves the Transaction's destructor nothing that could throw.
  class ForwardingScope final : public Scope {
   public:
    explicit ForwardingScope(Transaction transaction) : transaction_(std::move(transaction)) {}
    ~ForwardingScope() noexcept override {
      if (transaction_.active()) transaction_.rollback();
    }
    void commit() override { transaction_.commit(); }

   private:
    Transaction transaction_;
  };

  void note(const char* name) { calls.emplace_back(name); }

  Store inner_;
  const std::filesystem::path shown_;
};

// Whether nothing was created in `directory`, the one a RecordingEngine
// reports.
bool untouched(const std::filesystem::path& directory) {
  return std::filesystem::is_empty(directory);
}

TEST(EngineTest, AStoreNeedsAnEngine) { EXPECT_THROW(Store(std::shared_ptr<Engine>()), Error); }

TEST(EngineTest, ContainersRunOnAnotherEngineThroughTheInterfaceAlone) {
  TempDir dir;
  TempDir shown;
  auto engine = std::make_shared<RecordingEngine>(Store(dir.path()), shown.path());
  Cache<std::string, std::int64_t> cache{Store(engine)};
  EXPECT_EQ(cache.directory(), shown.path());

  cache.set("a", 1);
  EXPECT_FALSE(cache.add("a", 2));
  EXPECT_EQ(cache.incr("a", 10), 11);
  EXPECT_EQ(cache.get("a"), 11);
  EXPECT_TRUE(cache.contains("a"));
  std::vector<std::string> keys;
  for (const std::string& key : cache.keys()) keys.push_back(key);
  EXPECT_EQ(keys, std::vector<std::string>{"a"});

  auto deque = Deque<std::string>::from_cache(cache);
  deque.push_back("job");
  EXPECT_EQ(deque.pop_front(), "job");

  for (const char* name :
       {"set", "add", "incr", "get", "contains", "scan", "enable_leases", "push", "pull"}) {
    EXPECT_TRUE(engine->called(name)) << name << " did not reach the engine";
  }
  EXPECT_TRUE(untouched(shown.path()));
  // The engine underneath holds what went through the wrapper.
  Cache<std::string, std::int64_t> direct(dir.path());
  EXPECT_EQ(direct.get("a"), 11);
}

TEST(EngineTest, DeadLettersGoThroughTheInterface) {
  TempDir dir;
  TempDir shown;
  auto engine = std::make_shared<RecordingEngine>(Store(dir.path()), shown.path());
  Cache<> cache{Store(engine)};
  auto numbers = Deque<std::int64_t>::from_cache(cache);
  numbers.push_back(7);
  auto texts = Deque<std::string>::from_cache(cache);
  texts.push_back("job");

  EXPECT_EQ(texts.pop_front(), "job");  // 7 went aside on the way
  EXPECT_EQ(texts.leased_count(), 0);
  Deque<Value> dead = texts.dead_letters();
  EXPECT_EQ(dead.pop_front(), Value(std::int64_t{7}));
  for (const char* name : {"dead_letter", "dead_letters", "leased_count"}) {
    EXPECT_TRUE(engine->called(name)) << name << " did not reach the engine";
  }
  EXPECT_TRUE(untouched(shown.path()));
}

TEST(EngineTest, StreamsGoThroughTheInterface) {
  TempDir dir;
  TempDir shown;
  auto engine = std::make_shared<RecordingEngine>(Store(dir.path()), shown.path());
  Cache<std::string, Bytes> cache{Store(engine)};
  std::istringstream first("first");
  EXPECT_TRUE(cache.add_stream("clip", first));
  std::istringstream second("second");
  EXPECT_FALSE(cache.add_stream("clip", second));
  std::istringstream third("third");
  EXPECT_TRUE(cache.set_stream("clip", third));
  EXPECT_EQ(cache.get("clip"), to_bytes("third"));
  for (const char* name : {"add_stream", "set_stream"}) {
    EXPECT_TRUE(engine->called(name)) << name << " did not reach the engine";
  }
  EXPECT_TRUE(untouched(shown.path()));
}

TEST(EngineTest, TransactionsCommitAndRollBackThroughTheEngine) {
  TempDir dir;
  TempDir shown;
  auto engine = std::make_shared<RecordingEngine>(Store(dir.path()), shown.path());
  Cache<std::string, std::int64_t> cache{Store(engine)};
  {
    auto transaction = cache.transact();
    cache.set("kept", 1);
  }
  try {
    auto transaction = cache.transact();
    cache.set("undone", 2);
    throw std::runtime_error("leaves the scope");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(cache.get("kept"), 1);
  EXPECT_FALSE(cache.contains("undone"));
  EXPECT_TRUE(engine->called("transact"));
  EXPECT_TRUE(untouched(shown.path()));
}

}  // namespace
}  // namespace diskcache
