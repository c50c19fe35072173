// Store's write-behind queue: one writer thread commits queued activation writes in
// batches. Under load the queue fills while a batch commits, so one transaction (one
// WAL append) carries many records; when idle a batch is a single record.
#include "common/log.h"
#include "store/store_impl.h"

namespace clemmys::store {
namespace {

void enqueue(Store::Impl& s, ActivationRow row) {
  {
    std::lock_guard lock(s.qmu);
    s.queue.push_back(std::move(row));
    ++s.enqueuedCount;
  }
  s.queued.notify_one();
}

// Commits `batch` in one transaction; a failing statement is logged and skipped (the
// others still commit), a failing COMMIT is logged and the batch is lost.
void commitBatch(Store::Impl& s, const std::deque<ActivationRow>& batch) {
  std::lock_guard lock(s.mu);
  bool inTransaction = batch.size() > 1 && s.db.exec("BEGIN IMMEDIATE").has_value();
  for (const auto& row : batch) {
    if (Status done = s.completeLocked(row); !done) log::error("store: recording " + row.id + ": " + done.error().str());
  }
  if (inTransaction) {
    if (auto st = s.db.exec("COMMIT"); !st) {
      log::error("store: committing " + std::to_string(batch.size()) + " activation writes: " + st.error().str());
      (void)s.db.exec("ROLLBACK");
    }
  }
}

void writerLoop(Store::Impl& s) {
  for (;;) {
    std::deque<ActivationRow> batch;
    {
      std::unique_lock lock(s.qmu);
      s.queued.wait(lock, [&] { return s.stopping || !s.queue.empty(); });
      if (s.queue.empty()) return;  // stopping, and everything is written
      batch.swap(s.queue);
    }
    commitBatch(s, batch);
    {
      std::lock_guard lock(s.qmu);
      s.committedCount += batch.size();
    }
    s.committed.notify_all();
  }
}

}  // namespace

void Store::completeActivationLater(ActivationRow row) { enqueue(*impl_, std::move(row)); }

void Store::flush() {
  std::unique_lock lock(impl_->qmu);
  uint64_t target = impl_->enqueuedCount;
  impl_->committed.wait(lock, [&] { return impl_->committedCount >= target; });
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
