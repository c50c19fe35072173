// Bodies of INVOKE/RESULT/ERROR envelopes: the chain spec (what was invoked and the
// ordered list of (fqn, code digest) steps), the log line counts of the step that
// sealed the message, then the JSON payload.
// Grammar in doc/formats/envelope.md section 2. Thread safety: none needed.
#pragma once

#include <string>
#include <vector>

#include "envelope/envelope.h"

namespace clemmys::envelope {

inline constexpr size_t kMaxChainLength = 50;

struct Link {
  std::string fqn;
  Digest codeDigest{};
  bool operator==(const Link&) const = default;
};

struct ChainSpec {
  std::string seq;          // fqn of what the client invoked
  std::vector<Link> steps;  // 1..50
};

Bytes encodeChainSpec(const ChainSpec& chain);
Digest chainId(const ChainSpec& chain);

// Lines sealed per stream by the step that sealed a message (log_order.h).
struct LogCounts {
  uint32_t out = 0, err = 0;
  bool operator==(const LogCounts&) const = default;
};

struct MessageBody {
  ChainSpec chain;
  Bytes chainSpecBytes;  // as received, for the chain_id check
  LogCounts logs;
  std::string payload;   // JSON text
};

Bytes encodeMessageBody(const ChainSpec& chain, std::string_view payload, LogCounts logs = {});
// P4: exact grammar, counts and lengths in range. Error: envelope.malformed_body.
Result<MessageBody> decodeMessageBody(ByteView body);

// SHA-256(kind || 0x00 || main || 0x00 || code).
Digest codeDigest(std::string_view kind, std::string_view main, std::string_view code);
// With per-action heap settings (doc/heap.md), `heap` their canonical JSON text:
// SHA-256("clemmys/v1/code+heap" || 0x00 || codeDigest(kind, main, code) || heap).
// Empty `heap` gives codeDigest(kind, main, code): actions without settings keep theirs.
Digest codeDigest(std::string_view kind, std::string_view main, std::string_view code, std::string_view heap);

}  // namespace clemmys::envelope
