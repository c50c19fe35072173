// The `clemmys` client commands, in the style of OpenWhisk's `wsk`:
//   clemmys action create|update|get|list|delete|invoke ...
//   clemmys activation list|get|result|logs ...
//   clemmys namespace list
//   clemmys property get
// Output for people by default; --json prints the server's raw JSON for scripts.
// Exit status: 0 success, 1 server/network/application error, 2 usage or configuration
// error (bad flags, unreadable files, no API host or auth).
// Thread safety: each call is independent; run() reads the process environment.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/config.h"

namespace clemmys::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// argv[0] is "clemmys", argv[1] the command group. Reads HOME, WSK_CONFIG_FILE,
// __OW_API_HOST and __OW_API_KEY from the process environment.
int run(int argc, char** argv, std::ostream& out, std::ostream& err);

// Same, with the words after argv[0] and an explicit environment (for tests).
int runWith(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
            std::ostream& err);

}  // namespace clemmys::cli
