// AuditLog: append-only, hash-chained JSON lines, one per release decision
// (doc/kms.md, "Audit log"). Each line is
//   {"seq":N,"time":"<RFC 3339>","session":..,"service":..,"function":..,
//    "measurement":"<hex>","evidence_type":..,"insecure":bool,
//    "result":"released"|"refused","error":"<name>"|null,
//    "prev":"<hex>","hash":"<hex>"}
// where hash = SHA-256(prev || the line's JSON without the "hash" member) and
// prev is the previous line's hash (64 zeros for the first). Deleting,
// reordering or editing a line breaks the chain (verifyAuditLog).
//
// Releases are always written. Refusals, which anyone can cause, are bounded:
// per window of `windowMs` the first `samplesPerWindow` are written in full, the
// others counted per error name and written, once the window is over (at the next
// append, or in the destructor), as one line per name:
//   {"seq","time","result":"refused_summary","error":"<name>","suppressed":N,
//    "from":"<RFC 3339>","to":"<RFC 3339>","prev","hash"}
// (doc/kms.md, "Audit log").
// Thread safety: append() is safe to call concurrently.
#pragma once

#include <boost/json/object.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/error.h"

namespace clemmys::kms {

struct AuditEntry {
  std::string session, service, function, measurementHex, evidenceType;
  bool insecure = false;
  std::optional<std::string> error;  // set when refused
};

class AuditLog {
 public:
  // Opens (creating) the file and continues its chain. Errors: kms.audit_io,
  // kms.audit_broken (the existing file fails verification).
  static Result<std::unique_ptr<AuditLog>> open(const std::string& path, const Clock& clock,
                                                int64_t windowMs = 60'000, uint64_t samplesPerWindow = 10);
  ~AuditLog();

  // A release (entry.error unset) is written before this returns success; a
  // refusal may only be counted (see above).
  Status append(const AuditEntry& entry);

 private:
  AuditLog(std::FILE* file, const Clock& clock, uint64_t seq, std::string prev, int64_t windowMs,
           uint64_t samples)
      : file_(file), clock_(clock), seq_(seq), prev_(std::move(prev)), windowMs_(windowMs), samples_(samples) {}
  Status writeLocked(boost::json::object line);
  Status flushSummariesLocked(int64_t now);

  std::FILE* file_;
  const Clock& clock_;
  std::mutex mu_;
  uint64_t seq_;
  std::string prev_;
  int64_t windowMs_;
  uint64_t samples_;
  int64_t windowStartMs_ = 0;
  uint64_t refusalsInWindow_ = 0;
  std::map<std::string, uint64_t> suppressed_;  // error name -> refusals not written
};

// Verifies a whole log; returns the number of lines. Error: kms.audit_broken.
Result<uint64_t> verifyAuditLog(const std::string& path, std::string* lastHash = nullptr);

}  // namespace clemmys::kms
