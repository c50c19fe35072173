#include "store/sqlite.h"

#include <utility>

namespace clemmys::store {

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (s_) sqlite3_finalize(s_);
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}

Stmt::~Stmt() {
  if (s_) sqlite3_finalize(s_);
}

Stmt& Stmt::bind(int i, std::string_view text) {
  sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}

Stmt& Stmt::bindNull(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(s_);
  std::string msg = sqlite3_errmsg(db);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return fail("store.constraint", msg);
  return fail("store.sqlite", msg);
}

Status Stmt::run() {
  for (;;) {
    auto r = step();
    if (!r) return std::unexpected(r.error());
    if (!*r) return {};
  }
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

Result<Db> Db::open(const std::string& path) {
  Db db;
  int rc =
      sqlite3_open_v2(path.c_str(), &db.db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return fail("store.open_failed", path + ": " + db.lastError());
  sqlite3_busy_timeout(db.db_, 5000);
  return db;
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close(db_);
    db_ = std::exchange(o.db_, nullptr);
    onCommit_ = nullptr;
    // The hook's argument is the Db itself: register it again at the new address.
    if (o.onCommit_) onWalCommit(std::exchange(o.onCommit_, nullptr), o.onCommitArg_);
  }
  return *this;
}

Db::~Db() {
  if (db_) sqlite3_close(db_);
}

void Db::onWalCommit(void (*onCommit)(void* arg, int framesInWal), void* arg) {
  onCommit_ = onCommit;
  onCommitArg_ = arg;
  if (db_ == nullptr) return;
  if (onCommit == nullptr) {
    sqlite3_wal_hook(db_, nullptr, nullptr);
    return;
  }
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int frames) {
        auto* db = static_cast<Db*>(self);
        db->onCommit_(db->onCommitArg_, frames);
        return SQLITE_OK;
      },
      this);
}

Status Db::checkpointPassive() {
  if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) !=
      SQLITE_OK)
    return fail("store.sqlite", "checkpoint: " + lastError());
  return {};
}

Status Db::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : lastError();
    sqlite3_free(err);
    return fail("store.sqlite", msg);
  }
  return {};
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &s, nullptr) != SQLITE_OK)
    return fail("store.sqlite", "prepare: " + lastError());
  return Stmt(s);
}

}  // namespace clemmys::store
