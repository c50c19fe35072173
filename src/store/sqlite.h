// A thin RAII layer over the SQLite C API: a connection and prepared statements.
// Errors come back as Result values named "store.sqlite" with SQLite's message.
// Thread safety: none. The Store serialises all use of one Db behind its mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"

namespace clemmys::store {

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  ~Stmt();

  // Binding indices are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  Stmt& bind(int i, std::string_view text);
  Stmt& bind(int i, int64_t v);
  Stmt& bindNull(int i);

  // Steps once: true with a row, false when done. Errors are named "store.sqlite"
  // ("store.constraint" for a constraint violation such as a duplicate key).
  Result<bool> step();
  // Runs to completion, ignoring rows.
  Status run();
  // Resets and clears bindings so the statement can be reused (cached).
  void reset();

  int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
  std::string text(int col) const;
  bool isNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// Resets a cached statement when it leaves scope, whatever path is taken.
class StmtUse {
 public:
  explicit StmtUse(Stmt& s) : s_(s) {}
  ~StmtUse() { s_.reset(); }
  Stmt* operator->() { return &s_; }
  Stmt& operator*() { return s_; }

 private:
  Stmt& s_;
};

class Db {
 public:
  static Result<Db> open(const std::string& path);
  Db() = default;
  Db(Db&& o) noexcept { *this = std::move(o); }
  Db& operator=(Db&& o) noexcept;
  ~Db();

  Status exec(const std::string& sql);
  Result<Stmt> prepare(std::string_view sql);
  std::string lastError() const { return db_ ? sqlite3_errmsg(db_) : "closed"; }
  // Replaces SQLite's automatic checkpoint: after each commit on this connection,
  // `onCommit(arg, framesInWal)` runs (on the committing thread, inside the commit).
  // nullptr removes the hook (and does not bring the automatic checkpoint back).
  void onWalCommit(void (*onCommit)(void* arg, int framesInWal), void* arg);
  // PRAGMA wal_checkpoint(PASSIVE) from this connection: copies what it can of the WAL
  // into the database and syncs it, without waiting for other connections.
  Status checkpointPassive();
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t changes() const { return sqlite3_changes64(db_); }

 private:
  sqlite3* db_ = nullptr;
  void (*onCommit_)(void*, int) = nullptr;
  void* onCommitArg_ = nullptr;
};

}  // namespace clemmys::store
