// Secure mode's log channel: everything written to the runtime's stdout/stderr (by
// an in-process cpp function, or by ActionLoop children that inherited those fds) is
// read line by line and re-emitted on the real stream as `clemmys:<LOG envelope>`,
// sealed with the current activation's id and expiry (doc/secure-mode.md). Each
// line's body carries its stream and its number in that stream (0, 1, …, per
// activation); finish() returns how many lines each stream sealed, for the step's
// sealed output, so the gateway can tell a dropped, reordered or cut-off line.
//
// How: start() takes over two fds (normally 1 and 2): it keeps a dup of the real
// stream and dup2()s a pipe's write end over the fd; one thread per stream reads the
// pipe while a function runs (so a chatty function never blocks on a full pipe).
// When an activation ends, everything the function wrote is already in the pipes (an
// in-process function's stdio was flushed; ActionLoop launchers flush before they
// answer), so finish() drains them itself, seals a trailing partial line, and writes
// the plaintext sentinel on each real stream: no marker travels through the pipe and
// no thread hand-off is on the warm path. A function printing the sentinel text gets
// it sealed like any other line, so it cannot end its activation's logs early.
// Lines written while no activation is open (e.g. a module's top-level prints during
// /init) are held (up to kMaxPendingBytes) and sealed into the next activation, as
// OpenWhisk attributes init output to the first activation; a failed /init drops them
// (there is no activation to seal them to).
// Thread safety: begin/finish from the (serialised) request thread; readers internal.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/random.h"
#include "envelope/chain.h"
#include "envelope/sealer.h"

namespace clemmys::runtime {

class LogSealer {
 public:
  static constexpr size_t kMaxLineBytes = 16u << 10;     // longer lines are sealed in pieces
  static constexpr size_t kMaxPendingBytes = 256u << 10;  // held init output
  static constexpr int kPipeBytes = 1 << 20;               // requested pipe capacity

  struct Context {
    envelope::Id id{};
    uint64_t expiresMs = 0;
    uint32_t keyVersion = 0;
  };

  // Takes over `outFd` and `errFd`; `sentinel` ends each activation on the real
  // streams. Error: runtime.log_pipe (pipe/dup failed).
  static Result<std::unique_ptr<LogSealer>> start(const envelope::KeyRing& keys, Random& random,
                                                  std::string sentinel, int outFd = 1, int errFd = 2);
  ~LogSealer();  // restores the fds, joins the readers

  // Opens an activation: held lines are sealed into it first.
  void begin(const Context& context);
  // Call after the function's output was flushed: drains both pipes, seals what is
  // left, writes the sentinels and closes the activation. `dropHeld`: discard held
  // lines (a failed /init: nobody to seal to). Returns the lines sealed per stream
  // in the activation (zero when none was open).
  envelope::LogCounts finish(bool dropHeld = false);

  LogSealer(const LogSealer&) = delete;
  LogSealer& operator=(const LogSealer&) = delete;

 private:
  struct Stream {
    int takenFd = -1;  // the fd we replaced (1 or 2)
    int savedFd = -1;  // dup of the real stream
    int readFd = -1;   // pipe read end
    std::thread reader;
    // Held while reading a chunk and emitting its lines, so lines leave in pipe
    // order whichever thread (reader or finish()) reads them. Taken before mu_.
    std::mutex readMu;
    std::string buffer;     // a partial line; guarded by readMu
  };
  enum class Pumped { data, empty, closed };
  LogSealer(const envelope::KeyRing& keys, Random& random, std::string sentinel);
  void readLoop(size_t index);
  // One non-blocking read of the stream's pipe, its complete lines emitted.
  // Caller holds the stream's readMu.
  Pumped pump(size_t index);
  void emitLocked(size_t index, std::string_view line);
  void writeSealedLocked(size_t index, std::string_view line);

  const envelope::KeyRing& keys_;
  Random& random_;
  std::string sentinel_;
  Stream streams_[2];
  mutable std::mutex mu_;
  std::atomic<bool> stop_{false};
  std::optional<Context> context_;
  uint32_t sealed_[2] = {0, 0};  // next seq per stream in the open activation; guarded by mu_
  std::vector<std::pair<size_t, std::string>> pending_;
  size_t pendingBytes_ = 0;
};

}  // namespace clemmys::runtime
