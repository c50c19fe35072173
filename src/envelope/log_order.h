// Sealed log lines and their order (doc/formats/envelope.md §2 body(LOG), §4 L1–L4).
// A LOG body numbers the lines of each stream of one activation; the message the
// step seals at its end carries how many lines it sealed per stream (LogCounts, in
// chain.h), so a reader can tell a dropped, reordered, added or truncated line.
// Thread safety: LogOrder is a plain value, one reader at a time.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "envelope/chain.h"

namespace clemmys::envelope {

enum class LogStream : uint8_t { out = 0, err = 1 };

struct LogLine {
  LogStream stream = LogStream::out;
  uint32_t seq = 0;
  std::string text;
};

Bytes encodeLogBody(LogStream stream, uint32_t seq, std::string_view line);
// Exact grammar: stream byte 0 or 1, a 4-byte seq, the line. Error: envelope.malformed_body.
Result<LogLine> decodeLogBody(ByteView body);

// Collects the lines of a record in the order it lists them, then names what is
// wrong, checks in this order: L3 gateway.log_extended (a seq beyond the sealed
// count), L2 gateway.log_dropped (a seq missing below the highest one present),
// L1 gateway.log_reordered (seqs out of order or repeated), L4
// gateway.log_truncated (the last lines missing). With counts (from the record's
// sealed outcome) every check applies; without (a record whose outcome is a
// platform error) L1 and L2 only.
class LogOrder {
 public:
  explicit LogOrder(std::optional<LogCounts> counts) : counts_(counts) {}
  void add(const LogLine& line) { seqs_[static_cast<size_t>(line.stream)].push_back(line.seq); }
  Status check() const;

 private:
  Status checkStream(size_t stream) const;
  std::optional<LogCounts> counts_;
  std::array<std::vector<uint32_t>, 2> seqs_;
};

}  // namespace clemmys::envelope
