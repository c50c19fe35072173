// simtee_test_guest: a program the process tests launch through the simtee.
// Each argument is one command; results go to stdout, one line each:
//   quote        -> "quote <base64>" (report data 0x00..0x3f)
//   seal:LABEL   -> "seal <hex>"
//   incr:NAME    -> "incr <value>"
//   status       -> "nonewprivs <n>" and "seccomp <n>" from /proc/self/status
//   ptrace       -> "ptrace <errno name or ok>"
//   sleep        -> sleeps until killed
//   read:PATH    -> "read ok <bytes>" or "read <errno name>"
//   write:PATH   -> "write ok" or "write <errno name>" (creates or truncates PATH)
//   uid          -> "uid <uid> <gid> <supplementary group count>"
//   env:NAME     -> "env <value>" or "env unset"
#include <errno.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "common/encoding.h"
#include "tee/simtee_client.h"

int main(int argc, char** argv) {
  const char* socket = std::getenv("CLEMMYS_SIMTEE_SOCKET");
  clemmys::tee::SimteeClient client(socket != nullptr ? socket : "");
  for (int i = 1; i < argc; ++i) {
    std::string cmd = argv[i];
    if (cmd == "quote") {
      clemmys::tee::ReportData rd{};
      for (size_t k = 0; k < rd.size(); ++k) rd[k] = static_cast<uint8_t>(k);
      auto q = client.quote(rd);
      std::printf("quote %s\n", q ? clemmys::base64Encode(*q).c_str() : ("ERR:" + q.error().name).c_str());
    } else if (cmd.rfind("seal:", 0) == 0) {
      auto k = client.sealingKey(cmd.substr(5));
      std::printf("seal %s\n", k ? clemmys::toHex(k->view()).c_str() : ("ERR:" + k.error().name).c_str());
    } else if (cmd.rfind("incr:", 0) == 0) {
      auto v = client.counterIncrement(cmd.substr(5));
      std::printf("incr %s\n", v ? std::to_string(*v).c_str() : ("ERR:" + v.error().name).c_str());
    } else if (cmd == "status") {
      std::ifstream in("/proc/self/status");
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("NoNewPrivs:", 0) == 0) std::printf("nonewprivs %s\n", line.substr(line.find_first_not_of(" \t", 11)).c_str());
        if (line.rfind("Seccomp:", 0) == 0) std::printf("seccomp %s\n", line.substr(line.find_first_not_of(" \t", 8)).c_str());
      }
    } else if (cmd == "ptrace") {
      long rc = ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
      std::printf("ptrace %s\n", rc == 0 ? "ok" : (errno == EPERM ? "EPERM" : std::strerror(errno)));
    } else if (cmd.rfind("read:", 0) == 0) {
      FILE* f = std::fopen(cmd.c_str() + 5, "rb");
      if (f == nullptr) {
        std::printf("read %s\n", strerrorname_np(errno));
      } else {
        char buf[4096];
        size_t total = 0, n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) total += n;
        std::fclose(f);
        std::printf("read ok %zu\n", total);
      }
    } else if (cmd.rfind("write:", 0) == 0) {
      FILE* f = std::fopen(cmd.c_str() + 6, "wb");
      std::printf("write %s\n", f != nullptr ? "ok" : strerrorname_np(errno));
      if (f != nullptr) std::fclose(f);
    } else if (cmd == "uid") {
      std::printf("uid %u %u %d\n", ::getuid(), ::getgid(), ::getgroups(0, nullptr));
    } else if (cmd.rfind("env:", 0) == 0) {
      const char* v = std::getenv(cmd.c_str() + 4);
      std::printf("env %s\n", v != nullptr ? v : "unset");
    } else if (cmd == "sleep") {
      std::fflush(stdout);
      for (;;) ::pause();
    }
    std::fflush(stdout);
  }
  return 0;
}
