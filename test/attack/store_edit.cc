#include "store_edit.h"

#include <sqlite3.h>

#include <memory>

namespace clemmys::attack {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

Result<Db> openDb(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return fail("store_edit.open", path + ": " + (raw ? sqlite3_errmsg(raw) : "?"));
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

Result<Stmt> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    return fail("store_edit.sql", std::string(sql) + ": " + sqlite3_errmsg(db));
  }
  return Stmt(s);
}

std::string column(sqlite3_stmt* s, int i) {
  auto* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

}  // namespace

Result<std::string> guestAuth(const std::string& dbPath) {
  auto db = openDb(dbPath);
  if (!db) return std::unexpected(db.error());
  auto s = prepare(db->get(), "SELECT uuid, key FROM subjects WHERE namespace = 'guest'");
  if (!s) return std::unexpected(s.error());
  if (sqlite3_step(s->get()) != SQLITE_ROW) return fail("store_edit.no_guest", "no guest subject");
  return column(s->get(), 0) + ":" + column(s->get(), 1);
}

Result<std::string> actionDoc(const std::string& dbPath, const std::string& ns, const std::string& name) {
  auto db = openDb(dbPath);
  if (!db) return std::unexpected(db.error());
  auto s = prepare(db->get(), "SELECT doc FROM actions WHERE namespace = ?1 AND name = ?2");
  if (!s) return std::unexpected(s.error());
  sqlite3_bind_text(s->get(), 1, ns.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s->get(), 2, name.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s->get()) != SQLITE_ROW) return fail("store_edit.no_action", ns + "/" + name);
  return column(s->get(), 0);
}

Status setActionDoc(const std::string& dbPath, const std::string& ns, const std::string& name,
                    const std::string& doc) {
  auto db = openDb(dbPath);
  if (!db) return std::unexpected(db.error());
  auto s = prepare(db->get(), "UPDATE actions SET doc = ?3 WHERE namespace = ?1 AND name = ?2");
  if (!s) return std::unexpected(s.error());
  sqlite3_bind_text(s->get(), 1, ns.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s->get(), 2, name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s->get(), 3, doc.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s->get()) != SQLITE_DONE) return fail("store_edit.sql", sqlite3_errmsg(db->get()));
  if (sqlite3_changes(db->get()) != 1) return fail("store_edit.no_action", ns + "/" + name);
  return {};
}

}  // namespace clemmys::attack
