// Attacks staged by the intercepting proxy between the attested gateway and the
// real controller: reading, flipping bytes, replay, splicing, redirecting,
// truncating a chain, substituting results, and wrong client credentials.
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "attack_fixture.h"
#include "common/encoding.h"

namespace clemmys::attack {
namespace {

std::string readAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string echoArgs() { return json::serialize(json::object{{"secret", kArgMarker}}); }

TEST_F(AttackTest, ReadingShowsTheProviderNothingUseful) {
  auto r = invoke("atk-echo", echoArgs());
  ASSERT_EQ(r.status, 200) << r.body;
  // The client sees everything: the markers are real and travelled.
  EXPECT_NE(r.body.find(kArgMarker), std::string::npos);
  EXPECT_NE(r.body.find(kResultMarker), std::string::npos);
  EXPECT_NE(r.body.find(kParamMarker), std::string::npos);
  EXPECT_NE(r.body.find(kLogMarker), std::string::npos);
  auto got = provider().call("GET", "/api/v1/namespaces/_/actions/atk-echo");
  ASSERT_TRUE(got && got->status == 200);
  EXPECT_NE(got->body.find(kCodeMarker), std::string::npos);

  auto all = provider().proxy().recorded();
  ASSERT_GT(all.size(), 10u);
  for (auto& x : all) {
    std::string seen = x.target + x.requestBody + x.responseBody;
    for (auto& [k, v] : x.requestHeaders) seen += k + v;
    for (auto& [k, v] : x.responseHeaders) seen += k + v;
    for (auto* m : {kArgMarker, kResultMarker, kCodeMarker, kParamMarker, kLogMarker}) {
      EXPECT_EQ(seen.find(m), std::string::npos) << m << " leaked in " << x.method << " " << x.target;
    }
  }
  for (auto& f : std::filesystem::directory_iterator(provider().dataDir() + "/controller")) {
    std::string bytes = readAll(f.path());
    for (auto* m : {kArgMarker, kResultMarker, kCodeMarker, kParamMarker, kLogMarker}) {
      EXPECT_EQ(bytes.find(m), std::string::npos) << m << " in " << f.path();
    }
  }
}

// Flip one byte of the INVOKE the gateway sends; the runtime must refuse it.
struct Flip {
  size_t at;  // offset in the envelope; npos-based offsets count from the end
  bool fromEnd;
  const char* expected;
};

TEST_F(AttackTest, FlippedByteInInvokeIsRefusedByTheRuntime) {
  const Flip flips[] = {
      {0, false, "envelope.bad_magic"},          {4, false, "envelope.unsupported_version"},
      {kTypeAt, false, "envelope.unknown_type"}, {kKeyVersionAt + 3, false, "envelope.unknown_key_version"},
      {kIdAt, false, "envelope.auth_failed"},    {kChainIdAt + 7, false, "envelope.auth_failed"},
      {kStepAt + 1, false, "envelope.auth_failed"}, {kStepsAt + 1, false, "envelope.auth_failed"},
      {kExpiresAt, false, "envelope.lifetime_exceeded"},  // R2b precedes the AEAD  {kTargetAt + 2, false, "envelope.auth_failed"},
      {40, true, "envelope.auth_failed"},           {1, true, "envelope.auth_failed"}};
  for (auto& f : flips) {
    SCOPED_TRACE("byte " + std::string(f.fromEnd ? "-" : "") + std::to_string(f.at));
    provider().proxy().setHooks(
        [&](Exchange& x) {
          if (x.method != "POST" || x.target.find("/actions/atk-a?") == std::string::npos) return;
          std::string raw = invokeOf(x);
          if (raw.size() < 120) return;
          raw[f.fromEnd ? raw.size() - f.at : f.at] ^= 0x01;
          x.requestBody = carrier(raw);
        },
        nullptr);
    auto r = invoke("atk-a", R"({"trail":"flip"})");
    EXPECT_TRUE(refusedWith(r, f.expected));
  }
}

// Flip one byte of the RESULT on its way back; the gateway must refuse it.
TEST_F(AttackTest, FlippedByteInResultIsRefusedByTheGateway) {
  // Every header byte, then a spread over ciphertext and tag.
  std::vector<size_t> positions;
  for (size_t i = 0; i < kTargetAt + 8; i += 3) positions.push_back(i);
  for (size_t back : {60u, 33u, 17u, 1u}) positions.push_back(static_cast<size_t>(-1) - back + 1);
  for (size_t pos : positions) {
    SCOPED_TRACE("byte " + std::to_string(static_cast<long long>(pos)));
    provider().proxy().setHooks(nullptr, [&](Exchange& x) {
      if (x.method != "POST" || x.target.find("/actions/atk-a?") == std::string::npos) return;
      std::string raw = resultOf(x);
      if (raw.empty()) return;
      size_t at = pos < raw.size() ? pos : raw.size() + pos;  // "negative": from the end
      raw[at] ^= 0x01;
      auto v = json::parse(x.responseBody);
      v.as_object()["response"].as_object()["result"] = json::parse(carrier(raw));
      x.responseBody = json::serialize(v);
    });
    auto r = invoke("atk-a", R"({"trail":"flip"})");
    EXPECT_NE(r.status, 200) << "ATTACK SUCCEEDED: " << r.body;
    bool named = r.body.find("envelope.") != std::string::npos || r.body.find("gateway.") != std::string::npos;
    EXPECT_TRUE(named) << r.status << " " << r.body;
  }
}

TEST_F(AttackTest, ReplayToTheSameInstanceIsRefused) {
  auto first = invoke("atk-b", R"({"trail":"one"})");
  ASSERT_EQ(first.status, 200) << first.body;
  std::string captured = lastExchange("POST", "/actions/atk-b?").requestBody;
  ASSERT_FALSE(captured.empty());
  // The next request to atk-b carries the earlier INVOKE again (the pool reuses
  // the warm instance that already ran it).
  provider().proxy().setHooks(
      [&](Exchange& x) {
        if (x.method == "POST" && x.target.find("/actions/atk-b?") != std::string::npos) x.requestBody = captured;
      },
      nullptr);
  auto r = invoke("atk-b", R"({"trail":"two"})");
  EXPECT_TRUE(refusedWith(r, "envelope.replayed"));
}

TEST_F(AttackTest, MessageRedirectedToAnotherFunctionIsRefused) {
  provider().proxy().setHooks(
      [](Exchange& x) {
        auto at = x.target.find("/actions/atk-echo?");
        if (x.method == "POST" && at != std::string::npos) x.target.replace(at, 18, "/actions/atk-c?");
      },
      nullptr);
  auto r = invoke("atk-echo", echoArgs());
  EXPECT_TRUE(refusedWith(r, "envelope.wrong_function"));
}

TEST_F(AttackTest, AnotherRequestsResponseIsRefused) {
  auto a = invoke("atk-echo", R"({"secret":"request A"})");
  ASSERT_EQ(a.status, 200) << a.body;
  Exchange fromA = lastExchange("POST", "/actions/atk-echo?");
  ASSERT_FALSE(resultOf(fromA).empty());

  // Whole record of A returned for B.
  provider().proxy().setHooks(nullptr, [&](Exchange& x) {
    if (x.method == "POST" && x.target.find("/actions/atk-echo?") != std::string::npos) x.responseBody = fromA.responseBody;
  });
  EXPECT_TRUE(refusedWith(invoke("atk-echo", R"({"secret":"request B"})"), "gateway.substituted_result"));

  // B's record with A's RESULT spliced in.
  provider().proxy().setHooks(nullptr, [&](Exchange& x) {
    if (x.method != "POST" || x.target.find("/actions/atk-echo?") == std::string::npos) return;
    auto v = json::parse(x.responseBody);
    v.as_object()["response"].as_object()["result"] = json::parse(carrier(resultOf(fromA)));
    x.responseBody = json::serialize(v);
  });
  EXPECT_TRUE(refusedWith(invoke("atk-echo", R"({"secret":"request C"})"), "gateway.unknown_activation"));

  // Request X's INVOKE (issued by the gateway, dropped by the proxy) run in
  // place of request Y's: the runtime accepts it (fresh id), but its RESULT is X's.
  std::string spliced = freshInvoke("atk-c", R"({"trail":"X"})");
  ASSERT_FALSE(spliced.empty());
  provider().proxy().setHooks(
      [&](Exchange& x) {
        if (x.method == "POST" && x.target.find("/actions/atk-c?") != std::string::npos) x.requestBody = carrier(spliced);
      },
      nullptr);
  EXPECT_TRUE(refusedWith(invoke("atk-c", R"({"trail":"Y"})"), "gateway.unknown_activation"));
}

TEST_F(AttackTest, MiddleStepOutputPassedOffAsFinalIsRefused) {
  auto ok = invoke("atk-abc", "{}");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("ABC"), std::string::npos) << ok.body;
  // Truncation: the sequence's record carries step 1's output (an INVOKE to atk-c).
  provider().proxy().setHooks(nullptr, [&](Exchange& x) {
    if (x.method != "POST" || x.target.find("/actions/atk-abc?") == std::string::npos) return;
    auto v = json::parse(x.responseBody);
    auto& logs = v.at("logs").as_array();
    if (logs.size() < 2) return;
    auto step = provider().controllerCall("GET", "/api/v1/namespaces/guest/activations/" +
                                                     std::string(logs[1].as_string()));
    if (!step || step->status != 200) return;
    v.as_object()["response"].as_object()["result"] = json::parse(step->body).at("response").at("result");
    x.responseBody = json::serialize(v);
  });
  EXPECT_TRUE(refusedWith(invoke("atk-abc", "{}"), "gateway.not_an_outcome"));
}

TEST_F(AttackTest, PlaintextResultFromTheControllerIsRefused) {
  provider().proxy().setHooks(nullptr, [](Exchange& x) {
    if (x.method != "POST" || x.target.find("/actions/atk-a?") == std::string::npos) return;
    auto v = json::parse(x.responseBody);
    v.as_object()["response"].as_object()["result"] = json::object{{"trail", "forged"}};
    x.responseBody = json::serialize(v);
  });
  EXPECT_TRUE(refusedWith(invoke("atk-a", "{}"), "gateway.unsealed_result"));
}

TEST_F(AttackTest, SubstitutedActivationRecordsAreRefusedOnRead) {
  auto a = invoke("atk-echo", R"({"secret":"first"})");
  auto b = invoke("atk-echo", R"({"secret":"second"})");
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  std::string idA(json::parse(a.body).at("activationId").as_string());
  std::string idB(json::parse(b.body).at("activationId").as_string());
  auto recA = provider().controllerCall("GET", "/api/v1/namespaces/guest/activations/" + idA);
  ASSERT_TRUE(recA && recA->status == 200);
  auto va = json::parse(recA->body);
  // Reading B unmodified works (control).
  auto plain = provider().call("GET", "/api/v1/namespaces/_/activations/" + idB);
  ASSERT_TRUE(plain && plain->status == 200) << (plain ? plain->body : plain.error().str());

  auto readB = [&](const std::string& suffix, auto edit) {
    provider().proxy().setHooks(nullptr, [&](Exchange& x) {
      if (x.method == "GET" && x.target.find("/activations/" + idB) != std::string::npos) {
        auto v = json::parse(x.responseBody);
        edit(v);
        x.responseBody = json::serialize(v);
      }
    });
    auto r = provider().call("GET", "/api/v1/namespaces/_/activations/" + idB + suffix);
    provider().proxy().clearHooks();
    return r ? *r : http::Response{599, {}, r.error().str()};
  };
  auto withAsResult = [&](json::value& v) {
    v.as_object()["response"].as_object()["result"] = va.at("response").at("result");
  };
  EXPECT_TRUE(refusedWith(readB("", withAsResult), "gateway.substituted_result"));
  EXPECT_TRUE(refusedWith(readB("/result", withAsResult), "gateway.substituted_result"));
  auto withAsLogs = [&](json::value& v) { v.as_object()["logs"] = va.at("logs"); };
  EXPECT_TRUE(refusedWith(readB("/logs", withAsLogs), "gateway.substituted_log"));
  auto wholeA = [&](json::value& v) { v = va; };
  auto r = readB("", wholeA);
  EXPECT_NE(r.status, 200) << "ATTACK SUCCEEDED: " << r.body;
  EXPECT_NE(r.body.find("gateway."), std::string::npos) << r.body;
}

TEST_F(AttackTest, WrongClientCredentialsGet401) {
  size_t before = provider().proxy().recorded().size();
  for (auto auth : {"Basic " + base64Encode("23bc46b1-71f6-4ed5-8c54-816aa4f8c502:" + std::string(64, 'k')),
                    std::string("Basic bm9ib2R5"), std::string("")}) {
    auto r = provider().callAs(auth, "POST", "/api/v1/namespaces/_/actions/atk-echo?blocking=true", echoArgs());
    ASSERT_TRUE(r) << r.error().str();
    EXPECT_EQ(r->status, 401) << r->body;
  }
  EXPECT_EQ(provider().proxy().recorded().size(), before) << "an unauthenticated request was forwarded";
}

}  // namespace
}  // namespace clemmys::attack
