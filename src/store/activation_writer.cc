// Store's write-behind queue: one writer thread commits queued activation writes in
// batches. The writer wakes for the first queued record, then gathers for up to
// kBatchWindow (or until kBatchMax records, a reader's flush(), or stop) and commits
// them in one transaction: one WAL append and one thread wake-up for many records,
// instead of one per request. It also runs the WAL checkpoints, on its own
// connection and outside `mu` (store_impl.h), when the main connection's WAL hook
// asks for one.
#include <chrono>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "common/log.h"
#include "store/store_impl.h"

namespace clemmys::store {
namespace {

constexpr auto kBatchWindow = std::chrono::milliseconds(2);
constexpr size_t kBatchMax = 256;
constexpr int kCheckpointFrames = 1000;  // SQLite's own automatic threshold

void enqueue(Store::Impl& s, ActivationRow row) {
  {
    std::lock_guard lock(s.qmu);
    s.queue.push_back(std::move(row));
    ++s.enqueuedCount;
    // Only the first record wakes the writer (it then gathers) and a full batch.
    if (s.queue.size() != 1 && s.queue.size() != kBatchMax) return;
  }
  s.queued.notify_one();
}

// Commits `batch` in one transaction; a failing statement is logged and skipped (the
// others still commit), a failing COMMIT is logged and the batch is lost. A pending
// row whose complete record is in the same batch is not written: the record is.
void commitBatch(Store::Impl& s, const std::deque<ActivationRow>& batch) {
  std::unordered_set<std::string_view> completed;
  for (const auto& row : batch) {
    if (!row.pending) completed.insert(row.id);
  }
  std::lock_guard lock(s.mu);
  bool inTransaction = batch.size() > 1 && s.db.exec("BEGIN IMMEDIATE").has_value();
  for (const auto& row : batch) {
    if (row.pending && completed.contains(row.id)) continue;
    Status done = row.pending ? s.insertPendingLocked(row) : s.completeLocked(row);
    if (!done) log::error("store: recording " + row.id + ": " + done.error().str());
  }
  if (inTransaction) {
    if (auto st = s.db.exec("COMMIT"); !st) {
      log::error("store: committing " + std::to_string(batch.size()) +
                 " activation writes: " + st.error().str());
      (void)s.db.exec("ROLLBACK");
    }
  }
}

// A passive checkpoint on the writer's own connection, outside `mu`: requests keep
// reading and committing on the main connection while it syncs the database file.
void checkpoint(Store::Impl& s) {
  if (auto st = s.checkpointer.checkpointPassive(); !st) log::error("store: " + st.error().str());
}

void writerLoop(Store::Impl& s) {
  for (;;) {
    std::deque<ActivationRow> batch;
    {
      std::unique_lock lock(s.qmu);
      s.queued.wait(lock, [&] { return s.stopping || !s.queue.empty() || s.checkpointDue; });
      if (s.queue.empty() && s.stopping) return;  // everything is written
      if (!s.queue.empty()) {
        s.queued.wait_for(lock, kBatchWindow, [&] {
          return s.stopping || s.flushers > 0 || s.queue.size() >= kBatchMax;
        });
        batch.swap(s.queue);
      }
    }
    if (!batch.empty()) {
      commitBatch(s, batch);
      {
        std::lock_guard lock(s.qmu);
        s.committedCount += batch.size();
        // Committed (or failed and logged): a later invoke of the id meets the table.
        for (const auto& row : batch) {
          if (row.pending) s.queuedPendingIds.erase(row.id);
        }
      }
      s.committed.notify_all();
    }
    // After the batch and its waiters: a flush() never waits for a checkpoint.
    bool due = false;
    {
      std::lock_guard lock(s.qmu);
      due = std::exchange(s.checkpointDue, false);
    }
    if (due) checkpoint(s);
  }
}

}  // namespace

void Store::completeActivationLater(ActivationRow row) { enqueue(*impl_, std::move(row)); }

void Store::Impl::walCommitted(void* impl, int framesInWal) {
  if (framesInWal < kCheckpointFrames) return;
  auto& s = *static_cast<Impl*>(impl);
  {
    std::lock_guard lock(s.qmu);
    if (s.checkpointDue) return;
    s.checkpointDue = true;
  }
  s.queued.notify_one();
}

bool Store::Impl::claimPendingId(const std::string& id) {
  std::lock_guard lock(qmu);
  return queuedPendingIds.insert(id).second;
}

void Store::Impl::releasePendingId(const std::string& id) {
  std::lock_guard lock(qmu);
  queuedPendingIds.erase(id);
}

Status Store::insertPendingLater(ActivationRow row, bool checkStored) {
  Impl& s = *impl_;
  row.pending = true;
  if (!s.claimPendingId(row.id)) return duplicateActivationId(row.id);
  if (checkStored) {
    Result<bool> stored = false;
    {
      std::lock_guard lock(s.mu);
      stored = s.activationExistsLocked(row.id);
    }
    if (!stored || *stored) {
      s.releasePendingId(row.id);
      return stored ? duplicateActivationId(row.id) : Status(std::unexpected(stored.error()));
    }
  }
  enqueue(s, std::move(row));  // the claim is released once its batch committed
  return {};
}

void Store::flush() {
  std::unique_lock lock(impl_->qmu);
  uint64_t target = impl_->enqueuedCount;
  if (impl_->committedCount >= target) return;
  ++impl_->flushers;
  impl_->queued.notify_all();  // the writer stops gathering: a reader waits
  impl_->committed.wait(lock, [&] { return impl_->committedCount >= target; });
  --impl_->flushers;
}

void Store::startWriter() {
  Impl& s = *impl_;
  s.writer = std::thread([&s] { writerLoop(s); });
}

void Store::stopWriter() {
  {
    std::lock_guard lock(impl_->qmu);
    impl_->stopping = true;
  }
  impl_->queued.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
}

}  // namespace clemmys::store
