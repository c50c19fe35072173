#include "runtime/log_sealer.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace clemmys::runtime {
namespace {

void writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the log reader is gone; nothing better to do
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

LogSealer::LogSealer(const envelope::KeyRing& keys, Random& random, std::string marker, std::string sentinel)
    : keys_(keys), random_(random), marker_(std::move(marker)), sentinel_(std::move(sentinel)) {}

Result<std::unique_ptr<LogSealer>> LogSealer::start(const envelope::KeyRing& keys, Random& random,
                                                     std::string marker, std::string sentinel, int outFd,
                                                     int errFd) {
  std::unique_ptr<LogSealer> sealer(new LogSealer(keys, random, std::move(marker), std::move(sentinel)));
  int fds[2] = {outFd, errFd};
  for (size_t i = 0; i < 2; ++i) {
    Stream& s = sealer->streams_[i];
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return fail("runtime.log_pipe", "pipe: " + std::string(strerror(errno)));
    s.savedFd = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    if (s.savedFd < 0 || ::dup2(p[1], fds[i]) < 0) {
      ::close(p[0]);
      ::close(p[1]);
      return fail("runtime.log_pipe", "dup: " + std::string(strerror(errno)));
    }
    ::close(p[1]);  // fds[i] (inheritable, unlike p[1]) is now the only write end
    s.takenFd = fds[i];
    s.readFd = p[0];
    // Non-blocking: finish() and the reader may both try; whoever finds it empty moves on.
    ::fcntl(s.readFd, F_SETFL, ::fcntl(s.readFd, F_GETFL) | O_NONBLOCK);
  }
  for (size_t i = 0; i < 2; ++i) {
    sealer->streams_[i].reader = std::thread([raw = sealer.get(), i] { raw->readLoop(i); });
  }
  return sealer;
}

LogSealer::~LogSealer() {
  for (auto& s : streams_) {
    if (s.takenFd >= 0) ::dup2(s.savedFd, s.takenFd);  // the real stream back
  }
  // Readers poll, so they stop even while an ActionLoop child still holds the pipe.
  stop_ = true;
  for (auto& s : streams_) {
    if (s.reader.joinable()) s.reader.join();
    if (s.readFd >= 0) ::close(s.readFd);
    if (s.savedFd >= 0) ::close(s.savedFd);
  }
}

LogSealer::Pumped LogSealer::pump(size_t index) {
  Stream& s = streams_[index];
  char chunk[8192];
  ssize_t n = ::read(s.readFd, chunk, sizeof chunk);
  if (n < 0) return errno == EINTR ? Pumped::data : errno == EAGAIN ? Pumped::empty : Pumped::closed;
  if (n == 0) return Pumped::closed;
  std::string& buffer = s.buffer;
  buffer.append(chunk, static_cast<size_t>(n));
  size_t start = 0;
  std::lock_guard lock(mu_);
  for (;;) {
    size_t nl = buffer.find('\n', start);
    if (nl == std::string::npos) break;
    emitLocked(index, std::string_view(buffer).substr(start, nl - start));
    start = nl + 1;
  }
  buffer.erase(0, start);
  while (buffer.size() >= kMaxLineBytes) {
    emitLocked(index, std::string_view(buffer).substr(0, kMaxLineBytes));
    buffer.erase(0, kMaxLineBytes);
  }
  return Pumped::data;
}

void LogSealer::readLoop(size_t index) {
  Stream& s = streams_[index];
  while (!stop_) {
    pollfd p{s.readFd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    std::lock_guard readLock(s.readMu);
    if (pump(index) == Pumped::closed) break;
  }
  std::lock_guard readLock(s.readMu);
  std::lock_guard lock(mu_);
  if (!s.buffer.empty()) emitLocked(index, s.buffer);
  s.buffer.clear();
}

void LogSealer::emitLocked(size_t index, std::string_view line) {
  Stream& s = streams_[index];
  // The marker may follow output that had no newline of its own.
  if (line.size() >= marker_.size() && line.substr(line.size() - marker_.size()) == marker_) {
    std::string_view before = line.substr(0, line.size() - marker_.size());
    if (!before.empty()) emitLocked(index, before);
    writeAll(s.savedFd, sentinel_ + "\n");
    ++s.markers;
    cv_.notify_all();
    return;
  }
  if (!context_) {
    if (pendingBytes_ + line.size() <= kMaxPendingBytes) {
      pending_.emplace_back(index, std::string(line));
      pendingBytes_ += line.size();
    }
    return;
  }
  writeSealedLocked(index, line);
}

void LogSealer::writeSealedLocked(size_t index, std::string_view line) {
  envelope::Header h;
  h.type = envelope::Type::log;
  h.keyVersion = context_->keyVersion;
  h.id = context_->id;
  h.expiresMs = context_->expiresMs;
  h.target = envelope::kGatewayTarget;
  auto sealed = envelope::seal(h, crypto::asBytes(line), keys_, random_);
  // A line that cannot be sealed is dropped: never written in plaintext.
  if (!sealed) return;
  writeAll(streams_[index].savedFd, "clemmys:" + envelope::toWire(*sealed) + "\n");
}

void LogSealer::begin(const Context& context) {
  std::lock_guard lock(mu_);
  context_ = context;
  for (const auto& [index, line] : pending_) writeSealedLocked(index, line);
  pending_.clear();
  pendingBytes_ = 0;
}

uint64_t LogSealer::ticket() const {
  std::lock_guard lock(mu_);
  return std::max(streams_[0].markers, streams_[1].markers) + 1;
}

void LogSealer::finish(uint64_t ticket, bool dropHeld) {
  // The marker was written before this call, so draining until it shows up ends
  // without blocking; an empty pipe means a reader thread took it (waited for below).
  for (size_t i = 0; i < 2; ++i) {
    std::lock_guard readLock(streams_[i].readMu);
    auto passed = [&] {
      std::lock_guard lock(mu_);
      return streams_[i].markers >= ticket;
    };
    while (!passed() && pump(i) == Pumped::data) {
    }
  }
  std::unique_lock lock(mu_);
  // The marker is written by this process right after the function returned, so it
  // arrives promptly; the bound only guards against a reader that died.
  cv_.wait_for(lock, std::chrono::seconds(10),
               [&] { return streams_[0].markers >= ticket && streams_[1].markers >= ticket; });
  if (dropHeld) {
    pending_.clear();
    pendingBytes_ = 0;
  }
  context_.reset();
}

}  // namespace clemmys::runtime
