// Collects one runtime instance's stdout/stderr lines and hands them out per
// activation, the way OpenWhisk's invoker reads a container's log: every line up to
// the sentinel `XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX` on BOTH streams belongs to the
// current activation; lines after a stream's sentinel wait for the next one.
//
// Lines are formatted on arrival as `<ISO-8601 ts, ns, padded to 30> <stream>: text`
// and capped per activation by a byte limit (the action's `logs` limit); past the
// limit lines are dropped (memory stays bounded) and take() appends OpenWhisk's
// truncation notice.
//
// Thread safety: all methods may be called concurrently (one mutex). In the invoker
// the activation's thread does everything: it reads the pipes (Instance) and calls
// append()/endOfStream(), then complete() and take().
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace clemmys::invoker {

inline constexpr std::string_view kLogSentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

enum class LogStream { out = 0, err = 1 };

// "<ts padded to 30> stdout: text" (OpenWhisk's `%-30s %s: %s`). Trailing whitespace
// and CR of `text` are trimmed; bytes that are not UTF-8 become U+FFFD
// (runtime/log_text.h), so the record stays valid JSON.
std::string formatLogLine(std::string_view timestamp, LogStream stream, std::string_view text);

// OpenWhisk's notice, e.g. "Logs were truncated because the total bytes size exceeds
// the limit of 10485760 bytes."
std::string truncationNotice(uint64_t limitBytes);

class LogCollector {
 public:
  LogCollector() = default;

  // Starts a new activation's accounting with the given byte limit (counted over the
  // raw text of the lines). Lines already buffered stay and count toward it.
  void begin(uint64_t limitBytes);

  // Called by the reader for every complete line (without the newline).
  void append(LogStream stream, std::string_view text);
  // Called by the reader when a stream reached EOF (process gone).
  void endOfStream(LogStream stream);

  // True when a sentinel is buffered on both streams (or a stream ended): the
  // activation's logs are complete.
  bool complete() const;

  // Removes and returns the current activation's lines (up to and including each
  // stream's first sentinel; sentinels themselves are not returned) plus the
  // truncation notice if lines were dropped.
  std::vector<std::string> take();

  // Drops everything buffered (e.g. output printed before /init).
  void clear();

 private:
  struct Entry {
    LogStream stream;
    bool sentinel;
    std::string line;  // formatted; empty for sentinels
  };

  mutable std::mutex mu_;
  std::deque<Entry> entries_;
  int sentinels_[2] = {0, 0};  // sentinels buffered per stream
  bool eof_[2] = {false, false};
  uint64_t limitBytes_ = 10ull << 20;
  uint64_t usedBytes_ = 0;
  bool truncated_ = false;
};

}  // namespace clemmys::invoker
