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

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string& path, const Clock& clock) {
  std::string prev;
  auto lines = verifyAuditLog(path, &prev);
  if (!lines) return std::unexpected(lines.error());
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return fail("kms.audit_io", "cannot open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<AuditLog>(new AuditLog(f, clock, *lines, prev));
}

AuditLog::~AuditLog() {
  if (file_ != nullptr) std::fclose(file_);
}

Status AuditLog::append(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  json::object o;
  o["seq"] = seq_ + 1;
  o["time"] = isoTimestampMs(clock_.nowMs());
  o["session"] = e.session;
  o["service"] = e.service;
  o["function"] = e.function;
  o["measurement"] = e.measurementHex;
  o["evidence_type"] = e.evidenceType;
  o["insecure"] = e.insecure;
  o["result"] = e.error ? "refused" : "released";
  o["error"] = e.error ? json::value(*e.error) : json::value(nullptr);
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

}  // namespace clemmys::kms
