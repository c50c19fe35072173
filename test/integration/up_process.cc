#include "up_process.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/encoding.h"

namespace clemmys::testing {

std::string makeTempDir() {
  std::string t = "/tmp/clemmys-it.XXXXXX";
  return mkdtemp(t.data());
}

UpProcess::UpProcess(const std::string& dataDir, std::vector<std::string> extraArgs, bool secure)
    : secure_(secure) {
  SpawnOptions o;
  o.argv = {CLEMMYS_BIN, "up", "--port", "0", "--data-dir", dataDir};
  if (!secure) o.argv.insert(o.argv.begin() + 2, "--plain");
  for (auto& a : extraArgs) o.argv.push_back(a);
  o.pipeStdout = true;
  auto child = spawn(o);
  if (!child) return;
  child_ = std::move(*child);
  std::string line;
  char ch;
  while (::read(child_.stdoutFd(), &ch, 1) == 1) {
    if (ch != '\n') {
      line += ch;
      continue;
    }
    if (line.rfind("clemmys ready", 0) == 0) break;
    line.clear();
  }
  if (line.rfind("clemmys ready", 0) != 0) return;
  std::ifstream in(dataDir + "/wskprops");
  std::string l, caFile;
  while (std::getline(in, l)) {
    if (l.rfind("APIHOST=http://127.0.0.1:", 0) == 0) port_ = std::atoi(l.c_str() + 25);
    if (l.rfind("APIHOST=https://127.0.0.1:", 0) == 0) port_ = std::atoi(l.c_str() + 26);
    if (l.rfind("AUTH=", 0) == 0) authHeader_ = "Basic " + base64Encode(l.substr(5));
    if (l.rfind("CACERT=", 0) == 0) caFile = l.substr(7);
  }
  if (secure_) {
    std::ifstream ca(caFile);
    std::stringstream pem;
    pem << ca.rdbuf();
    if (pem.str().empty()) return;
    client_ = std::make_unique<http::Client>("127.0.0.1", port_, http::ClientTls{pem.str(), "127.0.0.1", true});
  } else {
    client_ = std::make_unique<http::Client>("127.0.0.1", port_);
  }
  ready_ = port_ != 0 && !authHeader_.empty();
}

UpProcess::~UpProcess() { child_.terminate(std::chrono::milliseconds(15000)); }

Result<http::Response> UpProcess::call(const std::string& method, const std::string& target,
                                       const std::string& body) {
  return client_->request(method, target, body, {{"Authorization", authHeader_}});
}

Result<http::Response> UpProcess::callAs(const std::string& authHeader, const std::string& method,
                                         const std::string& target, const std::string& body) {
  return client_->request(method, target, body, {{"Authorization", authHeader}});
}

std::vector<pid_t> UpProcess::childPids() const {
  std::vector<pid_t> pids;
  DIR* d = opendir("/proc");
  if (!d) return pids;
  while (auto* e = readdir(d)) {
    pid_t p = std::atoi(e->d_name);
    if (p <= 0) continue;
    std::ifstream st("/proc/" + std::to_string(p) + "/stat");
    std::string s;
    std::getline(st, s);
    auto close = s.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(s.substr(close + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    if (ppid == child_.pid()) pids.push_back(p);
  }
  closedir(d);
  return pids;
}

}  // namespace clemmys::testing
