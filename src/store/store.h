// The controller's durable state in SQLite (WAL): the installation's subjects, the
// action documents, and activation records. Schema: doc/formats/store-schema.md.
//
// Activation crash safety: the controller inserts a *pending* row when an activation
// starts and replaces it with the complete record in one statement when it ends
// (possibly through the write-behind queue, see insertPendingLater). On
// open, every pending row left by a crash becomes a completed record with status
// "whisk internal error" and an explanatory error result, so a reader never sees a
// half-written record.
//
// Documents are stored as JSON text and returned unparsed; the store does not
// interpret action documents and only patches activation documents in recovery.
// Thread safety: all methods are thread-safe (one connection behind a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/random.h"

namespace clemmys::store {

inline constexpr int kSchemaVersion = 1;

struct Subject {
  std::string uuid;
  std::string key;  // 64 alphanumeric characters
  std::string ns;
};

struct ActionRow {
  std::string ns;    // "guest"
  std::string name;  // "name" or "pkg/name"
  std::string doc;   // the full JSON document
  std::string revision;
  int64_t updatedMs = 0;
};

struct ActivationRow {
  std::string id;    // 32 lowercase hex
  std::string ns;    // namespace the activation belongs to
  std::string name;  // "name" or "pkg/name" (the entity path inside ns)
  int64_t startMs = 0;
  int64_t endMs = 0;
  int statusCode = 0;  // 0..3 as OpenWhisk
  bool pending = false;
  std::string doc;  // full record; for a pending row, the record skeleton
};

struct ActivationQuery {
  std::string ns;
  std::optional<std::string> name;  // exact entity path
  std::optional<int64_t> sinceMs;   // start >= since
  std::optional<int64_t> uptoMs;    // start <= upto
  int limit = 30;
  int skip = 0;
  bool idsOnly = false;  // rows without `doc` (read each with getActivation)
};

class Store {
 public:
  // Opens (creating if needed) <dataDir>/controller/clemmys.db, migrates it, and
  // recovers pending activations. Errors: "store.open_failed",
  // "store.schema_too_new" (written by a newer Clemmys), "store.sqlite".
  static Result<std::unique_ptr<Store>> open(const std::string& dataDir);
  ~Store();

  // Number of pending activations turned into failed records by open().
  int recoveredOnOpen() const { return recovered_; }

  // Returns the subject owning `ns`, creating it (uuid v4, 64-char key) if absent.
  Result<Subject> ensureSubject(const std::string& ns, Random& random);
  Result<std::vector<Subject>> subjects();

  Result<std::optional<ActionRow>> getAction(const std::string& ns, const std::string& name);
  Status putAction(const ActionRow& row);  // insert or replace
  Result<bool> deleteAction(const std::string& ns, const std::string& name);
  // Ordered by name.
  Result<std::vector<ActionRow>> listActions(const std::string& ns, int limit, int skip);
  Result<int64_t> countActions(const std::string& ns);

  // Errors: "store.duplicate_id" when the id was used before.
  Status insertPending(const ActivationRow& row);
  // Writes the complete record (pending = false) over the pending row, atomically.
  Status completeActivation(const ActivationRow& row);

  // Write-behind: completeActivation, queued and committed by a writer thread in
  // batches (one transaction per batch), so no request waits for SQLite. Queued
  // writes commit in order; reads of activations (get, list, count) flush() first,
  // so they see every write queued before them. A crash loses what was queued but
  // not committed: use it only where that is harmless — for a record whose pending
  // row was written or queued before it (committed, it then reads as interrupted;
  // lost too, its client never had the id), and for a sequence component (only its
  // parent's record, queued after it, names it).
  // Failures are logged (there is no caller left to tell).
  void completeActivationLater(ActivationRow row);
  // Write-behind pending row, for an invoke whose client learns the id only later
  // (doc/formats/store-schema.md). The duplicate check is synchronous: the id is
  // claimed among the queued ids, then (`checkStored`, for an id the caller supplied)
  // looked up in the table. Errors: "store.duplicate_id", "store.*" (lookup failed).
  Status insertPendingLater(ActivationRow row, bool checkStored);
  // Waits until everything queued before the call is committed (or failed).
  void flush();
  // `flushFirst` false: skips the flush, for a listing that flushed once already.
  Result<std::optional<ActivationRow>> getActivation(const std::string& ns, const std::string& id,
                                                     bool flushFirst = true);
  // Newest first (by start, then id).
  Result<std::vector<ActivationRow>> listActivations(const ActivationQuery& q);
  Result<int64_t> countActivations(const ActivationQuery& q);
  // Retention: deletes at most `limit` complete activations whose start is before
  // `beforeMs` (pending rows are kept); returns how many it deleted.
  Result<int64_t> expireActivations(int64_t beforeMs, int limit);

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  void startWriter();
  void stopWriter();  // drains the queue first
  std::unique_ptr<Impl> impl_;
  int recovered_ = 0;
};

// The error result given to activations interrupted by a crash.
inline constexpr const char* kInterruptedMessage =
    "The activation was interrupted because the controller stopped unexpectedly; its outcome "
    "is unknown.";

}  // namespace clemmys::store
