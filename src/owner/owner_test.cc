// The owner's checks of provider.json: the format's refusals, the measurement the
// owner computes against the one the simtee itself computes, and refusals that
// happen before any KMS is contacted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/clock.h"
#include "owner/verify_provider.h"
#include "platform/provider_info.h"
#include "platform/trusted_process.h"
#include "simtee/rootfs_builder.h"

namespace clemmys::owner {
namespace {

namespace fs = std::filesystem;

// A real manifest: this machine's /bin/true and the test binary's directory entry.
std::string manifestOf(const std::string& path) {
  simtee::RootfsBuilder builder;
  EXPECT_TRUE(builder.add(path).has_value());
  return builder.text();
}

platform::ProviderInfo sampleInfo() {
  platform::ProviderInfo info;
  info.session = "main";
  info.kmsUrl = "https://127.0.0.1:1";
  info.gatewayUrl = "https://127.0.0.1:2";
  info.simRootPem = "root";
  info.kms = {{"/p/clemmys-kms", "--state-dir", "/p/kms"}, manifestOf("/bin/true"), "aa"};
  info.gateway = {{"/p/clemmys-gateway", "--session", "main"}, manifestOf("/bin/true"), "bb"};
  info.runtime = {{"/p/clemmys-runtime", "--listen-fd", "3"}, manifestOf("/bin/true"), "cc"};
  return info;
}

TEST(ProviderInfo, RoundTripsAndRefusesWhatItDoesNotKnow) {
  auto info = sampleInfo();
  auto back = platform::parseProviderInfo(platform::providerInfoJson(info));
  ASSERT_TRUE(back.has_value()) << back.error().str();
  EXPECT_EQ(back->session, "main");
  EXPECT_EQ(back->gateway.argv, info.gateway.argv);
  EXPECT_EQ(back->runtime.manifest, info.runtime.manifest);
  EXPECT_EQ(back->simRootPem, "root");

  std::string json = platform::providerInfoJson(info);
  std::string extra = json.substr(0, json.rfind('}')) + ",\"surprise\":1}";
  EXPECT_EQ(platform::parseProviderInfo(extra).error().name, "owner.bad_provider_info");
  std::string other = json;
  other.replace(other.find("clemmys-provider v1"), 19, "clemmys-provider v9");
  EXPECT_EQ(platform::parseProviderInfo(other).error().name, "owner.bad_provider_info");
  EXPECT_EQ(platform::parseProviderInfo("[]").error().name, "owner.bad_provider_info");
  EXPECT_EQ(platform::parseProviderInfo("{\"format\":\"clemmys-provider v1\"}").error().name,
            "owner.bad_provider_info");
}

TEST(OwnerMeasurement, IsWhatTheSimteeComputesForTheSameLaunch) {
  std::string dir = fs::temp_directory_path() / ("owner-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string manifest = manifestOf("/bin/true");
  { std::ofstream(dir + "/m") << manifest; }
  platform::LaunchDescription launch{{"/somewhere/else/true", "--flag", "value with space"}, manifest, ""};
  auto owner = expectedMeasurement("/bin/true", launch);
  ASSERT_TRUE(owner.has_value()) << owner.error().str();
  // The simtee measures the bytes at argv[0]; the owner measures its own copy.
  auto simtee = platform::measureLaunch(CLEMMYS_SIMTEE, {"/bin/true", "--flag", "value with space"}, dir + "/m");
  ASSERT_TRUE(simtee.has_value()) << simtee.error().str();
  EXPECT_EQ(*owner, *simtee);
  launch.argv.push_back("--one-more");
  EXPECT_NE(*expectedMeasurement("/bin/true", launch), *simtee);
  EXPECT_EQ(expectedMeasurement(dir + "/missing", launch).error().name, "owner.no_binary");
  fs::remove_all(dir);
}

TEST(OwnerVerify, RefusesAClaimedMeasurementItCannotReproduceBeforeAskingTheKms) {
  auto info = sampleInfo();
  VerifyOptions o;
  o.binDir = fs::temp_directory_path() / "owner-test-bins";
  fs::create_directories(o.binDir);
  fs::copy_file("/bin/true", o.binDir + "/clemmys-kms", fs::copy_options::overwrite_existing);
  o.kmsUrl = "https://127.0.0.1:1";  // never reached
  SystemClock clock;
  std::ostringstream progress;
  auto r = verifyProvider(info, o, clock, progress);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().name, "owner.measurement_differs") << r.error().str();

  // A manifest that lists this machine's /bin/true with other bytes.
  std::string m = info.kms.manifest;
  auto at = m.find("file ") + 5;
  m[at] = m[at] == '0' ? '1' : '0';
  info.kms.manifest = m;
  r = verifyProvider(info, o, clock, progress);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().name, "owner.manifest_differs") << r.error().str();
  EXPECT_NE(progress.str().find("differs: "), std::string::npos);
  fs::remove_all(o.binDir);
}

}  // namespace
}  // namespace clemmys::owner
