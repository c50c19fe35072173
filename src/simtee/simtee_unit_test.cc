// Installation, quotes (through attest::DcapVerifier), measurement, sealing
// keys and counters, without processes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "attest/dcap_verifier.h"
#include "attest/trust_anchors.h"
#include "common/clock.h"
#include "simtee/executable_cache.h"
#include "simtee/launch_env.h"
#include "simtee/rootfs_manifest.h"
#include "simtee/installation.h"
#include "simtee/measurement.h"
#include "simtee/platform_state.h"
#include "simtee/quote_builder.h"

namespace clemmys::simtee {
namespace {

class StateDir {
 public:
  StateDir() {
    char tmpl[] = "/tmp/clemmys-simtee-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~StateDir() { std::filesystem::remove_all(path_); }
  std::string state() const { return path_ + "/state"; }

 private:
  std::string path_;
};

tee::ReportData reportData() {
  tee::ReportData rd{};
  for (size_t i = 0; i < rd.size(); ++i) rd[i] = static_cast<uint8_t>(0xa0 + i);
  return rd;
}

TEST(SimQuote, VerifiesWithSimRootOnlyAndDetectsTampering) {
  StateDir dir;
  SystemClock clock;
  auto inst = loadOrCreateInstallation(dir.state(), clock);
  ASSERT_TRUE(inst) << inst.error().str();
  crypto::Sha256Digest m = crypto::sha256(crypto::asBytes("some enclave"));
  auto quote = buildQuote(*inst, m, reportData());
  ASSERT_TRUE(quote) << quote.error().str();
  crypto::ByteView bytes = crypto::asBytes(*quote);

  attest::DcapVerifier sim(attest::EvidenceType::kSim, inst->rootCert.publicKey().spkiDer(), clock);
  auto claims = sim.verify(bytes, {});
  ASSERT_TRUE(claims) << claims.error().str();
  EXPECT_EQ(claims->measurement, crypto::Bytes(m.begin(), m.end()));
  auto signer = simMrSigner();
  EXPECT_EQ(claims->signer, crypto::Bytes(signer.begin(), signer.end()));
  auto rd = reportData();
  EXPECT_EQ(claims->reportData, crypto::Bytes(rd.begin(), rd.end()));
  EXPECT_FALSE(claims->debug);
  EXPECT_TRUE(claims->insecure);

  attest::DcapVerifier intel(attest::EvidenceType::kSgx, attest::intelSgxRootSpki(), clock);
  auto refused = intel.verify(bytes, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().name, "attest.pck_chain_untrusted_root");

  // Flip one bit in MRENCLAVE (header 48 + offset 112), then in the report data.
  for (size_t offset : {48u + 112u, 48u + 320u + 5u, 10u}) {
    std::string tampered = *quote;
    tampered[offset] = static_cast<char>(tampered[offset] ^ 0x01);
    auto r = sim.verify(crypto::asBytes(tampered), {});
    EXPECT_FALSE(r) << "offset " << offset;
  }
}

TEST(Installation, PersistsAcrossLoads) {
  StateDir dir;
  SystemClock clock;
  auto a = loadOrCreateInstallation(dir.state(), clock);
  auto b = loadOrCreateInstallation(dir.state(), clock);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->rootPem, b->rootPem);
  EXPECT_TRUE(a->platformSecret.equals(b->platformSecret.view()));
  EXPECT_EQ(std::filesystem::status(dir.state() + "/platform.secret").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(Measurement, ExecutableAndArgvAndSandboxCount) {
  tee::SandboxOptions s;
  auto base = measure(crypto::asBytes("ELF1"), {"/bin/x", "a"}, s);
  EXPECT_NE(base, measure(crypto::asBytes("ELF2"), {"/bin/x", "a"}, s));
  EXPECT_NE(base, measure(crypto::asBytes("ELF1"), {"/bin/x", "b"}, s));
  EXPECT_NE(base, measure(crypto::asBytes("ELF1"), {"/bin/x", "a", ""}, s));
  EXPECT_EQ(base, measure(crypto::asBytes("ELF1"), {"/other/path", "a"}, s));
  tee::SandboxOptions noSeccomp = s;
  noSeccomp.seccomp = false;
  EXPECT_NE(base, measure(crypto::asBytes("ELF1"), {"/bin/x", "a"}, noSeccomp));
}

TEST(Measurement, InTwoStepsIsTheSame) {
  tee::SandboxOptions s;
  auto prefix = measurementPrefix(crypto::asBytes("ELF1"));
  EXPECT_EQ(finishMeasurement(prefix, {"/bin/x", "a"}, s), measure(crypto::asBytes("ELF1"), {"/bin/x", "a"}, s));
  EXPECT_EQ(finishMeasurement(prefix, {"/bin/x", "b"}, s), measure(crypto::asBytes("ELF1"), {"/bin/x", "b"}, s));
}

TEST(ExecutableCache, ReusesAnUnchangedFileAndNoticesAReplacedOne) {
  StateDir dir;
  std::filesystem::create_directories(dir.state());
  std::string path = dir.state() + "/prog";
  std::ofstream(path) << "first version";
  ExecutableCache cache;
  auto a = cache.get(path);
  ASSERT_TRUE(a) << a.error().str();
  auto again = cache.get(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(a->get(), again->get());  // same sealed copy, not hashed again
  tee::SandboxOptions s;
  EXPECT_EQ(finishMeasurement((*a)->measuredPrefix, {path}, s), measure(crypto::asBytes("first version"), {path}, s));
  // The sealed copy holds the bytes and refuses writes.
  char buf[32] = {};
  EXPECT_EQ(::pread((*a)->fd, buf, sizeof buf, 0), 13);
  EXPECT_STREQ(buf, "first version");
  EXPECT_LT(::pwrite((*a)->fd, "x", 1, 0), 0);

  // Replaced (a new file renamed over it): new identity, new copy, new measurement.
  std::ofstream(path + ".new") << "second version!";
  std::filesystem::rename(path + ".new", path);
  auto b = cache.get(path);
  ASSERT_TRUE(b);
  EXPECT_NE(a->get(), b->get());
  EXPECT_EQ(finishMeasurement((*b)->measuredPrefix, {path}, s), measure(crypto::asBytes("second version!"), {path}, s));
  EXPECT_EQ(cache.get(dir.state() + "/missing").error().name, "simtee.exec_unreadable");
}

TEST(PlatformState, SealingKeysAndCounters) {
  StateDir dir;
  ASSERT_TRUE(std::filesystem::create_directory(dir.state()));
  crypto::SecretBytes secret(32);
  auto m1 = crypto::sha256(crypto::asBytes("one"));
  auto m2 = crypto::sha256(crypto::asBytes("two"));
  auto k1 = deriveSealingKey(secret, m1, "db");
  auto k1again = deriveSealingKey(secret, m1, "db");
  auto k2 = deriveSealingKey(secret, m2, "db");
  auto k1other = deriveSealingKey(secret, m1, "log");
  ASSERT_TRUE(k1 && k1again && k2 && k1other);
  EXPECT_TRUE(k1->equals(k1again->view()));
  EXPECT_FALSE(k1->equals(k2->view()));
  EXPECT_FALSE(k1->equals(k1other->view()));

  std::string path = dir.state() + "/counters.json";
  {
    auto store = CounterStore::open(path);
    ASSERT_TRUE(store);
    EXPECT_EQ(*(*store)->read(m1, "c"), 0u);
    EXPECT_EQ(*(*store)->increment(m1, "c"), 1u);
    EXPECT_EQ(*(*store)->increment(m1, "c"), 2u);
    EXPECT_EQ(*(*store)->increment(m2, "c"), 1u);
    EXPECT_FALSE((*store)->increment(m1, ""));
  }
  auto reopened = CounterStore::open(path);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*(*reopened)->read(m1, "c"), 2u);
  EXPECT_EQ(*(*reopened)->read(m2, "c"), 1u);
}

}  // namespace
}  // namespace clemmys::simtee

namespace clemmys::simtee {
namespace {

const std::string kDigest(64, 'a');

TEST(RootfsManifest, ParsesSortsAndMeasuresTheBytes) {
  std::string text = "clemmys-rootfs v1\nlink usr/lib /lib\nfile " + kDigest + " x /usr/bin/python3.11\ntree " +
                     kDigest + " /usr/lib/python3.11\n";
  auto m = parseRootfsManifest(text);
  ASSERT_TRUE(m) << m.error().str();
  ASSERT_EQ(m->entries.size(), 3u);
  EXPECT_EQ(m->entries[0].path, "/lib");
  EXPECT_EQ(m->entries[0].target, "usr/lib");
  EXPECT_TRUE(m->entries[1].executable);
  EXPECT_EQ(formatRootfsManifest(m->entries), "clemmys-rootfs v1\nlink usr/lib /lib\nfile " + kDigest +
                                                  " x /usr/bin/python3.11\ntree " + kDigest + " /usr/lib/python3.11\n");
  auto other = parseRootfsManifest("clemmys-rootfs v1\nfile " + kDigest + " - /usr/bin/python3.11\n");
  ASSERT_TRUE(other);
  EXPECT_NE(m->digest, other->digest);
}

TEST(RootfsManifest, RefusesWhatTheFormatForbids) {
  for (const std::string& body : std::vector<std::string>{"file " + kDigest + " x relative/path", "file " + kDigest + " x /a/../etc/shadow",
                           "file " + kDigest + " x /a//b", "file " + kDigest + " x /a/", std::string("file abc x /a"),
                           "file " + kDigest + " y /a", "tree " + kDigest + " /proc/self", "tree " + kDigest + " /tmp",
                           "link x /dev/null", "file " + kDigest + " x /run/clemmys/simtee.sock", "link  /a",
                           "unknown " + kDigest + " /a", "file " + kDigest + " x /a b",
                           "tree " + kDigest + " /a\nfile " + kDigest + " x /a/b",
                           "link x /a\nfile " + kDigest + " x /a/b", "file " + kDigest + " x /a\nlink y /a"}) {
    auto m = parseRootfsManifest("clemmys-rootfs v1\n" + body + "\n");
    ASSERT_FALSE(m) << body;
    EXPECT_EQ(m.error().name, "simtee.rootfs_invalid") << body;
  }
  EXPECT_FALSE(parseRootfsManifest("clemmys-rootfs v2\n"));
  EXPECT_FALSE(parseRootfsManifest("clemmys-rootfs v1\nfile " + kDigest + " x /a"));  // no final newline
}

TEST(RootfsManifest, MeasurementCoversTheManifest) {
  tee::SandboxOptions s;
  crypto::Sha256Digest a{}, b{};
  b[0] = 1;
  auto none = measure(crypto::asBytes("ELF"), {"/x"}, s);
  EXPECT_NE(none, measure(crypto::asBytes("ELF"), {"/x"}, s, &a));
  EXPECT_NE(measure(crypto::asBytes("ELF"), {"/x"}, s, &a), measure(crypto::asBytes("ELF"), {"/x"}, s, &b));
}

TEST(LaunchEnvironment, AllowListOnly) {
  auto ok = launchEnvironment({"LANG=C.UTF-8", "__OW_API_HOST=https://h:1"}, {"/s.sock", "/tmp"});
  ASSERT_TRUE(ok) << ok.error().str();
  EXPECT_EQ(*ok, (std::vector<std::string>{"LANG=C.UTF-8", "__OW_API_HOST=https://h:1",
                                           "CLEMMYS_SIMTEE_SOCKET=/s.sock", "TMPDIR=/tmp", "CLEMMYS_PRIVATE_TMP=/tmp"}));
  for (std::string bad : {"LD_PRELOAD=/x.so", "LD_AUDIT=/x", "PYTHONPATH=/x", "NODE_OPTIONS=-r x", "OPENSSL_CONF=/x",
                          "PATH=/bin", "LANG=/tmp/x", "LANG=", "noequals", "=x", "LANG=C\nX"}) {
    auto r = launchEnvironment({bad}, {"/s", ""});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().name, "simtee.env_refused");
  }
  EXPECT_FALSE(launchEnvironment({"LANG=C", "LANG=POSIX"}, {"/s", ""}));
}

}  // namespace
}  // namespace clemmys::simtee
