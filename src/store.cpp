// The Store handle, its Cursor and Transaction: each call goes to the
// engine behind the handle (engine.hpp), which does the work. Nothing here
// knows which engine that is, except the constructor that opens the default.
#include "diskcache/store.hpp"

#include <exception>

#include "diskcache/errors.hpp"
#include "diskcache/transaction.hpp"
#include "sqlite_engine.hpp"

namespace diskcache {

Engine::~Engine() = default;
Engine::Cursor::~Cursor() = default;
Engine::Scope::~Scope() = default;
Engine::Watch::~Watch() = default;

Store::Store(std::filesystem::path directory, const Settings& settings)
    : engine_(detail::SqliteEngine::open(std::move(directory), settings)) {}

Store::Store(std::shared_ptr<Engine> engine) : engine_(std::move(engine)) {
  if (!engine_) throw Error("a Store needs an engine, and was given none");
}

const std::filesystem::path& Store::directory() const noexcept { return engine_->directory(); }

Settings Store::settings() const { return engine_->settings(); }

void Store::reset(const Settings& settings) { engine_->reset(settings); }

bool Store::set(const Cell& key, const Cell& value, const SetOptions& options) {
  return engine_->set(key, value, options);
}

bool Store::add(const Cell& key, const Cell& value, const SetOptions& options) {
  return engine_->add(key, value, options);
}

std::optional<StoredItem> Store::get(const Cell& key, bool retry) {
  return engine_->get(key, retry);
}

bool Store::contains(const Cell& key) { return engine_->contains(key); }

bool Store::erase(const Cell& key, bool retry) { return engine_->erase(key, retry); }

std::optional<StoredItem> Store::pop(const Cell& key, bool retry, const ItemCheck& check) {
  return engine_->pop(key, retry, check);
}

std::int64_t Store::incr(const Cell& key, std::int64_t delta,
                         std::optional<std::int64_t> default_value, bool retry) {
  return engine_->incr(key, delta, default_value, retry);
}

std::int64_t Store::decr(const Cell& key, std::int64_t delta,
                         std::optional<std::int64_t> default_value, bool retry) {
  return engine_->decr(key, delta, default_value, retry);
}

bool Store::touch(const Cell& key, std::optional<double> expire_seconds, bool retry) {
  return engine_->touch(key, expire_seconds, retry);
}

std::optional<std::pair<Cell, StoredItem>> Store::peekitem(bool last, bool retry) {
  return engine_->peekitem(last, retry);
}

std::int64_t Store::size() { return engine_->size(); }

std::int64_t Store::volume() { return engine_->volume(); }

std::int64_t Store::expire(bool retry) { return engine_->expire(std::nullopt, retry); }
std::int64_t Store::expire_before(double now_seconds, bool retry) {
  return engine_->expire(now_seconds, retry);
}

std::int64_t Store::evict(const Value& tag, bool retry) { return engine_->evict(tag, retry); }

std::int64_t Store::cull(bool retry) { return engine_->cull(retry); }

std::int64_t Store::clear(bool retry) { return engine_->clear(retry); }

Stats Store::stats(bool enable, bool reset) { return engine_->stats(enable, reset); }

void Store::create_tag_index() { engine_->create_tag_index(); }

void Store::drop_tag_index() { engine_->drop_tag_index(); }

std::vector<std::string> Store::check(bool fix, bool retry) { return engine_->check(fix, retry); }

void Store::vacuum() { engine_->vacuum(); }

Cell Store::push(const Cell& value, const std::optional<std::string>& prefix, Side side,
                 const SetOptions& options) {
  return engine_->push(value, prefix, side, options);
}

std::optional<std::pair<Cell, StoredItem>> Store::pull(const std::optional<std::string>& prefix,
                                                       Side side, bool retry,
                                                       const ItemCheck& check) {
  return engine_->pull(prefix, side, retry, check);
}

std::optional<std::pair<Cell, StoredItem>> Store::peek(const std::optional<std::string>& prefix,
                                                       Side side, bool retry) {
  return engine_->peek(prefix, side, retry);
}

std::optional<Cell> Store::queue_key_at(const std::optional<std::string>& prefix,
                                        std::int64_t index, Side side) {
  return engine_->queue_key_at(prefix, index, side);
}

std::vector<Cell> Store::queue_keys(const std::optional<std::string>& prefix, Side side,
                                    const std::optional<Cell>& after, std::int64_t limit) {
  return engine_->queue_keys(prefix, side, after, limit);
}

bool Store::set_stream(const Cell& key, std::istream& in, const SetOptions& options) {
  return engine_->set_stream(key, in, options);
}

bool Store::add_stream(const Cell& key, std::istream& in, const SetOptions& options) {
  return engine_->add_stream(key, in, options);
}

std::optional<Store::ValueStream> Store::read(const Cell& key, bool retry) {
  return engine_->read(key, retry);
}

void Store::enable_leases() { engine_->enable_leases(); }

std::optional<Store::Leased> Store::lease(const std::optional<std::string>& prefix, Side side,
                                          std::chrono::duration<double> visibility, bool retry,
                                          const ItemCheck& check) {
  return engine_->lease(prefix, side, visibility, retry, check);
}

bool Store::ack(std::int64_t id, std::int64_t token, bool retry) {
  return engine_->ack(id, token, retry);
}

bool Store::release(std::int64_t id, std::int64_t token, bool retry) {
  return engine_->release(id, token, retry);
}

bool Store::renew(std::int64_t id, std::int64_t token, std::chrono::duration<double> visibility,
                  bool retry) {
  return engine_->renew(id, token, visibility, retry);
}

std::int64_t Store::reclaim_leases(const std::optional<std::string>& prefix, bool retry) {
  return engine_->reclaim_leases(prefix, retry);
}

std::int64_t Store::leased_count(const std::optional<std::string>& prefix) {
  return engine_->leased_count(prefix);
}

Store Store::dead_letters() { return Store(engine_->dead_letters()); }

bool Store::dead_letter(const std::optional<std::string>& prefix, const Cell& key, bool retry) {
  return engine_->dead_letter(prefix, key, retry);
}

Store::Cursor Store::scan(ScanOptions options) {
  std::unique_ptr<Engine::Cursor> cursor = engine_->scan(std::move(options));
  return Cursor(engine_, std::move(cursor));
}

bool Store::wait_until(std::chrono::duration<double> timeout,
                       const std::function<bool()>& attempt) {
  return engine_->wait_until(timeout, attempt);
}

ChangeWatch Store::watch_changes() { return ChangeWatch(engine_->watch_changes()); }

Transaction Store::transact(bool retry) {
  std::unique_ptr<Engine::Scope> scope = engine_->transact(retry);
  return Transaction(engine_, std::move(scope));
}

void Store::close() { engine_->close(); }

Store::Cursor::Cursor(std::shared_ptr<Engine> engine,
                      std::unique_ptr<Engine::Cursor> cursor) noexcept
    : engine_(std::move(engine)), cursor_(std::move(cursor)) {}

Store::Cursor::Cursor(Cursor&&) noexcept = default;

Store::Cursor& Store::Cursor::operator=(Cursor&& other) noexcept {
  // The old cursor goes first, while the engine it reads from is still held.
  cursor_ = std::move(other.cursor_);
  engine_ = std::move(other.engine_);
  return *this;
}

Store::Cursor::~Cursor() = default;

bool Store::Cursor::next() { return cursor_->next(); }

const Cell& Store::Cursor::key() const noexcept { return cursor_->key(); }

StoredItem& Store::Cursor::item() noexcept { return cursor_->item(); }

Transaction::Transaction(std::shared_ptr<Engine> engine, std::unique_ptr<Engine::Scope> scope)
    : engine_(std::move(engine)),
      scope_(std::move(scope)),
      uncaught_exceptions_(std::uncaught_exceptions()) {}

Transaction::Transaction(Transaction&& other) noexcept
    : engine_(std::move(other.engine_)),
      scope_(std::move(other.scope_)),
      uncaught_exceptions_(other.uncaught_exceptions_) {}

Transaction::~Transaction() noexcept(false) {
  if (!scope_) return;
  if (std::uncaught_exceptions() > uncaught_exceptions_) {
    rollback();
    return;
  }
  commit();
}

void Transaction::commit() {
  // Released first, so a failed commit rolls back (the Scope's destructor)
  // and the guard is finished either way.
  std::unique_ptr<Engine::Scope> scope = std::move(scope_);
  scope->commit();
}

void Transaction::rollback() noexcept { scope_.reset(); }

}  // namespace diskcache
