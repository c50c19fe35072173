#include "runtime/log_sealer.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "envelope/log_order.h"
#include "runtime/log_text.h"

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

LogSealer::LogSealer(const envelope::KeyRing& keys, Random& random, std::string sentinel)
    : keys_(keys), random_(random), sentinel_(std::move(sentinel)) {}

Result<std::unique_ptr<LogSealer>> LogSealer::start(const envelope::KeyRing& keys, Random& random,
                                                     std::string sentinel, int outFd, int errFd) {
  std::unique_ptr<LogSealer> sealer(new LogSealer(keys, random, std::move(sentinel)));
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
    // A larger pipe lets a chatty function run ahead of the reader thread.
    (void)::fcntl(s.readFd, F_SETPIPE_SZ, kPipeBytes);
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
  // The number is used even if sealing fails: the gateway then sees the gap.
  auto stream = index == 0 ? envelope::LogStream::out : envelope::LogStream::err;
  // Valid UTF-8 whatever the function wrote: the gateway puts the line into JSON.
  std::string text = toValidUtf8(line);
  auto sealed = envelope::seal(h, envelope::encodeLogBody(stream, sealed_[index]++, text), keys_, random_);
  // A line that cannot be sealed is dropped: never written in plaintext.
  if (!sealed) return;
  writeAll(streams_[index].savedFd, "clemmys:" + envelope::toWire(*sealed) + "\n");
}

void LogSealer::begin(const Context& context) {
  std::lock_guard lock(mu_);
  context_ = context;
  sealed_[0] = sealed_[1] = 0;
  for (const auto& [index, line] : pending_) writeSealedLocked(index, line);
  pending_.clear();
  pendingBytes_ = 0;
}

envelope::LogCounts LogSealer::finish(bool dropHeld) {
  std::string sentinelLine = sentinel_ + "\n";
  for (size_t i = 0; i < 2; ++i) {
    Stream& s = streams_[i];
    std::lock_guard readLock(s.readMu);  // a reader mid-chunk finishes emitting it first
    while (pump(i) == Pumped::data) {
    }
    std::lock_guard lock(mu_);
    if (!s.buffer.empty()) emitLocked(i, s.buffer);  // output that ended without a newline
    s.buffer.clear();
    writeAll(s.savedFd, sentinelLine);
  }
  std::lock_guard lock(mu_);
  if (dropHeld) {
    pending_.clear();
    pendingBytes_ = 0;
  }
  envelope::LogCounts counts;
  if (context_) counts = envelope::LogCounts{sealed_[0], sealed_[1]};
  context_.reset();
  return counts;
}

}  // namespace clemmys::runtime
