// wakeup_bench: what one request/response between two processes costs when both
// sleep in poll() between messages, as every hop of the platform does (gateway ->
// controller -> runtime). Unix socketpair and TCP loopback, with the two processes
// free to run on any CPU and pinned to the same one. Prints a Markdown table.
// The difference between the columns is the cost of waking a thread on another
// (idle, halted) CPU: on a VM, an inter-processor interrupt plus the hypervisor's
// exit and entry (doc/performance.md).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr size_t kMessageBytes = 300;  // about a no-op /run request

bool waitReadable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 5000) == 1;
}

bool exchange(int fd, char* buf, size_t n) {
  if (::write(fd, buf, n) != static_cast<ssize_t>(n)) return false;
  size_t got = 0;
  while (got < n) {
    if (!waitReadable(fd)) return false;
    ssize_t r = ::read(fd, buf + got, n - got);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

void echo(int fd) {
  char buf[kMessageBytes];
  for (;;) {
    size_t got = 0;
    while (got < sizeof buf) {
      if (!waitReadable(fd)) _exit(0);
      ssize_t r = ::read(fd, buf + got, sizeof buf - got);
      if (r <= 0) _exit(0);
      got += static_cast<size_t>(r);
    }
    if (::write(fd, buf, sizeof buf) != static_cast<ssize_t>(sizeof buf)) _exit(0);
  }
}

std::pair<int, int> unixPair() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::exit(1);
  return {sv[0], sv[1]};
}

std::pair<int, int> tcpPair() {
  int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(l, 1) != 0 ||
      ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    std::exit(1);
  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) std::exit(1);
  int s = ::accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
  ::close(l);
  int one = 1;
  ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return {c, s};
}

struct Figures {
  double p50 = 0, mean = 0;
};

// Round trips between this process and a forked echo process; `cpu` >= 0 pins both.
Figures measure(std::pair<int, int> (*makePair)(), int cpu, int rounds) {
  cpu_set_t saved;
  sched_getaffinity(0, sizeof saved, &saved);
  if (cpu >= 0) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    sched_setaffinity(0, sizeof one, &one);
  }
  auto [mine, theirs] = makePair();
  pid_t child = ::fork();
  if (child == 0) {
    ::close(mine);
    echo(theirs);
  }
  ::close(theirs);
  char buf[kMessageBytes];
  std::memset(buf, 'x', sizeof buf);
  std::vector<double> us;
  us.reserve(static_cast<size_t>(rounds));
  for (int i = 0; i < rounds / 10; ++i) exchange(mine, buf, sizeof buf);  // warm-up
  for (int i = 0; i < rounds; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (!exchange(mine, buf, sizeof buf)) break;
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  ::close(mine);
  ::waitpid(child, nullptr, 0);
  sched_setaffinity(0, sizeof saved, &saved);
  Figures f;
  if (us.empty()) return f;
  double sum = 0;
  for (double v : us) sum += v;
  f.mean = sum / static_cast<double>(us.size());
  std::nth_element(us.begin(), us.begin() + static_cast<long>(us.size() / 2), us.end());
  f.p50 = us[us.size() / 2];
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 20000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--rounds") rounds = std::max(100, std::atoi(argv[i + 1]));
  }
  std::printf("| transport | any CPU p50 µs | any CPU mean µs | same CPU p50 µs | same CPU mean µs | any / same (p50) |\n");
  std::printf("|---|---|---|---|---|---|\n");
  struct {
    const char* name;
    std::pair<int, int> (*make)();
  } transports[] = {{"unix socketpair", unixPair}, {"TCP loopback", tcpPair}};
  for (auto& t : transports) {
    Figures any = measure(t.make, -1, rounds);
    Figures same = measure(t.make, 0, rounds);
    std::printf("| %s | %.1f | %.1f | %.1f | %.1f | %.1f |\n", t.name, any.p50, any.mean, same.p50, same.mean,
                same.p50 > 0 ? any.p50 / same.p50 : 0.0);
  }
  std::printf("\n%d round trips of %zu bytes each way per cell; both processes sleep in poll() between messages.\n",
              rounds, kMessageBytes);
  return 0;
}
