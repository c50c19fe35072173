// Attacks on the measured launch (doc/attack-suite.md, "Launch"): the untrusted side
// steering what a trusted runtime loads (loader and interpreter hooks, a fake
// interpreter, a changed file of the measured set, a refused namespace), and a tenant's
// function reaching beyond its own files and network. Each must be refused with its
// named error, or, for what a function tries, fail with the errno of a file or network
// that is not there.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "attack_fixture.h"
#include "common/subprocess.h"
#include "platform/dev_policy.h"
#include "platform/trusted_process.h"
#include "tee/simtee_client.h"

namespace clemmys::attack {
namespace {

namespace fs = std::filesystem;

struct RuntimeLaunch {
  std::vector<std::string> argv;
  std::string rootfs, measurement;
};

// What the platform's invoker launches (clemmys up writes it to runtime-launch.json).
RuntimeLaunch platformLaunch(Provider& p) {
  RuntimeLaunch out;
  auto text = platform::readTextFile(p.dataDir() + "/runtime-launch.json");
  EXPECT_TRUE(text) << text.error().str();
  if (!text) return out;
  auto v = json::parse(*text).as_object();
  for (const auto& a : v.at("argv").as_array()) out.argv.emplace_back(a.as_string());
  out.rootfs = std::string(v.at("rootfs").as_string());
  out.measurement = std::string(v.at("measurement").as_string());
  return out;
}

struct Outcome {
  Result<tee::Launched> launched = fail("attack.not_run");
  std::string output;  // stdout and stderr until the process exited (bounded)
};

// Launches `launch` through the platform's simtee with `env`, like the invoker does,
// and, with `untilExit`, collects what the runtime prints until it exits (at most 20 s).
Outcome launchRuntime(Provider& p, const RuntimeLaunch& launch, std::vector<std::string> env,
                      bool untilExit = true) {
  Outcome o;
  auto sock = platform::listenLoopback(0);
  int out[2];
  if (!sock || ::pipe2(out, O_CLOEXEC) != 0) return o;
  tee::LaunchRequest req;
  req.argv = launch.argv;
  req.env = std::move(env);
  req.rootfs = launch.rootfs;
  req.fds = {{sock->first, 3}, {out[1], 1}, {out[1], 2}};
  o.launched = tee::SimteeClient(p.dataDir() + "/simtee.sock").launch(req);
  ::close(out[1]);
  ::close(sock->first);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  char buf[4096];
  while (o.launched && untilExit && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{out[0], POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    o.output.append(buf, static_cast<size_t>(n));
  }
  if (o.launched) (void)tee::SimteeClient(p.dataDir() + "/simtee.sock").signal(o.launched->pid, SIGKILL);
  ::close(out[0]);
  return o;
}

class LaunchAttackTest : public AttackTest {};

// LD_PRELOAD / LD_LIBRARY_PATH would put the requester's code inside a process that
// attests with the policy's measurement; interpreter hooks would do the same inside
// its functions; a PATH would choose the interpreters.
TEST_F(LaunchAttackTest, LoaderAndInterpreterHooksInALaunchRequestAreRefused) {
  auto launch = platformLaunch(provider());
  std::string evil = provider().dataDir() + "/evil.so";
  std::ofstream(evil) << "not even a library";
  for (std::string hook : {"LD_PRELOAD=" + evil, "LD_LIBRARY_PATH=" + provider().dataDir(),
                           "PYTHONSTARTUP=" + evil, "NODE_OPTIONS=--require=" + evil,
                           "PATH=" + provider().dataDir() + ":/usr/bin:/bin"}) {
    auto o = launchRuntime(provider(), launch, {hook});
    ASSERT_FALSE(o.launched) << hook << " launched: " << o.output;
    EXPECT_EQ(o.launched.error().name, "simtee.env_refused") << hook;
  }
}

// A fake python3 chosen by the untrusted side: it must be in the root the launch
// names and in its argv, so the measurement is not the policy's and the KMS releases
// nothing to it.
TEST_F(LaunchAttackTest, FakeInterpreterGetsNoKeys) {
  auto launch = platformLaunch(provider());
  std::string fake = provider().dataDir() + "/fake-python3";
  std::ofstream(fake) << "#!/bin/sh\necho fake python > /tmp/owned\nexec /usr/bin/python3.11 \"$@\"\n";
  fs::permissions(fake, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  auto manifest = platform::readTextFile(launch.rootfs);
  ASSERT_TRUE(manifest);
  std::string attacker = provider().dataDir() + "/attacker.manifest";
  std::ofstream(attacker) << *manifest << "file " << sha256Hex(*platform::readTextFile(fake)) << " x " << fake << "\n";
  RuntimeLaunch forged = launch;
  forged.rootfs = attacker;
  for (size_t i = 0; i + 1 < forged.argv.size(); ++i) {
    if (forged.argv[i] == "--python") forged.argv[i + 1] = fake;
  }
  auto o = launchRuntime(provider(), forged, {});
  ASSERT_TRUE(o.launched) << o.launched.error().str();
  EXPECT_NE(o.launched->measurementHex, launch.measurement);
  EXPECT_NE(o.output.find("kms.measurement_refused"), std::string::npos) << o.output;
}

// One changed byte in a file of the measured set (the KMS certificate the runtime
// pins): the simtee refuses the launch.
TEST_F(LaunchAttackTest, ChangedFileInTheMeasuredSetIsRefused) {
  auto launch = platformLaunch(provider());
  std::string cert = provider().dataDir() + "/kms-cert.pem";
  auto original = platform::readTextFile(cert);
  ASSERT_TRUE(original);
  std::ofstream(cert, std::ios::app) << "\n";
  auto o = launchRuntime(provider(), launch, {});
  std::ofstream(cert, std::ios::trunc) << *original;
  ASSERT_FALSE(o.launched) << o.output;
  EXPECT_EQ(o.launched.error().name, "simtee.rootfs_mismatch") << o.launched.error().str();
  auto again = launchRuntime(provider(), launch, {}, false);
  EXPECT_TRUE(again.launched) << again.launched.error().str();
}

// A kernel that refuses a namespace the launch asks for: no degraded launch whose
// quote would claim the sandbox it does not have.
TEST_F(LaunchAttackTest, LaunchWhoseNamespaceIsRefusedFails) {
  std::string dir = provider().dataDir() + "/nonet";
  fs::create_directories(dir);
  SpawnOptions so;
  so.argv = {DENY_NETNS, std::string(CLEMMYS_BIN_DIR) + "/clemmys-simtee", "--socket", dir + "/sock",
             "--state-dir", dir + "/state"};
  auto daemon = spawn(so);
  ASSERT_TRUE(daemon) << daemon.error().str();
  for (int i = 0; i < 250 && !fs::exists(dir + "/sock"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  tee::LaunchRequest req;
  req.argv = {"/bin/true"};
  req.sandbox.netNamespace = true;
  auto refused = tee::SimteeClient(dir + "/sock").launch(req);
  req.sandbox.netNamespace = false;
  auto allowed = tee::SimteeClient(dir + "/sock").launch(req);
  daemon->terminate();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().name, "simtee.sandbox_unavailable") << refused.error().str();
  EXPECT_TRUE(allowed) << allowed.error().str();
}

// A tenant's python function tries what the old launch allowed: the simtee's keys, the
// owner's key and credential, the controller's database, the host's shadow file; the
// launcher script and the runtime binary for writing; the controller's API.
TEST_F(LaunchAttackTest, FunctionReachesNothingButItsOwn) {
  std::string code =
      "import errno, os, socket\n"
      "def name(e):\n    return errno.errorcode.get(e.errno, str(e.errno))\n"
      "def main(a):\n"
      "    out = {}\n"
      "    for k, p in a['read'].items():\n"
      "        try:\n            open(p, 'rb').read(1); out[k] = 'READ'\n"
      "        except OSError as e:\n            out[k] = name(e)\n"
      "    for k, p in a['write'].items():\n"
      "        try:\n            open(p, 'ab').close(); out[k] = 'WRITTEN'\n"
      "        except OSError as e:\n            out[k] = name(e)\n"
      "    try:\n"
      "        socket.create_connection(('127.0.0.1', a['port']), timeout=2).close(); out['controller'] = 'CONNECTED'\n"
      "    except OSError as e:\n        out['controller'] = name(e)\n"
      "    out['tmp'] = sorted(os.listdir('/tmp'))\n"
      "    return out\n";
  auto put = provider().call("PUT", "/api/v1/namespaces/_/actions/atk-snoop?overwrite=true",
                             json::serialize(json::object{{"exec", {{"kind", "python:3"}, {"code", code}}}}));
  ASSERT_TRUE(put && put->status == 200) << (put ? put->body : put.error().str());
  const std::string d = provider().dataDir();
  auto ports = platform::readTextFile(d + "/ports");
  ASSERT_TRUE(ports);
  int controllerPort = 0, kmsPort = 0;
  std::sscanf(ports->c_str(), "%d %d", &kmsPort, &controllerPort);
  std::string launchers = fs::weakly_canonical(std::string(CLEMMYS_BIN_DIR) + "/../share/clemmys/launchers").string();
  json::object args{
      {"read", {{"root.key", d + "/simtee/root.key"}, {"attestation.key", d + "/simtee/attestation.key"},
                {"platform.secret", d + "/simtee/platform.secret"}, {"owner.pem", d + "/owner/owner.pem"},
                {"client-auth", d + "/owner/client-auth"}, {"clemmys.db", provider().databasePath()},
                {"kms-store", d + "/kms"}, {"shadow", "/etc/shadow"}}},
      {"write", {{"launcher", launchers + "/python3_launcher.py"},
                 {"runtime", std::string(CLEMMYS_BIN_DIR) + "/clemmys-runtime"}, {"planted", "/usr/bin/planted"}}},
      {"port", controllerPort}};
  auto r = invoke("atk-snoop", json::serialize(args));
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = json::parse(r.body).at("response").at("result").as_object();
  for (const char* k : {"root.key", "attestation.key", "platform.secret", "owner.pem", "client-auth", "clemmys.db",
                        "kms-store", "shadow"}) {
    EXPECT_EQ(result.at(k).as_string(), "ENOENT") << k << ": " << json::serialize(result);
  }
  // Read-only and not the function's: EACCES or EROFS, whichever the kernel checks first.
  EXPECT_TRUE(result.at("launcher").as_string() == "EACCES" || result.at("launcher").as_string() == "EROFS")
      << json::serialize(result);
  EXPECT_EQ(result.at("runtime").as_string(), "ENOENT") << json::serialize(result);
  EXPECT_EQ(result.at("planted").as_string(), "EROFS") << json::serialize(result);
  EXPECT_EQ(result.at("controller").as_string(), "ENETUNREACH") << json::serialize(result);
}

}  // namespace
}  // namespace clemmys::attack

namespace clemmys::attack {
namespace {

// The pid of the process that has `path` open, or -1.
pid_t holderOf(const std::string& path) {
  for (const auto& proc : fs::directory_iterator("/proc")) {
    std::string name = proc.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code ec;
    for (const auto& fd : fs::directory_iterator(proc.path() / "fd", ec)) {
      std::error_code lec;
      if (fs::read_symlink(fd.path(), lec).string() == path) return static_cast<pid_t>(std::stol(name));
    }
  }
  return -1;
}

// The pid whose command line holds `needle` as one argument, or -1.
pid_t withArgument(const std::string& needle) {
  for (const auto& proc : fs::directory_iterator("/proc")) {
    std::string name = proc.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(proc.path() / "cmdline");
    std::string arg;
    while (std::getline(in, arg, '\0')) {
      if (arg == needle) return static_cast<pid_t>(std::stol(name));
    }
  }
  return -1;
}

uid_t uidOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Uid:", 0) == 0) return static_cast<uid_t>(std::stoul(line.substr(4)));
  }
  return static_cast<uid_t>(-1);
}

// `cat PATH` as `uid`: what it printed to stderr (empty when it could read).
std::string catAs(uid_t uid, const std::string& path) {
  SpawnOptions o;
  o.argv = {"/bin/cat", path};
  o.uid = uid;
  o.gid = uid;
  o.pipeStdout = true;
  o.pipeStderr = true;
  auto child = spawn(o);
  if (!child) return "spawn failed: " + child.error().str();
  child->closeStdin();
  std::string err;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(child->stderrFd(), buf, sizeof buf)) > 0) err.append(buf, static_cast<size_t>(n));
  (void)child->wait(std::chrono::milliseconds(10000));
  return err;
}

// With `clemmys up` started as root, the controller and invoker run as an
// unprivileged uid of their own: it can read none of the trusted side's files and
// neither read nor trace the memory of its processes.
TEST_F(LaunchAttackTest, UntrustedSideCannotReadTheTrustedSide) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: only then does the untrusted side get its own uid";
  pid_t controller = holderOf(provider().databasePath());
  ASSERT_GT(controller, 0) << "no process holds " << provider().databasePath();
  uid_t uid = uidOf(controller);
  EXPECT_EQ(uid, 1999999999u);
  const std::string d = provider().dataDir();
  pid_t kms = withArgument(d + "/kms");
  ASSERT_GT(kms, 0);
  EXPECT_EQ(uidOf(kms), 0u);
  for (std::string path : {d + "/owner/owner.pem", d + "/owner/client-auth", d + "/simtee/root.key",
                           d + "/simtee/platform.secret", "/proc/" + std::to_string(kms) + "/mem",
                           "/proc/" + std::to_string(kms) + "/environ"}) {
    EXPECT_NE(catAs(uid, path).find("Permission denied"), std::string::npos) << path;
  }
}

}  // namespace
}  // namespace clemmys::attack
