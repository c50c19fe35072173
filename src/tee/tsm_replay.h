// Test only: TsmReplay presents one recorded configfs-tsm report (TDX quote or
// SNP report, with its auxblob) in a plain directory the way the kernel presents
// /sys/kernel/config/tsm/report (Documentation/ABI/testing/configfs-tsm), so that
// ConfigfsTsmAttester runs unchanged against it.
//
// The kernel answers synchronously: a read of `outblob` returns the report for
// the `inblob` written just before. A watcher (inotify) on an ordinary directory
// cannot: the attester reads right after its write, before any watcher runs. So
// an entry's attribute files are FIFOs, and one serving thread answers each open
// by a reader with what the kernel would return at that moment:
//   inblob      read (its read end is held open); a write closed by the writer
//               counts as one report request (generation + 1)
//   generation  the number of completed inblob writes, then "\n"
//   outblob, auxblob, provider
//               the recording (provider + "\n"), once inblob was written; empty
//               before (the kernel fails such a read; the attester then reports
//               tee.tsm_empty_outblob)
// Entries are made by makeEntry(), the attester's EntryNamer, which does what
// the kernel's mkdir does: the entry and its attribute files exist when the
// attester's own mkdir finds it (EEXIST, which the attester tolerates). The
// attester's rmdir fails on a plain directory; the destructor removes entries.
//
// Thread safety: makeEntry() and inblobs() may be called from any thread. A
// reader is expected to read one attribute file at a time (as the attester does).
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace clemmys::tee::testing {

struct TsmRecording {
  std::string outblob;
  std::string auxblob;   // "" for TDX
  std::string provider;  // "tdx_guest" or "sev_guest"
};

class TsmReplay {
 public:
  // `root` must be an existing directory.
  TsmReplay(std::string root, TsmRecording recording);
  ~TsmReplay();
  TsmReplay(const TsmReplay&) = delete;
  TsmReplay& operator=(const TsmReplay&) = delete;

  // Creates the next entry ("replay-<n>") and returns its name.
  std::string makeEntry();
  // Everything attesters wrote to inblob, one string per completed write.
  std::vector<std::string> inblobs() const;

 private:
  struct Output {
    std::string name;
    bool busy = false;  // served; its reader may still hold the FIFO open
  };
  struct Entry {
    std::string path;
    int inblobFd = -1;
    std::string pending;
    uint64_t writes = 0;
    std::vector<Output> outputs;
  };
  void serve();
  void drainInblob(Entry& e);
  std::string content(const Entry& e, const std::string& name) const;
  void serveOutputs(Entry& e);

  std::string root_;
  TsmRecording recording_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  std::vector<std::string> inblobs_;
  std::atomic<bool> stop_{false};
  std::thread server_;
};

}  // namespace clemmys::tee::testing
