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

// <dir>/controller/lock, flock'ed while open: one controller per directory.
struct DirectoryLock {
  int fd = -1;
  DirectoryLock() = default;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();
};

struct Store::Impl {
  DirectoryLock lock;  // first: released only after every connection closed
  Db db;
  std::mutex mu;  // the connection and its statements
  Stmt getAction, putAction, deleteAction, listActions, countActions;
  Stmt insertPending, complete, insertComplete, getActivation, activationExists;
  Stmt listAll, listByName, countAll, countByName, expireActivations;
  Stmt getSubjectByNs, insertSubject, allSubjects;

  // Checkpoints run on this second connection, in the writer thread and without
  // `mu`: a checkpoint syncs the database file (milliseconds on a slow disk), and a
  // request that needs `mu` (the duplicate-id lookup of every gateway invoke) must
  // not wait for it. The main connection's WAL hook asks for one (checkpointDue).
  // Declared after `db` and the statements: closed first, so `db` is the last
  // connection and its close checkpoints the rest and removes the WAL.
  Db checkpointer;
  bool checkpointDue = false;  // guarded by qmu
  ~Impl();  // unregisters the WAL hook: qmu and the condition variables go before db

  // Write-behind (activation_writer.cc). Lock order: qmu is never held while taking mu.
  std::mutex qmu;
  std::condition_variable queued, committed;
  std::deque<ActivationRow> queue;                   // guarded by qmu
  std::unordered_set<std::string> queuedPendingIds;  // claimed, not yet committed; qmu
  uint64_t enqueuedCount = 0;                        // guarded by qmu
  uint64_t committedCount = 0;                       // guarded by qmu
  bool stopping = false;                             // guarded by qmu
  int flushers = 0;                                  // readers waiting in flush(); guarded by qmu
  std::thread writer;

  // Caller holds mu.
  Status insertPendingLocked(const ActivationRow& r);
  Status completeLocked(const ActivationRow& r);
  Result<bool> activationExistsLocked(const std::string& id);
  // The main connection's WAL hook (runs under mu): past kCheckpointFrames, wakes the
  // writer for a checkpoint. Takes qmu (mu -> qmu is the allowed order).
  static void walCommitted(void* impl, int framesInWal);
  // The synchronous duplicate check of every pending row (store-schema.md): an id is
  // claimed while its pending row is queued or being inserted. Take qmu inside.
  bool claimPendingId(const std::string& id);
  void releasePendingId(const std::string& id);
};

}  // namespace clemmys::store
