#include "envelope/log_order.h"

#include <algorithm>

namespace clemmys::envelope {
namespace {

uint32_t countOf(const LogCounts& c, size_t stream) { return stream == 0 ? c.out : c.err; }
const char* nameOf(size_t stream) { return stream == 0 ? "stdout" : "stderr"; }

}  // namespace

Bytes encodeLogBody(LogStream stream, uint32_t seq, std::string_view line) {
  Bytes out;
  out.reserve(5 + line.size());
  out.push_back(static_cast<uint8_t>(stream));
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(seq >> s));
  out.insert(out.end(), line.begin(), line.end());
  return out;
}

Result<LogLine> decodeLogBody(ByteView body) {
  if (body.size() < 5 || body[0] > 1) return fail("envelope.malformed_body", "LOG stream/seq");
  LogLine l;
  l.stream = static_cast<LogStream>(body[0]);
  for (size_t i = 1; i < 5; ++i) l.seq = (l.seq << 8) | body[i];
  l.text.assign(reinterpret_cast<const char*>(body.data()) + 5, body.size() - 5);
  return l;
}

Status LogOrder::checkStream(size_t s) const {
  const auto& seqs = seqs_[s];
  std::vector<uint32_t> sorted = seqs;
  std::sort(sorted.begin(), sorted.end());
  std::string name = nameOf(s);
  // L3: not beyond what the step sealed.
  if (counts_ && !sorted.empty() && sorted.back() >= countOf(*counts_, s))
    return fail("gateway.log_extended", name + " line " + std::to_string(sorted.back()) + " of " +
                                            std::to_string(countOf(*counts_, s)));
  // L2: no line missing below the highest one present.
  uint64_t distinct = static_cast<uint64_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
  if (!sorted.empty() && distinct < static_cast<uint64_t>(sorted.back()) + 1)
    return fail("gateway.log_dropped", name + ": " + std::to_string(distinct) + " distinct lines up to line " +
                                           std::to_string(sorted.back()));
  // L1: in order, each line once.
  for (size_t i = 0; i < seqs.size(); ++i)
    if (seqs[i] != i) return fail("gateway.log_reordered", name + " line " + std::to_string(seqs[i]) + " at " +
                                                               std::to_string(i));
  // L4: every line the step sealed arrived.
  if (counts_ && seqs.size() != countOf(*counts_, s))
    return fail("gateway.log_truncated", name + ": " + std::to_string(seqs.size()) + " of " +
                                             std::to_string(countOf(*counts_, s)) + " lines");
  return {};
}

Status LogOrder::check() const {
  for (size_t s = 0; s < 2; ++s)
    if (auto st = checkStream(s); !st) return st;
  return {};
}

}  // namespace clemmys::envelope
