#include "simtee/measurement.h"

#include <string_view>

namespace clemmys::simtee {
namespace {

void putBe(crypto::Bytes& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

constexpr std::string_view kDomain = "clemmys-simtee/measurement/v2";

}  // namespace

crypto::Bytes canonicalLaunchConfig(const std::vector<std::string>& argv, const tee::SandboxOptions& s,
                                    const crypto::Sha256Digest* rootfs) {
  crypto::Bytes out;
  putBe(out, argv.empty() ? 0 : argv.size() - 1, 4);
  for (size_t i = 1; i < argv.size(); ++i) {
    putBe(out, argv[i].size(), 4);
    out.insert(out.end(), argv[i].begin(), argv[i].end());
  }
  uint8_t flags = (s.userNamespace ? 1 : 0) | (s.pidNamespace ? 2 : 0) | (s.mountNamespace ? 4 : 0) |
                  (s.ipcNamespace ? 8 : 0) | (s.netNamespace ? 16 : 0) | (s.seccomp ? 32 : 0) |
                  (s.privateTmp ? 64 : 0);
  out.push_back(flags);
  putBe(out, s.memoryLimitBytes, 8);
  putBe(out, s.maxOpenFiles, 8);
  out.push_back(rootfs != nullptr ? 1 : 0);
  if (rootfs != nullptr) out.insert(out.end(), rootfs->begin(), rootfs->end());
  return out;
}

crypto::Sha256 measurementPrefix(crypto::ByteView executable) {
  crypto::Bytes head(kDomain.begin(), kDomain.end());
  head.push_back(0);
  putBe(head, executable.size(), 8);
  crypto::Sha256 h;
  h.update(head).update(executable);
  return h;
}

crypto::Sha256Digest finishMeasurement(const crypto::Sha256& prefix, const std::vector<std::string>& argv,
                                       const tee::SandboxOptions& sandbox, const crypto::Sha256Digest* rootfs) {
  crypto::Sha256 h = prefix;
  h.update(canonicalLaunchConfig(argv, sandbox, rootfs));
  return h.digest();
}

crypto::Sha256Digest measure(crypto::ByteView executable, const std::vector<std::string>& argv,
                             const tee::SandboxOptions& sandbox, const crypto::Sha256Digest* rootfs) {
  return finishMeasurement(measurementPrefix(executable), argv, sandbox, rootfs);
}

}  // namespace clemmys::simtee
