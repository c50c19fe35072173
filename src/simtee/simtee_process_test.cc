// Real processes: the clemmys-simtee daemon in a temp dir, the test guest
// launched through it, and callers it did not launch.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "attest/dcap_verifier.h"
#include "common/encoding.h"
#include "common/subprocess.h"
#include "crypto/x509.h"
#include "tee/simtee_client.h"

namespace clemmys::tee {
namespace {

class SimteeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/clemmys-simtee-p-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    socket_ = dir_ + "/simtee.sock";
    startDaemon();
  }
  void TearDown() override {
    daemon_.terminate();
    std::filesystem::remove_all(dir_);
  }
  void startDaemon() {
    SpawnOptions o;
    o.argv = {SIMTEE_DAEMON, "--socket", socket_, "--state-dir", dir_ + "/state"};
    auto child = spawn(o);
    ASSERT_TRUE(child) << child.error().str();
    daemon_ = std::move(*child);
    for (int i = 0; i < 200 && !std::filesystem::exists(socket_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(std::filesystem::exists(socket_));
  }
  // Launches the guest with `args`, returns its stdout once it exits.
  std::string runGuest(std::vector<std::string> args, std::vector<std::string> env = {}, Launched* launched = nullptr,
                       const std::string& rootfs = "") {
    int pipeFds[2];
    EXPECT_EQ(::pipe2(pipeFds, O_CLOEXEC), 0);
    LaunchRequest req;
    req.argv = {SIMTEE_GUEST};
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.env = std::move(env);
    req.rootfs = rootfs;
    req.fds = {{pipeFds[1], 1}, {2, 2}};
    SimteeClient client(socket_);
    auto l = client.launch(req);
    ::close(pipeFds[1]);
    if (!l) {
      ::close(pipeFds[0]);
      ADD_FAILURE() << l.error().str();
      return {};
    }
    if (launched != nullptr) *launched = *l;
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(pipeFds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(pipeFds[0]);
    return out;
  }
  static std::string field(const std::string& out, const std::string& key) {
    size_t at = out.find(key + " ");
    if (at == std::string::npos) return "";
    size_t end = out.find('\n', at);
    return out.substr(at + key.size() + 1, end - at - key.size() - 1);
  }

  // `clemmys-simtee manifest` for the guest's libraries and `extra` paths, written to
  // <dir>/NAME. Returns its path.
  std::string writeManifest(const std::string& name, const std::vector<std::string>& extra = {}) {
    SpawnOptions o;
    o.argv = {SIMTEE_DAEMON, "manifest", "--libraries-of", SIMTEE_GUEST};
    o.argv.insert(o.argv.end(), extra.begin(), extra.end());
    o.pipeStdout = true;
    auto child = spawn(o);
    EXPECT_TRUE(child) << child.error().str();
    child->closeStdin();
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(child->stdoutFd(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    auto status = child->wait();
    EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  Result<Launched> launchWith(const std::vector<std::string>& env, const std::string& rootfs = "") {
    LaunchRequest req;
    req.argv = {SIMTEE_GUEST};
    req.env = env;
    req.rootfs = rootfs;
    return SimteeClient(socket_).launch(req);
  }

  std::string dir_, socket_;
  Child daemon_;
};

// The environment reaches a trusted process only from the allow-list: a loader or
// interpreter hook refuses the launch (doc/simtee.md, "Measured launch").
TEST_F(SimteeFixture, LoaderAndInterpreterHooksRefuseTheLaunch) {
  for (std::string hook : {"LD_PRELOAD=/tmp/evil.so", "LD_LIBRARY_PATH=/tmp", "GLIBC_TUNABLES=x", "PYTHONSTARTUP=/x",
                           "NODE_OPTIONS=--require=/x", "PATH=/tmp/evil", "CLEMMYS_SIMTEE_SOCKET=/tmp/fake",
                           "LANG=../../tmp/locale", "TMPDIR=/tmp/x"}) {
    auto l = launchWith({hook});
    ASSERT_FALSE(l) << hook;
    EXPECT_EQ(l.error().name, "simtee.env_refused") << hook;
  }
  std::string out = runGuest({"env:LANG", "env:CLEMMYS_SIMTEE_SOCKET"}, {"LANG=C.UTF-8"});
  EXPECT_EQ(field(out, "env"), "C.UTF-8") << out;
  EXPECT_NE(out.find("env " + socket_), std::string::npos) << out;
}

// A measured root: only the manifest's files (read-only), the private /tmp and the
// daemon's socket; the host's files, the daemon's state and other paths are gone.
TEST_F(SimteeFixture, MeasuredRootShowsOnlyItsFiles) {
  std::string manifest = writeManifest("guest.manifest");
  std::string guestDir = std::filesystem::path(SIMTEE_GUEST).parent_path().string();
  Launched l;
  std::string out = runGuest({"read:/etc/shadow", "read:" + dir_ + "/state/root.key", "read:" + std::string(SIMTEE_GUEST),
                              "write:/tmp/mine", "read:/tmp/mine", "write:/usr/planted", "quote", "uid",
                              "env:TMPDIR", "status"},
                             {}, &l, manifest);
  EXPECT_NE(out.find("read ENOENT\nread ENOENT\nread ENOENT\nwrite ok\nread ok 0\nwrite EROFS"), std::string::npos)
      << out;
  EXPECT_FALSE(field(out, "quote").starts_with("ERR:")) << out;
  EXPECT_EQ(field(out, "env"), "/tmp") << out;
  EXPECT_EQ(field(out, "seccomp"), "2") << out;
  if (::geteuid() == 0) {
    // Its own host uid, neither root nor the daemon's; inside it is uid 1 without groups.
    EXPECT_GE(l.uid, 2000000000u);
    EXPECT_EQ(field(out, "uid"), "1 1 0") << out;
  }
  // The manifest is measured: the same launch on the host's file system differs.
  Launched plain;
  runGuest({"uid"}, {}, &plain);
  EXPECT_NE(plain.measurementHex, l.measurementHex);
  EXPECT_EQ(plain.uid, ::geteuid());
}

// One changed file of the measured set refuses the launch; an untrusted one too.
TEST_F(SimteeFixture, ChangedOrUntrustedFileInTheMeasuredSetRefusesTheLaunch) {
  std::string data = dir_ + "/data";
  std::filesystem::create_directory(data);
  std::ofstream(data + "/launcher.py") << "print('measured')\n";
  std::string manifest = writeManifest("data.manifest", {data});
  auto ok = launchWith({}, manifest);
  ASSERT_TRUE(ok) << ok.error().str();
  std::ofstream(data + "/launcher.py") << "print('planted')\n";
  auto changed = launchWith({}, manifest);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().name, "simtee.rootfs_mismatch") << changed.error().str();
  std::ofstream(data + "/launcher.py") << "print('measured')\n";
  ASSERT_TRUE(launchWith({}, manifest));
  std::filesystem::permissions(data + "/launcher.py", std::filesystem::perms::others_write,
                               std::filesystem::perm_options::add);
  auto untrusted = launchWith({}, manifest);
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().name, "simtee.rootfs_untrusted") << untrusted.error().str();
  std::ofstream(manifest, std::ios::app) << "file 00 - /x\n";
  auto invalid = launchWith({}, manifest);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().name, "simtee.rootfs_invalid") << invalid.error().str();
}

TEST_F(SimteeFixture, LaunchedGuestGetsVerifiableQuote) {
  Launched l;
  std::string out = runGuest({"quote"}, {}, &l);
  std::string q = field(out, "quote");
  // The guest prints "ERR:<name>" on failure; base64 may contain "ERR" by chance, never ":".
  ASSERT_FALSE(q.starts_with("ERR:")) << out;
  auto bytes = base64Decode(q);
  ASSERT_TRUE(bytes);
  SimteeClient client(socket_);
  auto rootPem = client.rootCertificatePem();
  ASSERT_TRUE(rootPem) << rootPem.error().str();
  auto root = crypto::Certificate::chainFromPem(*rootPem);
  ASSERT_TRUE(root);
  SystemClock clock;
  attest::DcapVerifier verifier(attest::EvidenceType::kSim, root->front().publicKey().spkiDer(), clock);
  auto claims = verifier.verify(crypto::asBytes(*bytes), {});
  ASSERT_TRUE(claims) << claims.error().str();
  EXPECT_EQ(toHex(claims->measurement), l.measurementHex);
  EXPECT_EQ(claims->reportData[63], 63);
}

TEST_F(SimteeFixture, CallerNotLaunchedIsRefused) {
  SimteeClient client(socket_);
  auto q = client.quote(ReportData{});
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().name, "simtee.caller_not_launched");
  EXPECT_EQ(client.sealingKey("x").error().name, "simtee.caller_not_launched");
  EXPECT_EQ(client.counterIncrement("x").error().name, "simtee.caller_not_launched");
}

TEST_F(SimteeFixture, MeasurementFollowsExecutableAndArgvNotEnv) {
  Launched a, b, c;
  runGuest({"status"}, {"LANG=C"}, &a);
  runGuest({"status"}, {"LANG=POSIX", "__OW_API_HOST=x"}, &b);
  runGuest({"ptrace"}, {"LANG=C"}, &c);
  EXPECT_EQ(a.measurementHex, b.measurementHex);
  EXPECT_NE(a.measurementHex, c.measurementHex);
  // Another executable: a copy of the guest with one byte appended.
  std::string copy = dir_ + "/guest2";
  std::filesystem::copy_file(SIMTEE_GUEST, copy);
  { FILE* f = std::fopen(copy.c_str(), "a"); std::fputc(0, f); std::fclose(f); }
  std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
  LaunchRequest req;
  req.argv = {copy, "status"};
  auto d = SimteeClient(socket_).launch(req);
  ASSERT_TRUE(d) << d.error().str();
  EXPECT_NE(d->measurementHex, a.measurementHex);
}

TEST_F(SimteeFixture, SandboxIsInEffect) {
  Launched l;
  std::string out = runGuest({"status", "ptrace"}, {}, &l);
  EXPECT_EQ(field(out, "nonewprivs"), "1") << out;
  EXPECT_EQ(field(out, "seccomp"), "2") << out;
  EXPECT_EQ(field(out, "ptrace"), "EPERM") << out;
  EXPECT_NE(l.uid, static_cast<uid_t>(-1));
}

TEST_F(SimteeFixture, SignalAndExitStatusOnlyForOwnLaunches) {
  LaunchRequest req;
  req.argv = {SIMTEE_GUEST, "sleep"};
  SimteeClient client(socket_);
  auto l = client.launch(req);
  ASSERT_TRUE(l) << l.error().str();
  auto st = client.exitStatus(l->pid);
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->has_value());
  ASSERT_TRUE(client.signal(l->pid, SIGKILL));
  std::optional<int> status;
  for (int i = 0; i < 100 && !status; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto s = client.exitStatus(l->pid);
    ASSERT_TRUE(s);
    status = *s;
  }
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFSIGNALED(*status));
  // Pids it never launched (our own, the daemon's) are not signalable through it.
  EXPECT_EQ(client.signal(::getpid(), 0).error().name, "simtee.not_your_process");
  EXPECT_EQ(client.exitStatus(daemon_.pid()).error().name, "simtee.not_your_process");
}

TEST_F(SimteeFixture, SealingKeysStableAndCountersSurviveRestart) {
  // Same argv each time, so the same measurement.
  std::string first = runGuest({"seal:db", "incr:c"});
  EXPECT_EQ(field(first, "incr"), "1") << first;
  EXPECT_EQ(field(runGuest({"seal:db", "incr:c"}), "incr"), "2");
  daemon_.terminate();
  startDaemon();
  std::string second = runGuest({"seal:db", "incr:c"});
  EXPECT_EQ(field(first, "seal"), field(second, "seal"));
  EXPECT_EQ(field(first, "seal").size(), 64u);
  EXPECT_EQ(field(second, "incr"), "3") << second;
  // A different measurement (other argv) has its own key and counters.
  std::string other = runGuest({"seal:db", "incr:c", "status"});
  EXPECT_NE(field(other, "seal"), field(first, "seal"));
  EXPECT_EQ(field(other, "incr"), "1");
}

TEST_F(SimteeFixture, LaunchesDieWhenTheDaemonIsKilled) {
  // Launched from a short-lived connection thread of the daemon; SIGKILL the daemon
  // (no chance to clean up): the launch must go with it, not linger as an orphan.
  LaunchRequest req;
  req.argv = {SIMTEE_GUEST, "sleep"};
  SimteeClient client(socket_);
  auto l = client.launch(req);
  ASSERT_TRUE(l) << l.error().str();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the connection thread is gone
  ASSERT_EQ(::kill(l->pid, 0), 0);
  daemon_.kill(SIGKILL);
  daemon_.wait();
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    // Gone, or a zombie waiting for init to reap it.
    std::ifstream stat("/proc/" + std::to_string(l->pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    gone = line.empty() || (close != std::string::npos && line[close + 2] == 'Z');
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "launched pid " << l->pid << " survived the daemon";
  startDaemon();  // TearDown expects a daemon to stop
}

}  // namespace
}  // namespace clemmys::tee
