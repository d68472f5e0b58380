// Every SQL statement the Store runs on rows, prepared once per connection.
// The statements follow Python diskcache 5.x (core.py), so both read and
// write the same database; the tables they work on are schema.cpp's.
#ifndef DISKCACHE_SRC_SQL_HPP_
#define DISKCACHE_SRC_SQL_HPP_

#include <cstddef>

namespace diskcache::detail {

enum class Sql : std::size_t {
  Begin,
  Commit,
  Rollback,
  Savepoint,
  Release,
  RollbackToSavepoint,
  SelectItem,
  SelectForWrite,
  SelectForIncr,
  ContainsKey,
  InsertRow,
  UpdateRow,
  DeleteRow,
  UpdateValueKeepMeta,
  UpdateValueKeepMetaLru,
  UpdateValueKeepMetaLfu,
  TouchRow,
  HitLeastRecentlyUsed,
  HitLeastFrequentlyUsed,
  CountHit,
  CountMiss,
  SelectExpiredForCull,
  MinExpireTime,
  SelectLeastRecentlyStored,
  SelectLeastRecentlyUsed,
  SelectLeastFrequentlyUsed,
  SelectExpiredBatch,
  SelectTaggedBatch,
  SelectAllBatch,
  SelectFirstItem,
  SelectLastItem,
  SelectSetting,
  UpdateSetting,
  // Queue on a cache (push, pull, peek): the item at either end of a key range.
  QueueFirstKey,
  QueueLastKey,
  QueueFirstItem,
  QueueLastItem,
  // Leases (Deque::lease_front): items taken out of a queue until acknowledged.
  AnyExpiredLease,
  SelectExpiredLeases,
  InsertLease,
  SelectLease,
  DeleteLease,
  RenewLease,
  LeaseTableExists,
  CountLeases,
  // Deliveries of leased items now back in their queue (max_deliveries).
  SelectDelivery,
  DeleteDelivery,
  SaveDelivery,
  PruneDeliveries,
  // Positions in a queue (Deque::at, set, erase).
  QueueKeyAtFromFront,
  QueueKeyAtFromBack,
  // Pages of a queue's keys (Deque iteration).
  QueueKeysAscending,
  QueueKeysDescending,
  PageCount,
  // Scans (Store::scan): pages of (rowid, key, raw) in insertion or key order.
  MaxRowid,
  ScanByRowidAsc,
  ScanByRowidDesc,
  ScanByKeyAfter,
  ScanByKeyBefore,
  ScanByKeyLast,
  kCount,
};

// The SQL text of `id`.
const char* sql_text(Sql id) noexcept;

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_SQL_HPP_
