// The configuration that crosses to the untrusted process: a round trip keeps every
// field, and what is not an UntrustedConfig is refused by name.
#include "platform/untrusted_side.h"

#include <gtest/gtest.h>

namespace clemmys::platform {
namespace {

TEST(UntrustedConfig, RoundTripKeepsEveryField) {
  UntrustedConfig c;
  c.pool.runtimeBinary = "/bin/clemmys-runtime";
  c.pool.runtimeArgs = {"--secure", "--python", "/usr/bin/python3.11"};
  c.pool.runtimeEnv = {"LANG=C.UTF-8"};
  c.pool.simteeSocket = "/d/simtee.sock";
  c.pool.runtimeRootfs = "/d/runtime-rootfs.manifest";
  c.pool.memoryBudgetMb = 4096;
  c.pool.maxResultBytes = 3 << 19;
  c.pool.prewarm = {{"cpp", 1}, {"python:3", 2}};
  c.controller.dataDir = "/d";
  c.controller.host = "127.0.0.1";
  c.controller.port = 4321;
  c.controller.maxConcurrentPerNamespace = 17;
  c.controller.maxBodyBytes = 3 << 19;
  auto back = parseUntrustedConfig(untrustedConfigJson(c));
  ASSERT_TRUE(back) << back.error().str();
  EXPECT_EQ(back->pool.runtimeBinary, c.pool.runtimeBinary);
  EXPECT_EQ(back->pool.runtimeArgs, c.pool.runtimeArgs);
  EXPECT_EQ(back->pool.runtimeEnv, c.pool.runtimeEnv);
  EXPECT_EQ(back->pool.simteeSocket, c.pool.simteeSocket);
  EXPECT_EQ(back->pool.runtimeRootfs, c.pool.runtimeRootfs);
  EXPECT_EQ(back->pool.memoryBudgetMb, 4096);
  EXPECT_EQ(back->pool.maxResultBytes, size_t{3} << 19);
  EXPECT_EQ(back->pool.prewarm, c.pool.prewarm);
  EXPECT_EQ(back->controller.dataDir, "/d");
  EXPECT_EQ(back->controller.port, 4321);
  EXPECT_EQ(back->controller.maxConcurrentPerNamespace, 17);
  EXPECT_EQ(back->controller.maxBodyBytes, size_t{3} << 19);
}

TEST(UntrustedConfig, AnythingElseIsRefused) {
  for (std::string bad : {"", "[]", "{}", R"({"pool":{},"controller":{}})", "not json"}) {
    auto r = parseUntrustedConfig(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().name, "platform.bad_untrusted_config") << bad;
  }
}

}  // namespace
}  // namespace clemmys::platform
