// Warm-path cost of the controller itself: blocking invokes of an action whose
// (fake) invoker returns at once, over real HTTP on loopback. Prints p50/p99 latency
// and throughput at 16 connections; asserts only loose bounds (shared machine).
#include <algorithm>
#include <atomic>
#include <thread>

#include "controller/controller_test_util.h"

namespace clemmys::controller::testing {
namespace {

using Perf = ControllerFixture;

TEST_F(Perf, WarmBlockingInvoke) {
  ASSERT_EQ(putAction("noop", "echo").status, 200);
  std::string target = "/api/v1/namespaces/_/actions/noop?blocking=true";
  http::Headers headers{{"Authorization", "Basic " + base64Encode(controller_->auth())}};
  for (int i = 0; i < 200; ++i) ASSERT_EQ(client_->request("POST", target, "{}", headers)->status, 200);

  std::vector<int64_t> lat;
  for (int i = 0; i < 2000; ++i) {
    int64_t t0 = monotonicUs();
    auto r = client_->request("POST", target, "{}", headers);
    lat.push_back(monotonicUs() - t0);
    ASSERT_TRUE(r && r->status == 200);
  }
  std::sort(lat.begin(), lat.end());
  std::printf("1 connection: p50 %lld us, p99 %lld us\n", (long long)lat[lat.size() / 2],
              (long long)lat[lat.size() * 99 / 100]);

  constexpr int kThreads = 16, kPerThread = 500;
  std::atomic<int> ok{0};
  int64_t t0 = monotonicUs();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      http::Client c("127.0.0.1", controller_->port());
      for (int i = 0; i < kPerThread; ++i) {
        auto r = c.request("POST", target, "{}", headers);
        if (r && r->status == 200) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  double seconds = double(monotonicUs() - t0) / 1e6;
  std::printf("16 connections: %.0f invokes/s\n", ok.load() / seconds);
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_LT(lat[lat.size() / 2], 20000);
}

}  // namespace
}  // namespace clemmys::controller::testing
