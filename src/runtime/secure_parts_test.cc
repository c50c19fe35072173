// The parts secure mode is built from, tested alone: the private file directory
// (PrivateFiles) and the log sealer (LogSealer) on stand-in fds.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "envelope/log_order.h"
#include "runtime/private_files_testing.h"
#include "runtime/log_sealer.h"
#include "runtime/private_files.h"
#include "runtime/secure_test_util.h"

namespace clemmys::runtime {
namespace {

using namespace testing;

// Reads what is available on fd within `ms`.
std::string readSome(int fd, int ms);

TEST(PrivateFilesTest, RefusesPathsLeavingTheDirectoryAndFailsClosedWhenUnavailable) {
  char tmpl[] = "/tmp/clemmys-files-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto files = PrivateFilesForTesting::unmounted(dir);
  EXPECT_EQ(files.write({{"/a/../../x", "no"}}).error().name, "runtime.bad_file_path");
  ASSERT_TRUE(files.write({{"/etc/deep/conf", "yes"}}));
  EXPECT_EQ(readFileText(dir + "/etc/deep/conf"), "yes");
  PrivateFiles none;
  EXPECT_TRUE(none.write({}));
  EXPECT_EQ(none.write({{"/x", "y"}}).error().name, "runtime.files_unprotected");
  std::filesystem::remove_all(dir);
}

// The real mount path, in a forked child (it changes the process's namespaces):
// the directory is a tmpfs that the parent's mount namespace does not see.
TEST(PrivateFilesTest, PrepareMountsAPrivateTmpfsWhenPermitted) {
  char tmpl[] = "/tmp/clemmys-files-parent-XXXXXX";
  std::string parent = ::mkdtemp(tmpl);
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    auto files = PrivateFiles::prepare(parent);
    std::string line = files.available() ? "mounted " + files.dir() : "unavailable " + files.unavailableReason();
    if (files.available()) {
      struct statfs st{};
      bool tmpfs = ::statfs(files.dir().c_str(), &st) == 0 && st.f_type == TMPFS_MAGIC;
      bool wrote = static_cast<bool>(files.write({{"/etc/app.conf", "k=v"}}));
      line += tmpfs && wrote ? " tmpfs" : " not-tmpfs";
    }
    (void)!::write(report[1], line.data(), line.size());
    ::_exit(0);
  }
  ::close(report[1]);
  std::string line = readSome(report[0], 5000);
  ::close(report[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (line.starts_with("unavailable")) {
    GTEST_SKIP() << "this host permits no mount namespace: " << line;
  }
  ASSERT_TRUE(line.starts_with("mounted ")) << line;
  EXPECT_TRUE(line.ends_with(" tmpfs")) << line;
  std::string dir = line.substr(8, line.rfind(' ') - 8);
  // Outside the child's namespace the directory is the empty mount point.
  EXPECT_FALSE(std::filesystem::exists(dir + "/etc/app.conf"));
  std::filesystem::remove_all(parent);
}

std::string readSome(int fd, int ms) {
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return out;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

TEST(LogSealerTest, SealsLinesAndPutsTheSentinelAfterThem) {
  SystemRandom random;
  envelope::KeyRing keys;
  keys.add(3, crypto::SecretBytes(crypto::asBytes(random.bytes(32))));
  int out[2], err[2];
  ASSERT_EQ(::pipe(out), 0);
  ASSERT_EQ(::pipe(err), 0);
  // Stand-ins for fds 1 and 2: the sealer takes over out[1]/err[1].
  auto sealer = LogSealer::start(keys, random, "SENTINEL", out[1], err[1]);
  ASSERT_TRUE(sealer) << sealer.error().str();
  ::write(out[1], "before init\n", 12);  // held until an activation opens
  LogSealer::Context ctx;
  random.fill(ctx.id.data(), ctx.id.size());
  ctx.expiresMs = 12345;
  ctx.keyVersion = 3;
  (*sealer)->begin(ctx);
  ::write(out[1], "secret line\nno newline", 22);
  ::write(err[1], "err line\nSENTINEL\n", 18);  // printed by the function: sealed too
  auto counts = (*sealer)->finish();
  // Held init output counts: "before init", "secret line", "no newline" on stdout.
  EXPECT_EQ(counts, (envelope::LogCounts{3, 2}));
  std::string o = readSome(out[0], 200), e = readSome(err[0], 200);
  EXPECT_EQ(o.find("secret"), std::string::npos);
  EXPECT_EQ(e.find("err line"), std::string::npos);
  std::vector<std::string> opened;
  size_t pos = 0;
  while (pos < o.size()) {
    size_t nl = o.find('\n', pos);
    std::string line = o.substr(pos, nl - pos);
    pos = nl + 1;
    if (line == "SENTINEL") {
      opened.push_back(line);
      continue;
    }
    ASSERT_TRUE(line.starts_with("clemmys:")) << line;
    auto parsed = envelope::parse(*envelope::fromWire(line.substr(8)));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->header.type, envelope::Type::log);
    EXPECT_EQ(parsed->header.id, ctx.id);
    EXPECT_EQ(parsed->header.expiresMs, 12345u);
    auto body = envelope::open(*parsed, keys);
    ASSERT_TRUE(body);
    auto logLine = envelope::decodeLogBody(*body);
    ASSERT_TRUE(logLine);
    EXPECT_EQ(logLine->stream, envelope::LogStream::out);
    EXPECT_EQ(logLine->seq, opened.size()) << "stdout lines are numbered 0, 1, 2 in order";
    opened.push_back(logLine->text);
  }
  EXPECT_EQ(opened, (std::vector<std::string>{"before init", "secret line", "no newline", "SENTINEL"}));
  // Two sealed lines (the printed sentinel text among them), then the real sentinel.
  size_t first = e.find('\n'), second = e.find('\n', first + 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_TRUE(e.starts_with("clemmys:"));
  EXPECT_TRUE(e.substr(first + 1).starts_with("clemmys:"));
  EXPECT_EQ(e.substr(second + 1), "SENTINEL\n");
  sealer->reset();
  ::close(out[0]);
  ::close(err[0]);
}

}  // namespace
}  // namespace clemmys::runtime

namespace clemmys::runtime {
namespace {

// Issue 16: a function logging bytes that are not UTF-8 must not put them raw into
// the gateway's JSON: the sealed line is valid UTF-8 (U+FFFD for each bad byte).
TEST(LogSealerTest, SealedLinesAreValidUtf8WhateverTheFunctionWrote) {
  SystemRandom random;
  envelope::KeyRing keys;
  keys.add(1, crypto::SecretBytes(crypto::asBytes(random.bytes(32))));
  int out[2], err[2];
  ASSERT_EQ(::pipe(out), 0);
  ASSERT_EQ(::pipe(err), 0);
  auto sealer = LogSealer::start(keys, random, "SENTINEL", out[1], err[1]);
  ASSERT_TRUE(sealer) << sealer.error().str();
  LogSealer::Context ctx;
  ctx.expiresMs = 1;
  ctx.keyVersion = 1;
  (*sealer)->begin(ctx);
  ::write(out[1], "ok \xC3\xA9 bad \xFF\xC0\xAF end\n", 18);
  (*sealer)->finish();
  std::string o = readSome(out[0], 200);
  ASSERT_TRUE(o.starts_with("clemmys:")) << o;
  auto parsed = envelope::parse(*envelope::fromWire(o.substr(8, o.find('\n') - 8)));
  ASSERT_TRUE(parsed);
  auto line = envelope::decodeLogBody(*envelope::open(*parsed, keys));
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "ok \xC3\xA9 bad \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end");
  sealer->reset();
  ::close(out[0]);
  ::close(err[0]);
}

}  // namespace
}  // namespace clemmys::runtime
