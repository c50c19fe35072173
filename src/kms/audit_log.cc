#include "kms/audit_log.h"

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/encoding.h"
#include "crypto/digest.h"

namespace clemmys::kms {
namespace {

namespace json = boost::json;

std::string chainHash(const std::string& prev, const std::string& body) {
  return toHex(crypto::sha256(crypto::asBytes(prev + body)));
}

const std::string kZero(64, '0');

}  // namespace

Result<uint64_t> verifyAuditLog(const std::string& path, std::string* lastHash) {
  std::ifstream in(path);
  std::string prev = kZero, line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      json::object o = json::parse(line).as_object();
      std::string hash = json::value_to<std::string>(o.at("hash"));
      o.erase("hash");
      if (json::value_to<std::string>(o.at("prev")) != prev || o.at("seq").to_number<uint64_t>() != n + 1 ||
          chainHash(prev, json::serialize(o)) != hash) {
        return fail("kms.audit_broken", "audit chain broken at line " + std::to_string(n + 1));
      }
      prev = hash;
      ++n;
    } catch (const std::exception& e) {
      return fail("kms.audit_broken", "unparsable line " + std::to_string(n + 1));
    }
  }
  if (lastHash != nullptr) *lastHash = prev;
  return n;
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string& path, const Clock& clock, int64_t windowMs,
                                                 uint64_t samplesPerWindow) {
  std::string prev;
  auto lines = verifyAuditLog(path, &prev);
  if (!lines) return std::unexpected(lines.error());
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return fail("kms.audit_io", "cannot open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<AuditLog>(new AuditLog(f, clock, *lines, prev, windowMs, samplesPerWindow));
}

AuditLog::~AuditLog() {
  if (file_ == nullptr) return;
  {
    std::lock_guard lock(mu_);
    (void)flushSummariesLocked(clock_.nowMs() + windowMs_);  // stopping: the window is over
  }
  std::fclose(file_);
}

Status AuditLog::writeLocked(json::object o) {
  o["prev"] = prev_;
  std::string hash = chainHash(prev_, json::serialize(o));
  o["hash"] = hash;
  std::string line = json::serialize(o) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    return fail("kms.audit_io", "cannot append to the audit log");
  }
  ++seq_;
  prev_ = hash;
  return {};
}

Status AuditLog::flushSummariesLocked(int64_t now) {
  if (now - windowStartMs_ < windowMs_) return {};
  for (auto it = suppressed_.begin(); it != suppressed_.end(); it = suppressed_.erase(it)) {
    json::object o;
    o["seq"] = seq_ + 1;
    o["time"] = isoTimestampMs(now);
    o["result"] = "refused_summary";
    o["error"] = it->first;
    o["suppressed"] = it->second;
    o["from"] = isoTimestampMs(windowStartMs_);
    o["to"] = isoTimestampMs(windowStartMs_ + windowMs_);
    if (auto st = writeLocked(std::move(o)); !st) return st;
  }
  windowStartMs_ = now - (now - windowStartMs_) % windowMs_;
  refusalsInWindow_ = 0;
  return {};
}

Status AuditLog::append(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  int64_t now = clock_.nowMs();
  if (auto st = flushSummariesLocked(now); !st) return st;
  if (e.error && ++refusalsInWindow_ > samples_) {
    ++suppressed_[*e.error];  // error names are ours: a bounded set
    return {};
  }
  json::object o;
  o["seq"] = seq_ + 1;
  o["time"] = isoTimestampMs(now);
  o["session"] = e.session;
  o["service"] = e.service;
  o["function"] = e.function;
  o["measurement"] = e.measurementHex;
  o["evidence_type"] = e.evidenceType;
  o["insecure"] = e.insecure;
  o["result"] = e.error ? "refused" : "released";
  o["error"] = e.error ? json::value(*e.error) : json::value(nullptr);
  return writeLocked(std::move(o));
}

}  // namespace clemmys::kms
