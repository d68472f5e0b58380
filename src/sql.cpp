#include "sql.hpp"

namespace diskcache::detail {

const char* sql_text(Sql id) noexcept {
  switch (id) {
    case Sql::Begin: return "BEGIN IMMEDIATE";
    case Sql::Commit: return "COMMIT";
    case Sql::Rollback: return "ROLLBACK";
    case Sql::Savepoint: return "SAVEPOINT diskcache";
    case Sql::Release: return "RELEASE diskcache";
    case Sql::RollbackToSavepoint: return "ROLLBACK TO diskcache";
    case Sql::SelectItem:
      return "SELECT rowid, expire_time, tag, mode, filename, value, size FROM Cache"
             " WHERE key = ?1 AND raw = ?2 AND (expire_time IS NULL OR expire_time > ?3)";
    case Sql::SelectForWrite:
      return "SELECT rowid, filename, expire_time FROM Cache WHERE key = ?1 AND raw = ?2";
    case Sql::SelectForIncr:
      return "SELECT rowid, expire_time, filename, mode, value FROM Cache"
             " WHERE key = ?1 AND raw = ?2";
    case Sql::ContainsKey:
      return "SELECT 1 FROM Cache WHERE key = ?1 AND raw = ?2"
             " AND (expire_time IS NULL OR expire_time > ?3)";
    case Sql::InsertRow:
      return "INSERT INTO Cache(key, raw, store_time, expire_time, access_time,"
             " access_count, tag, size, mode, filename, value)"
             " VALUES (?1, ?2, ?3, ?4, ?3, 0, ?5, ?6, ?7, ?8, ?9)";
    case Sql::UpdateRow:
      return "UPDATE Cache SET store_time = ?1, expire_time = ?2, access_time = ?1,"
             " access_count = 0, tag = ?3, size = ?4, mode = ?5, filename = ?6,"
             " value = ?7 WHERE rowid = ?8";
    case Sql::DeleteRow: return "DELETE FROM Cache WHERE rowid = ?1";
    // incr keeps expiry and tag, and counts as an access (core.py incr).
    case Sql::UpdateValueKeepMeta:
      return "UPDATE Cache SET store_time = ?1, value = ?2 WHERE rowid = ?3";
    case Sql::UpdateValueKeepMetaLru:
      return "UPDATE Cache SET store_time = ?1, value = ?2, access_time = ?1"
             " WHERE rowid = ?3";
    case Sql::UpdateValueKeepMetaLfu:
      return "UPDATE Cache SET store_time = ?1, value = ?2,"
             " access_count = access_count + 1 WHERE rowid = ?3";
    case Sql::TouchRow: return "UPDATE Cache SET expire_time = ?1 WHERE rowid = ?2";
    case Sql::HitLeastRecentlyUsed: return "UPDATE Cache SET access_time = ?1 WHERE rowid = ?2";
    case Sql::HitLeastFrequentlyUsed:
      return "UPDATE Cache SET access_count = access_count + 1 WHERE rowid = ?1";
    case Sql::CountHit: return "UPDATE Settings SET value = value + 1 WHERE key = 'hits'";
    case Sql::CountMiss: return "UPDATE Settings SET value = value + 1 WHERE key = 'misses'";
    case Sql::SelectExpiredForCull:
      return "SELECT rowid, filename FROM Cache WHERE expire_time IS NOT NULL"
             " AND expire_time < ?1 ORDER BY expire_time LIMIT ?2";
    case Sql::MinExpireTime:
      return "SELECT min(expire_time) FROM Cache WHERE expire_time IS NOT NULL";
    case Sql::SelectLeastRecentlyStored:
      return "SELECT rowid, filename FROM Cache ORDER BY store_time LIMIT ?1";
    case Sql::SelectLeastRecentlyUsed:
      return "SELECT rowid, filename FROM Cache ORDER BY access_time LIMIT ?1";
    case Sql::SelectLeastFrequentlyUsed:
      return "SELECT rowid, filename FROM Cache ORDER BY access_count LIMIT ?1";
    case Sql::SelectExpiredBatch:
      return "SELECT rowid, filename FROM Cache WHERE 0 < expire_time"
             " AND expire_time < ?1 ORDER BY expire_time LIMIT ?2";
    case Sql::SelectTaggedBatch:
      return "SELECT rowid, filename FROM Cache WHERE tag = ?1 AND rowid > ?2"
             " ORDER BY rowid LIMIT ?3";
    case Sql::SelectAllBatch:
      return "SELECT rowid, filename FROM Cache WHERE rowid > ?1 ORDER BY rowid LIMIT ?2";
    case Sql::SelectFirstItem:
      return "SELECT rowid, key, raw, expire_time, tag, mode, filename, value, size"
             " FROM Cache ORDER BY rowid ASC LIMIT 1";
    case Sql::SelectLastItem:
      return "SELECT rowid, key, raw, expire_time, tag, mode, filename, value, size"
             " FROM Cache ORDER BY rowid DESC LIMIT 1";
    case Sql::SelectSetting: return "SELECT value FROM Settings WHERE key = ?1";
    case Sql::UpdateSetting: return "UPDATE Settings SET value = ?2 WHERE key = ?1";
    // The key range of one queue, as core.py push/pull/peek: integers
    // between the bounds, or text "prefix-NNN..." between the bounds.
    case Sql::QueueFirstKey:
      return "SELECT key FROM Cache WHERE ?1 < key AND key < ?2 AND raw = 1"
             " ORDER BY key ASC LIMIT 1";
    case Sql::QueueLastKey:
      return "SELECT key FROM Cache WHERE ?1 < key AND key < ?2 AND raw = 1"
             " ORDER BY key DESC LIMIT 1";
    case Sql::QueueFirstItem:
      return "SELECT rowid, key, expire_time, tag, mode, filename, value, size FROM Cache"
             " WHERE ?1 < key AND key < ?2 AND raw = 1 ORDER BY key ASC LIMIT 1";
    case Sql::QueueLastItem:
      return "SELECT rowid, key, expire_time, tag, mode, filename, value, size FROM Cache"
             " WHERE ?1 < key AND key < ?2 AND raw = 1 ORDER BY key DESC LIMIT 1";
    case Sql::AnyExpiredLease:
      return "SELECT 1 FROM Lease WHERE queue IS ?1 AND deadline <= ?2 LIMIT 1";
    case Sql::SelectExpiredLeases:
      return "SELECT id, token, key, expire_time, tag, mode, value, deliveries FROM Lease"
             " WHERE queue IS ?1 AND deadline <= ?2 ORDER BY key DESC";
    case Sql::InsertLease:
      return "INSERT INTO Lease(token, deadline, queue, key, expire_time, tag, mode, value,"
             " deliveries) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    case Sql::SelectLease:
      return "SELECT queue, key, expire_time, tag, mode, value, deliveries FROM Lease"
             " WHERE id = ?1 AND token = ?2";
    case Sql::DeleteLease: return "DELETE FROM Lease WHERE id = ?1 AND token = ?2";
    case Sql::RenewLease: return "UPDATE Lease SET deadline = ?3 WHERE id = ?1 AND token = ?2";
    case Sql::LeaseTableExists:
      return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Lease'";
    case Sql::CountLeases: return "SELECT COUNT(*) FROM Lease WHERE queue IS ?1";
    case Sql::SelectDelivery:
      // The count if the row is the queue item's (same key and store_time),
      // 0 if it is a stale row of an earlier item under that key.
      return "SELECT CASE WHEN Cache.rowid IS NULL THEN 0 ELSE Delivery.count END"
             " FROM Delivery LEFT JOIN Cache ON Cache.key = Delivery.key AND Cache.raw = 1"
             " AND Cache.store_time IS Delivery.store_time WHERE Delivery.key = ?1";
    case Sql::DeleteDelivery: return "DELETE FROM Delivery WHERE key = ?1";
    case Sql::SaveDelivery:
      return "INSERT OR REPLACE INTO Delivery(key, store_time, count)"
             " SELECT ?1, store_time, ?2 FROM Cache WHERE key = ?1 AND raw = 1";
    case Sql::PruneDeliveries:
      // Rows whose item left the queue some other way (a plain pop, Python's).
      return "DELETE FROM Delivery WHERE NOT EXISTS (SELECT 1 FROM Cache WHERE"
             " Cache.key = Delivery.key AND Cache.raw = 1 AND Cache.store_time IS"
             " Delivery.store_time)";
    case Sql::QueueKeyAtFromFront:
      return "SELECT key FROM Cache WHERE ?1 < key AND key < ?2 AND raw = 1"
             " ORDER BY key ASC LIMIT 1 OFFSET ?3";
    case Sql::QueueKeyAtFromBack:
      return "SELECT key FROM Cache WHERE ?1 < key AND key < ?2 AND raw = 1"
             " ORDER BY key DESC LIMIT 1 OFFSET ?3";
    case Sql::QueueKeysAscending:
      return "SELECT key FROM Cache WHERE ?1 < key AND key < ?2 AND raw = 1"
             " ORDER BY key ASC LIMIT ?3";
    case Sql::QueueKeysDescending:
      return "SELECT key FROM Cache WHERE ?1 < key AND key < ?2 AND raw = 1"
             " ORDER BY key DESC LIMIT ?3";
    case Sql::PageCount: return "PRAGMA page_count";
    // A page of a scan: ?1, ?2 the position (rowids, or the (key, raw) last
    // visited), ?3 the far bound of a key range (NULL: none) as a column, so
    // the index range stays a plain lower or upper bound; ?4 the least raw
    // flag (1: raw keys only), ?5 now, ?6 the page size.
    case Sql::MaxRowid: return "SELECT MAX(rowid) FROM Cache";
    case Sql::ScanByRowidAsc:
      return "SELECT rowid, key, raw FROM Cache WHERE ?1 < rowid AND rowid < ?2"
             " AND (expire_time IS NULL OR expire_time > ?5) ORDER BY rowid ASC LIMIT ?6";
    case Sql::ScanByRowidDesc:
      return "SELECT rowid, key, raw FROM Cache WHERE ?1 < rowid AND rowid < ?2"
             " AND (expire_time IS NULL OR expire_time > ?5) ORDER BY rowid DESC LIMIT ?6";
    case Sql::ScanByKeyAfter:
      return "SELECT rowid, key, raw, key < ?3 FROM Cache WHERE (key, raw) > (?1, ?2)"
             " AND raw >= ?4 AND (expire_time IS NULL OR expire_time > ?5)"
             " ORDER BY key ASC, raw ASC LIMIT ?6";
    case Sql::ScanByKeyBefore:
      return "SELECT rowid, key, raw, key >= ?3 FROM Cache WHERE (key, raw) < (?1, ?2)"
             " AND raw >= ?4 AND (expire_time IS NULL OR expire_time > ?5)"
             " ORDER BY key DESC, raw DESC LIMIT ?6";
    case Sql::ScanByKeyLast:
      return "SELECT rowid, key, raw, key >= ?3 FROM Cache WHERE raw >= ?4"
             " AND (expire_time IS NULL OR expire_time > ?5)"
             " ORDER BY key DESC, raw DESC LIMIT ?6";
    case Sql::kCount: break;
  }
  return "";
}

}  // namespace diskcache::detail
