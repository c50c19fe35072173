#include "tee/simtee_wire.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace clemmys::tee {
namespace {

void closeAll(const std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
}

// Collects SCM_RIGHTS descriptors from a received message (all of them, so
// none leak even when the frame is refused later).
void takeRights(msghdr& msg, std::vector<int>& out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      out.push_back(fd);
    }
  }
}

Status readExact(int fd, char* buf, size_t len, std::vector<int>* fds, bool& truncated) {
  size_t got = 0;
  while (got < len) {
    iovec iov{buf + got, len - got};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFramefds)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("simtee.io", std::string("recvmsg: ") + std::strerror(errno));
    if (n == 0) return fail("simtee.disconnected", "peer closed the connection");
    if (fds != nullptr) takeRights(msg, *fds);
    if (msg.msg_flags & MSG_CTRUNC) truncated = true;
    got += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace

Status sendFrame(int socketFd, const std::string& json, const std::vector<int>& fds) {
  if (json.size() > kMaxFrameBytes) return fail("simtee.protocol", "frame too large");
  if (fds.size() > kMaxFramefds) return fail("simtee.protocol", "too many descriptors");
  std::string wire(4, '\0');
  uint32_t len = static_cast<uint32_t>(json.size());
  for (int i = 0; i < 4; ++i) wire[i] = static_cast<char>((len >> (24 - 8 * i)) & 0xff);
  wire += json;
  size_t sent = 0;
  bool first = true;
  while (sent < wire.size()) {
    iovec iov{wire.data() + sent, wire.size() - sent};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFramefds)] = {};
    if (first && !fds.empty()) {
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
      std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ssize_t n = ::sendmsg(socketFd, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("simtee.io", std::string("sendmsg: ") + std::strerror(errno));
    first = false;
    sent += static_cast<size_t>(n);
  }
  return {};
}

Result<Frame> receiveFrame(int socketFd) {
  Frame frame;
  bool truncated = false;
  char header[4];
  if (auto st = readExact(socketFd, header, 4, &frame.fds, truncated); !st) {
    closeAll(frame.fds);
    return std::unexpected(st.error());
  }
  uint32_t len = 0;
  for (char c : header) len = (len << 8) | static_cast<uint8_t>(c);
  if (len > kMaxFrameBytes || truncated || frame.fds.size() > kMaxFramefds) {
    closeAll(frame.fds);
    return fail("simtee.protocol", "oversized frame or too many descriptors");
  }
  frame.json.resize(len);
  std::vector<int> late;
  auto st = readExact(socketFd, frame.json.data(), len, &late, truncated);
  if (!st || !late.empty()) {
    closeAll(frame.fds);
    closeAll(late);
    if (!st) return std::unexpected(st.error());
    return fail("simtee.protocol", "descriptors must travel with the first byte of a frame");
  }
  return frame;
}

Result<int> connectUnix(const std::string& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return fail("simtee.unavailable", "bad socket path");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("simtee.unavailable", std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    ::close(fd);
    return fail("simtee.unavailable", "connect " + path + ": " + std::strerror(e));
  }
  return fd;
}

}  // namespace clemmys::tee
