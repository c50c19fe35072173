// AuditLog: append-only, hash-chained JSON lines, one per release decision
// (doc/kms.md, "Audit log"). Each line is
//   {"seq":N,"time":"<RFC 3339>","session":..,"service":..,"function":..,
//    "measurement":"<hex>","evidence_type":..,"insecure":bool,
//    "result":"released"|"refused","error":"<name>"|null,
//    "prev":"<hex>","hash":"<hex>"}
// where hash = SHA-256(prev || the line's JSON without the "hash" member) and
// prev is the previous line's hash (64 zeros for the first). Deleting,
// reordering or editing a line breaks the chain (verifyAuditLog).
// Thread safety: append() is safe to call concurrently.
#pragma once

#include <cstdio>
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
  static Result<std::unique_ptr<AuditLog>> open(const std::string& path, const Clock& clock);
  ~AuditLog();

  Status append(const AuditEntry& entry);

 private:
  AuditLog(std::FILE* file, const Clock& clock, uint64_t seq, std::string prev)
      : file_(file), clock_(clock), seq_(seq), prev_(std::move(prev)) {}

  std::FILE* file_;
  const Clock& clock_;
  std::mutex mu_;
  uint64_t seq_;
  std::string prev_;
};

// Verifies a whole log; returns the number of lines. Error: kms.audit_broken.
Result<uint64_t> verifyAuditLog(const std::string& path, std::string* lastHash = nullptr);

}  // namespace clemmys::kms
