#include "store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/migrations.h"
#include "store/sqlite.h"
#include "store/store_impl.h"

namespace clemmys::store {

namespace json = boost::json;

namespace {

#define TRY(expr)                                \
  do {                                           \
    auto _r = (expr);                            \
    if (!_r) return std::unexpected(_r.error()); \
  } while (0)

Result<int> readSchemaVersion(Db& db) {
  TRY(db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"));
  auto st = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return 0;
  return std::stoi(st->text(0));
}

Status migrate(Db& db) {
  auto version = readSchemaVersion(db);
  if (!version) return std::unexpected(version.error());
  auto all = migrations();
  if (*version > static_cast<int>(all.size()))
    return fail("store.schema_too_new", "the database has schema version " +
                                            std::to_string(*version) +
                                            " but this Clemmys understands versions up to " +
                                            std::to_string(all.size()) + "; use a newer Clemmys");
  for (size_t v = static_cast<size_t>(*version); v < all.size(); ++v) {
    TRY(db.exec("BEGIN IMMEDIATE"));
    Status step = db.exec(std::string(all[v]));
    if (step)
      step = db.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '" +
                     std::to_string(v + 1) + "')");
    if (!step) {
      (void)db.exec("ROLLBACK");
      return step;
    }
    TRY(db.exec("COMMIT"));
  }
  return {};
}

// Turns each pending row into a failed record: one transaction for all of them.
Result<int> recoverPending(Db& db) {
  auto sel = db.prepare("SELECT id, start, doc FROM activations WHERE pending = 1");
  if (!sel) return std::unexpected(sel.error());
  auto upd = db.prepare(
      "UPDATE activations SET end = ?2, status_code = 3, pending = 0, doc = ?3 WHERE id = ?1");
  if (!upd) return std::unexpected(upd.error());
  TRY(db.exec("BEGIN IMMEDIATE"));
  int n = 0;
  for (;;) {
    auto row = sel->step();
    if (!row) {
      (void)db.exec("ROLLBACK");
      return std::unexpected(row.error());
    }
    if (!*row) break;
    std::string id = sel->text(0);
    int64_t start = sel->int64(1);
    json::object doc;
    std::error_code ec;
    json::value parsed = json::parse(sel->text(2), ec);
    if (!ec && parsed.is_object()) doc = std::move(parsed.as_object());
    doc["activationId"] = id;
    doc["start"] = start;
    // The end is unknown; record the start so that duration stays meaningful (0).
    doc["end"] = start;
    doc["duration"] = 0;
    json::object result{{"error", kInterruptedMessage}};
    doc["response"] = json::object{{"status", "whisk internal error"},
                                   {"statusCode", 3},
                                   {"success", false},
                                   {"result", std::move(result)}};
    if (!doc.contains("logs")) doc["logs"] = json::array();
    std::string text = json::serialize(doc);
    upd->bind(1, id).bind(2, start).bind(3, text);
    auto done = upd->run();
    upd->reset();
    if (!done) {
      (void)db.exec("ROLLBACK");
      return std::unexpected(done.error());
    }
    ++n;
  }
  TRY(db.exec("COMMIT"));
  return n;
}

Status prepareAll(Store::Impl& s) {
  struct P {
    Stmt* st;
    const char* sql;
  } all[] = {
      {&s.getAction,
       "SELECT doc, revision, updated FROM actions WHERE namespace = ?1 AND name = ?2"},
      {&s.putAction,
       "INSERT OR REPLACE INTO actions (namespace, name, doc, revision, updated) "
       "VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&s.deleteAction, "DELETE FROM actions WHERE namespace = ?1 AND name = ?2"},
      {&s.listActions,
       "SELECT name, doc, revision, updated FROM actions WHERE namespace = ?1 "
       "ORDER BY name LIMIT ?2 OFFSET ?3"},
      {&s.countActions, "SELECT count(*) FROM actions WHERE namespace = ?1"},
      {&s.insertPending,
       "INSERT INTO activations (id, namespace, name, start, end, status_code, pending, doc) "
       "VALUES (?1, ?2, ?3, ?4, ?4, 0, 1, ?5)"},
      // Touches only columns outside the listing indexes, so completing an activation
      // rewrites the row and the small pending index, nothing else.
      {&s.complete,
       "UPDATE activations SET end = ?2, status_code = ?3, pending = 0, doc = ?4 WHERE id = ?1"},
      {&s.insertComplete,
       "INSERT OR REPLACE INTO activations (id, namespace, name, start, end, status_code, "
       "pending, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)"},
      {&s.activationExists, "SELECT 1 FROM activations WHERE id = ?1"},
      {&s.getActivation,
       "SELECT name, start, end, status_code, pending, doc FROM activations "
       "WHERE id = ?1 AND namespace = ?2"},
      // ?7: ids only, the (possibly large) doc not loaded.
      {&s.listAll,
       "SELECT id, name, start, end, status_code, pending, CASE WHEN ?7 THEN '' ELSE doc END "
       "FROM activations WHERE namespace = ?1 AND start >= ?2 AND start <= ?3 "
       "ORDER BY start DESC, id DESC LIMIT ?4 OFFSET ?5"},
      {&s.listByName,
       "SELECT id, name, start, end, status_code, pending, CASE WHEN ?7 THEN '' ELSE doc END "
       "FROM activations WHERE namespace = ?1 AND start >= ?2 AND start <= ?3 AND name = ?6 "
       "ORDER BY start DESC, id DESC LIMIT ?4 OFFSET ?5"},
      {&s.expireActivations,
       "DELETE FROM activations WHERE rowid IN (SELECT rowid FROM activations "
       "WHERE pending = 0 AND start < ?1 LIMIT ?2)"},
      {&s.countAll,
       "SELECT count(*) FROM activations WHERE namespace = ?1 AND start >= ?2 AND start <= ?3"},
      {&s.countByName,
       "SELECT count(*) FROM activations WHERE namespace = ?1 AND start >= ?2 AND start <= ?3 "
       "AND name = ?4"},
      {&s.getSubjectByNs, "SELECT uuid, key FROM subjects WHERE namespace = ?1"},
      {&s.insertSubject,
       "INSERT INTO subjects (uuid, key, namespace, created) VALUES (?1, ?2, ?3, ?4)"},
      {&s.allSubjects, "SELECT uuid, key, namespace FROM subjects ORDER BY created"},
  };
  for (auto& p : all) {
    auto st = s.db.prepare(p.sql);
    if (!st) return std::unexpected(st.error());
    *p.st = std::move(*st);
  }
  return {};
}

ActivationRow readActivation(Stmt& st) {
  ActivationRow r;
  r.id = st.text(0);
  r.name = st.text(1);
  r.startMs = st.int64(2);
  r.endMs = st.int64(3);
  r.statusCode = static_cast<int>(st.int64(4));
  r.pending = st.int64(5) != 0;
  r.doc = st.text(6);
  return r;
}

void bindQuery(Stmt& st, const ActivationQuery& q) {
  st.bind(1, q.ns).bind(2, q.sinceMs.value_or(INT64_MIN)).bind(3, q.uptoMs.value_or(INT64_MAX));
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { startWriter(); }
Store::~Store() { stopWriter(); }

Result<std::unique_ptr<Store>> Store::open(const std::string& dataDir) {
  std::filesystem::path dir = std::filesystem::path(dataDir) / "controller";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail("store.open_failed", dir.string() + ": " + ec.message());
  // One controller process owns a data directory: a second one gets store.locked.
  auto impl = std::make_unique<Impl>();
  std::string lockPath = (dir / "lock").string();
  impl->lock.fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (impl->lock.fd < 0) return fail("store.open_failed", lockPath + ": " + std::strerror(errno));
  if (::flock(impl->lock.fd, LOCK_EX | LOCK_NB) != 0) {
    return fail("store.locked", dir.string() + " is in use by another controller");
  }
  std::string path = (dir / "clemmys.db").string();
  auto db = Db::open(path);
  if (!db) return std::unexpected(db.error());
  // WAL + NORMAL: a commit is an append to the WAL without fsync; a power loss may
  // drop the last commits but never corrupts the database. Normal (not exclusive)
  // locking, so the checkpointer connection can work beside this one.
  TRY(
      db->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = "
               "MEMORY; PRAGMA cache_size = -16000"));
  TRY(migrate(*db));
  auto recovered = recoverPending(*db);
  if (!recovered) return std::unexpected(recovered.error());
  impl->db = std::move(*db);
  TRY(prepareAll(*impl));
  auto checkpointer = Db::open(path);
  if (!checkpointer) return std::unexpected(checkpointer.error());
  // Reading the header puts this connection in WAL mode (a checkpoint on a connection
  // that has not is a no-op); NORMAL: the checkpoint syncs WAL and database.
  TRY(checkpointer->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL"));
  impl->checkpointer = std::move(*checkpointer);
  impl->db.onWalCommit(&Impl::walCommitted, impl.get());  // no automatic checkpoints
  std::unique_ptr<Store> store(new Store(std::move(impl)));
  store->recovered_ = *recovered;
  return store;
}

Result<Subject> Store::ensureSubject(const std::string& ns, Random& random) {
  std::lock_guard lock(impl_->mu);
  {
    StmtUse st(impl_->getSubjectByNs);
    st->bind(1, ns);
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (*row) return Subject{st->text(0), st->text(1), ns};
  }
  Subject s{random.uuid(), random.alnum(64), ns};
  StmtUse ins(impl_->insertSubject);
  ins->bind(1, s.uuid).bind(2, s.key).bind(3, ns).bind(4, int64_t{0});
  TRY(ins->run());
  return s;
}

Result<std::vector<Subject>> Store::subjects() {
  std::lock_guard lock(impl_->mu);
  StmtUse st(impl_->allSubjects);
  std::vector<Subject> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(Subject{st->text(0), st->text(1), st->text(2)});
  }
}

Result<std::optional<ActionRow>> Store::getAction(const std::string& ns, const std::string& name) {
  std::lock_guard lock(impl_->mu);
  StmtUse st(impl_->getAction);
  st->bind(1, ns).bind(2, name);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ActionRow>();
  return std::optional<ActionRow>(ActionRow{ns, name, st->text(0), st->text(1), st->int64(2)});
}

Status Store::putAction(const ActionRow& r) {
  std::lock_guard lock(impl_->mu);
  StmtUse st(impl_->putAction);
  st->bind(1, r.ns).bind(2, r.name).bind(3, r.doc).bind(4, r.revision).bind(5, r.updatedMs);
  return st->run();
}

Result<bool> Store::deleteAction(const std::string& ns, const std::string& name) {
  std::lock_guard lock(impl_->mu);
  StmtUse st(impl_->deleteAction);
  st->bind(1, ns).bind(2, name);
  TRY(st->run());
  return impl_->db.changes() > 0;
}

Result<std::vector<ActionRow>> Store::listActions(const std::string& ns, int limit, int skip) {
  std::lock_guard lock(impl_->mu);
  StmtUse st(impl_->listActions);
  st->bind(1, ns).bind(2, int64_t{limit}).bind(3, int64_t{skip});
  std::vector<ActionRow> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(ActionRow{ns, st->text(0), st->text(1), st->text(2), st->int64(3)});
  }
}

Result<int64_t> Store::countActions(const std::string& ns) {
  std::lock_guard lock(impl_->mu);
  StmtUse st(impl_->countActions);
  st->bind(1, ns);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return st->int64(0);
}

Status Store::insertPending(const ActivationRow& r) {
  // Claimed for the insert's duration: a queued pending row of the same id (or one
  // being queued) is a duplicate the table cannot see yet.
  if (!impl_->claimPendingId(r.id)) return duplicateActivationId(r.id);
  Status done;
  {
    std::lock_guard lock(impl_->mu);
    done = impl_->insertPendingLocked(r);
  }
  impl_->releasePendingId(r.id);
  return done;
}

Status Store::Impl::insertPendingLocked(const ActivationRow& r) {
  StmtUse st(insertPending);
  st->bind(1, r.id).bind(2, r.ns).bind(3, r.name).bind(4, r.startMs).bind(5, r.doc);
  auto done = st->run();
  if (!done && done.error().name == "store.constraint") return duplicateActivationId(r.id);
  return done;
}

DirectoryLock::~DirectoryLock() {
  if (fd >= 0) ::close(fd);
}

Store::Impl::~Impl() { db.onWalCommit(nullptr, nullptr); }

Result<bool> Store::Impl::activationExistsLocked(const std::string& id) {
  StmtUse st(activationExists);
  st->bind(1, id);
  return st->step();
}

Status Store::completeActivation(const ActivationRow& r) {
  std::lock_guard lock(impl_->mu);
  return impl_->completeLocked(r);
}

Status Store::Impl::completeLocked(const ActivationRow& r) {
  {
    StmtUse st(complete);
    st->bind(1, r.id).bind(2, r.endMs).bind(3, int64_t{r.statusCode}).bind(4, r.doc);
    TRY(st->run());
    if (db.changes() > 0) return {};
  }
  // No pending row (a caller that records without the pending step): insert whole.
  StmtUse st(insertComplete);
  st->bind(1, r.id).bind(2, r.ns).bind(3, r.name).bind(4, r.startMs).bind(5, r.endMs);
  st->bind(6, int64_t{r.statusCode}).bind(7, r.doc);
  return st->run();
}

Result<std::optional<ActivationRow>> Store::getActivation(const std::string& ns, const std::string& id,
                                                          bool flushFirst) {
  if (flushFirst) flush();  // read your writes: queued records first
  std::lock_guard lock(impl_->mu);
  StmtUse st(impl_->getActivation);
  st->bind(1, id).bind(2, ns);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<ActivationRow>();
  ActivationRow r;
  r.id = id;
  r.ns = ns;
  r.name = st->text(0);
  r.startMs = st->int64(1);
  r.endMs = st->int64(2);
  r.statusCode = static_cast<int>(st->int64(3));
  r.pending = st->int64(4) != 0;
  r.doc = st->text(5);
  return std::optional<ActivationRow>(std::move(r));
}

Result<std::vector<ActivationRow>> Store::listActivations(const ActivationQuery& q) {
  flush();  // read your writes: queued records first
  std::lock_guard lock(impl_->mu);
  StmtUse st(q.name ? impl_->listByName : impl_->listAll);
  bindQuery(*st, q);
  st->bind(4, int64_t{q.limit}).bind(5, int64_t{q.skip}).bind(7, int64_t{q.idsOnly ? 1 : 0});
  if (q.name) st->bind(6, *q.name);
  std::vector<ActivationRow> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(readActivation(*st));
    out.back().ns = q.ns;
  }
}

Result<int64_t> Store::expireActivations(int64_t beforeMs, int limit) {
  flush();
  std::lock_guard lock(impl_->mu);
  StmtUse st(impl_->expireActivations);
  st->bind(1, beforeMs).bind(2, int64_t{limit});
  auto done = st->step();
  if (!done) return std::unexpected(done.error());
  return impl_->db.changes();
}

Result<int64_t> Store::countActivations(const ActivationQuery& q) {
  flush();
  std::lock_guard lock(impl_->mu);
  StmtUse st(q.name ? impl_->countByName : impl_->countAll);
  bindQuery(*st, q);
  if (q.name) st->bind(4, *q.name);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return st->int64(0);
}

}  // namespace clemmys::store
