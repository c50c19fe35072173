// `clemmys`: the platform (`up`) and the client CLI (`action`, `activation`, ...).
#include <cstring>
#include <iostream>
#include <string>

#include "cli/cli.h"
#include "platform/demo.h"
#include "platform/service_runner.h"
#include "platform/untrusted_side.h"
#include "platform/up.h"
#ifdef CLEMMYS_HAVE_ATTEST
#include "attest/verify_command.h"
#endif
#ifdef CLEMMYS_HAVE_KMSCLIENT
#include "kmsclient/commands.h"
#endif
#ifdef CLEMMYS_HAVE_OWNER
#include "owner/owner_commands.h"
#endif

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "up") return clemmys::platform::upCommand(argc, argv, std::cout, std::cerr);
  if (command == "demo") return clemmys::platform::demoCommand(argc, argv, std::cout, std::cerr);
  // The secure platform's controller + invoker process (`clemmys up` starts it).
  if (command == "untrusted") return clemmys::platform::untrustedCommand(argc, argv, std::cout, std::cerr);
  // One trusted service launched through the simtee and supervised alone (systemd).
  if (command == "service") return clemmys::platform::serviceCommand(argc, argv, std::cout, std::cerr);
#ifdef CLEMMYS_HAVE_ATTEST
  if (command == "attest") return clemmys::attest::runAttestCommand(argc, argv, std::cout, std::cerr);
#endif
#ifdef CLEMMYS_HAVE_KMSCLIENT
  if (command == "keygen" || command == "policy" || command == "kms") {
    return clemmys::runKmsCommand(argc, argv, std::cout, std::cerr);
  }
#endif
#ifdef CLEMMYS_HAVE_OWNER
  if (command == "owner") return clemmys::owner::ownerCommand(argc, argv, std::cout, std::cerr);
#endif
  return clemmys::cli::run(argc, argv, std::cout, std::cerr);
}
