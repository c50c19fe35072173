// TsmReplay (tsm_replay.h): FIFOs served by one polling thread.
#include "tee/tsm_replay.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace clemmys::tee::testing {
namespace {

void writeAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the reader went away: it gets what it got
    done += static_cast<size_t>(n);
  }
}

// A writer end if a reader has the FIFO open, else -1 (ENXIO).
int openForReader(const std::string& path) { return ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC); }

}  // namespace

TsmReplay::TsmReplay(std::string root, TsmRecording recording)
    : root_(std::move(root)), recording_(std::move(recording)) {
  server_ = std::thread([this] { serve(); });
}

TsmReplay::~TsmReplay() {
  stop_ = true;
  server_.join();
  for (auto& e : entries_) {
    ::close(e.inblobFd);
    std::error_code ec;
    std::filesystem::remove_all(e.path, ec);
  }
}

std::string TsmReplay::makeEntry() {
  std::lock_guard lock(mu_);
  std::string name = "replay-" + std::to_string(entries_.size());
  Entry e;
  e.path = root_ + "/" + name;
  if (::mkdir(e.path.c_str(), 0700) != 0) throw std::runtime_error("mkdir " + e.path);
  for (const char* f : {"inblob", "outblob", "auxblob", "provider", "generation"}) {
    if (::mkfifo((e.path + "/" + f).c_str(), 0600) != 0) throw std::runtime_error("mkfifo " + e.path + "/" + f);
  }
  // Held open so that a writer's open never blocks, as on configfs.
  e.inblobFd = ::open((e.path + "/inblob").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (e.inblobFd < 0) throw std::runtime_error("open inblob");
  for (const char* f : {"outblob", "auxblob", "provider", "generation"}) e.outputs.push_back(Output{f});
  entries_.push_back(std::move(e));
  return name;
}

std::vector<std::string> TsmReplay::inblobs() const {
  std::lock_guard lock(mu_);
  return inblobs_;
}

void TsmReplay::serve() {
  // A reader that closes early must cost this thread an EPIPE, not the test
  // process a SIGPIPE (the signal is directed at the writing thread).
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  while (!stop_) {
    {
      std::lock_guard lock(mu_);
      for (auto& e : entries_) serveOutputs(e);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

// Reads what a writer put into inblob. read() returns 0 only when no writer
// has the FIFO open: after data, that is the writer's close, i.e. one request.
void TsmReplay::drainInblob(Entry& e) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(e.inblobFd, buf, sizeof(buf));
    if (n > 0) {
      e.pending.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0 && !e.pending.empty()) {
      inblobs_.push_back(std::move(e.pending));
      e.pending.clear();
      ++e.writes;
    }
    return;  // 0 with nothing pending, or EAGAIN: a writer still has it open
  }
}

std::string TsmReplay::content(const Entry& e, const std::string& name) const {
  if (name == "generation") return std::to_string(e.writes) + "\n";
  if (e.writes == 0) return "";
  if (name == "outblob") return recording_.outblob;
  if (name == "auxblob") return recording_.auxblob;
  return recording_.provider + "\n";
}

void TsmReplay::serveOutputs(Entry& e) {
  drainInblob(e);
  for (auto& out : e.outputs) {
    std::string path = e.path + "/" + out.name;
    int fd = openForReader(path);
    if (fd < 0) {
      out.busy = false;  // no reader: the last one has closed
      continue;
    }
    if (out.busy) {  // the reader we answered has not closed yet: answer no twice
      ::close(fd);
      continue;
    }
    // A reader of any attribute has finished writing inblob (reads are one at
    // a time), so what is in the pipe now is the whole request.
    drainInblob(e);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    writeAll(fd, content(e, out.name));
    ::close(fd);
    out.busy = true;
    for (auto& other : e.outputs) {
      if (&other != &out) other.busy = false;  // one reader at a time: the others are done
    }
  }
}

}  // namespace clemmys::tee::testing
