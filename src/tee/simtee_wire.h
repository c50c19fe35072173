// Framing of the clemmys-simtee Unix-socket protocol
// (doc/formats/simtee-protocol.md): a u32 big-endian length, then that many
// bytes of a JSON object; file descriptors ride as SCM_RIGHTS on the frame.
// Shared by the daemon and SimteeClient. Stateless; thread-safe per fd.
//
// Errors: simtee.protocol (bad or oversized frame, too many fds),
// simtee.disconnected (peer closed), simtee.io.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace clemmys::tee {

inline constexpr size_t kMaxFrameBytes = 1 << 20;
inline constexpr size_t kMaxFramefds = 16;

struct Frame {
  std::string json;
  std::vector<int> fds;  // received descriptors; the receiver owns and closes them
};

// Sends one frame; `fds` (not closed) travel with its first byte.
Status sendFrame(int socketFd, const std::string& json, const std::vector<int>& fds = {});
// Receives one frame. Descriptors beyond kMaxFramefds, or arriving after the
// first byte, are closed and the frame is refused.
Result<Frame> receiveFrame(int socketFd);

// Connects to a Unix stream socket (CLOEXEC). Error: simtee.unavailable.
Result<int> connectUnix(const std::string& path);

}  // namespace clemmys::tee
