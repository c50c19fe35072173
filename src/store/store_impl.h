// Store's private parts, shared by store.cc (open, reads, synchronous writes) and
// activation_writer.cc (the write-behind queue). Not for other modules.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "store/sqlite.h"
#include "store/store.h"

namespace clemmys::store {

inline Status duplicateActivationId(const std::string& id) {
  return fail("store.duplicate_id", "activation id " + id + " is already in use");
}

struct Store::Impl {
  Db db;
  std::mutex mu;  // the connection and its statements
  Stmt getAction, putAction, deleteAction, listActions, countActions;
  Stmt insertPending, complete, insertComplete, getActivation, activationExists;
  Stmt listAll, listByName, countAll, countByName;
  Stmt getSubjectByNs, insertSubject, allSubjects;

  // A second, read-only connection for the request path's duplicate-id lookup: in
  // WAL mode it reads while the writer commits or checkpoints (an fsync that can
  // take milliseconds), where the main connection's mutex would make it wait.
  Db reader;
  std::mutex readerMu;  // the reader connection and its statement
  Stmt activationExistsRead;
  int lockFd = -1;      // <dir>/controller/lock, flock'ed: one controller per directory
  ~Impl();

  // Write-behind (activation_writer.cc). Lock order: qmu is never held while taking mu.
  std::mutex qmu;
  std::condition_variable queued, committed;
  std::deque<ActivationRow> queue;           // guarded by qmu
  std::unordered_set<std::string> queuedPendingIds;  // claimed, not yet committed; qmu
  uint64_t enqueuedCount = 0;     // guarded by qmu
  uint64_t committedCount = 0;    // guarded by qmu
  bool stopping = false;          // guarded by qmu
  int flushers = 0;               // readers waiting in flush(); guarded by qmu
  std::thread writer;

  // Caller holds mu.
  Status insertPendingLocked(const ActivationRow& r);
  Status completeLocked(const ActivationRow& r);
  Result<bool> activationExistsLocked(const std::string& id);
  // Through the reader connection; takes readerMu only.
  Result<bool> activationStored(const std::string& id);
  // The synchronous duplicate check of every pending row (store-schema.md): an id is
  // claimed while its pending row is queued or being inserted. Take qmu inside.
  bool claimPendingId(const std::string& id);
  void releasePendingId(const std::string& id);
};

}  // namespace clemmys::store
