// `clemmys service run CONFIG` (doc/formats/service-config.md): one trusted service
// (KMS, gateway) launched through the simtee and supervised on its own, as an
// operator runs it under systemd; and the configs `clemmys up` writes for it.
// Untrusted: it only asks the simtee, which measures what it launches.
// Thread safety: one service per process.
#pragma once

#include <csignal>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "common/error.h"

namespace clemmys::platform {

inline constexpr char kServiceConfigFormat[] = "clemmys-service v1";

struct ServiceConfig {
  std::string name;
  std::string simteeSocket;
  std::vector<std::string> argv;
  std::string rootfs;
  uint16_t listenPort = 0;  // 0: no listen socket
  bool listen = false;
  std::vector<std::string> env;
  std::map<std::string, std::string> envFromFiles;
  std::string ready;
  std::string expectMeasurement;
};

std::string serviceConfigJson(const ServiceConfig& config);
// Error: service.bad_config.
Result<ServiceConfig> parseServiceConfig(std::string_view json);

// Runs the service until one of `stopSignals` (blocked by the caller) arrives (exit
// 0) or the process exits by itself (exit 1). Errors before it serves: exit 1 with
// the named error on `err`.
int runService(const ServiceConfig& config, const sigset_t& stopSignals, std::ostream& out, std::ostream& err);

// argv[0]="clemmys", argv[1]="service". Exit 2 on usage.
int serviceCommand(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace clemmys::platform
