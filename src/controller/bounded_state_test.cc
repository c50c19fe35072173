// Bounded state under ordinary requests (issue 16): annotation merging is linear
// (times printed for 10k/20k/40k annotations, no timing asserts), the activation
// listing with docs=true is bounded in bytes (resident memory printed during 6
// concurrent maximal listings), and old activations are deleted by retention.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "controller/controller_test_util.h"
#include "controller/retention.h"
#include "runtime/json_depth.h"

namespace clemmys::controller::testing {
namespace {

using BoundedState = ControllerFixture;

// Five lowercase letters: 26^5 distinct keys, 5 bytes each.
std::string keyOf(int i) {
  std::string k(5, 'a');
  for (int d = 4; d >= 0; --d, i /= 26) k[d] = static_cast<char>('a' + i % 26);
  return k;
}

std::string annotationsBody(int n, int offset) {
  std::string out = R"({"exec":{"kind":"python:3","code":"echo"},"annotations":[)";
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    out += R"({"key":")" + keyOf(offset + i) + R"(","value":0})";
  }
  return out + "]}";
}

TEST_F(BoundedState, AnnotationMergeIsLinear) {
  for (int n : {10'000, 20'000, 40'000}) {
    std::string name = "many" + std::to_string(n);
    std::string body = annotationsBody(n, 0);
    int64_t t0 = monotonicUs();
    auto created = call("PUT", "/api/v1/namespaces/_/actions/" + name, body);
    int64_t createUs = monotonicUs() - t0;
    ASSERT_EQ(created.status, 200) << created.raw.body.substr(0, 200);
    // An update merging n/2 existing keys and n/2 new ones into the n stored.
    std::string update = annotationsBody(n, n / 2);
    t0 = monotonicUs();
    auto merged = call("PUT", "/api/v1/namespaces/_/actions/" + name + "?overwrite=true", update);
    int64_t mergeUs = monotonicUs() - t0;
    ASSERT_EQ(merged.status, 200) << merged.raw.body.substr(0, 200);
    // n + n/2 distinct keys, plus exec and provide-api-key.
    EXPECT_EQ(merged.body.at("annotations").as_array().size(), static_cast<size_t>(n + n / 2 + 2));
    std::printf("%d annotations (%zu bytes): create PUT %.1f ms, merging update PUT %.1f ms\n", n, body.size(),
                createUs / 1000.0, mergeUs / 1000.0);
  }
}

int64_t residentKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  }
  return 0;
}

TEST_F(BoundedState, ListingWithDocsIsBoundedInBytes) {
  ASSERT_EQ(putAction("big", "echo").status, 200);
  // 60 records of ~900 KB each (the echoed argument is the result).
  constexpr int kRecords = 60;
  std::string payload = R"({"blob":")" + std::string(900'000, 'x') + R"("})";
  for (int i = 0; i < kRecords; ++i) {
    clock_.advance(1);
    ASSERT_EQ(invoke("big", "blocking=true", payload).status, 200);
  }
  std::string target = "/api/v1/namespaces/_/activations?docs=true&limit=200";
  auto first = call("GET", target);
  ASSERT_EQ(first.status, 200);
  size_t returned = first.body.as_array().size();
  std::string truncated;
  for (auto& [k, v] : first.raw.headers) {
    if (k == "X-Clemmys-Truncated") truncated = v;
  }
  EXPECT_LT(returned, static_cast<size_t>(kRecords));
  EXPECT_GE(returned, 1u);
  EXPECT_EQ(truncated, std::to_string(returned));
  EXPECT_LE(first.raw.body.size(), size_t{4 << 20} + 1'000'000);
  // Paging with skip reaches every record.
  size_t seen = 0;
  for (int skip = 0; skip < kRecords;) {
    auto page = call("GET", target + "&skip=" + std::to_string(skip));
    ASSERT_EQ(page.status, 200);
    size_t n = page.body.as_array().size();
    ASSERT_GT(n, 0u);
    seen += n;
    skip += static_cast<int>(n);
  }
  EXPECT_EQ(seen, static_cast<size_t>(kRecords));

  // 6 concurrent maximal listings, resident memory sampled meanwhile.
  int64_t before = residentKb();
  std::atomic<bool> done{false};
  std::atomic<int64_t> peak{before};
  std::thread sampler([&] {
    while (!done) {
      int64_t now = residentKb();
      int64_t p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&] {
      http::Client c("127.0.0.1", controller_->port());
      for (int i = 0; i < 5; ++i) {
        auto r = c.request("GET", target, "", authHeaders(controller_->auth()));
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  done = true;
  sampler.join();
  int64_t after = residentKb();
  std::printf("6 concurrent docs=true&limit=200 listings x5 over %d records of ~900 KB: %zu records and %zu bytes "
              "per answer; resident %lld MB before, peak %lld MB (+%lld MB), %lld MB after\n",
              kRecords, returned, first.raw.body.size(), (long long)before / 1024, (long long)peak.load() / 1024,
              (long long)(peak.load() - before) / 1024, (long long)after / 1024);
  EXPECT_EQ(ok.load(), 30);
}

// Issue 16: JSON nesting, one limit (runtime/json_depth.h): an argument of
// kMaxArgumentDepth levels is invoked and comes back, one level more is 400.
TEST_F(BoundedState, ArgumentDepthLimitIsTheAgreedOne) {
  ASSERT_EQ(putAction("deep", "echo").status, 200);
  auto nested = [](size_t depth) { return std::string(depth - 1, '[') + "{}" + std::string(depth - 1, ']'); };
  auto ok = invoke("deep", "blocking=true&result=true", R"({"a":)" + nested(kMaxArgumentDepth - 1) + "}");
  EXPECT_EQ(ok.status, 200) << ok.raw.body.substr(0, 200);
  auto deeper = invoke("deep", "blocking=true&result=true", R"({"a":)" + nested(kMaxArgumentDepth) + "}");
  EXPECT_EQ(deeper.status, 400);
}

TEST(RetentionTest, ExpiresOnlyCompleteRecordsPastTheirTtl) {
  SystemRandom random;
  auto dir = std::filesystem::temp_directory_path() / ("clemmys-ret-" + random.hex(4));
  FakeClock clock(10'000'000);
  {
    auto store = store::Store::open(dir.string());
    ASSERT_TRUE(store) << store.error().str();
    constexpr int kOld = 25'000, kNew = 100;
    auto row = [&](int64_t start, bool pending) {
      return store::ActivationRow{random.hex(16), "guest", "a", start, start, 0, pending, "{}"};
    };
    for (int i = 0; i < kOld; ++i) (*store)->completeActivationLater(row(1'000 + i, false));
    ASSERT_TRUE((*store)->insertPending(row(1'000, true)));  // old but still running
    for (int i = 0; i < kNew; ++i) (*store)->completeActivationLater(row(9'999'000, false));
    (*store)->flush();
    Retention retention(**store, clock, std::chrono::milliseconds(5'000'000), std::chrono::milliseconds(0));
    retention.stop();  // only the explicit sweeps below
    int64_t t0 = monotonicUs();
    int64_t deleted = retention.sweep();
    std::printf("retention: %lld of %d expired records deleted in %.1f ms (batches of %d)\n", (long long)deleted,
                kOld, (monotonicUs() - t0) / 1000.0, Retention::kBatch);
    EXPECT_EQ(deleted, kOld);
    store::ActivationQuery all;
    all.ns = "guest";
    all.limit = 1'000'000;
    EXPECT_EQ(*(*store)->countActivations(all), kNew + 1);
    EXPECT_EQ(retention.sweep(), 0);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace clemmys::controller::testing
