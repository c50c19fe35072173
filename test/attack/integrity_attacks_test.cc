// Attacks on the integrity inputs the controller handles beside the envelopes
// (issue 11 part 3): log lines dropped, swapped or cut off on their way to the
// client, and an error the controller writes itself passed off as the function's.
// All staged by the intercepting proxy between the attested gateway and the
// controller.
#include "attack_fixture.h"

namespace clemmys::attack {
namespace {

class IntegrityAttackTest : public AttackTest {
 protected:
  // atk-logs prints line-0..line-3 on stdout; returns its activation id.
  static std::string loggedActivation() {
    auto r = invoke("atk-logs", "{}");
    if (r.status != 200) return "";
    auto v = json::parse(r.body);
    if (v.at("logs").as_array().size() != 4) return "";
    return std::string(v.at("activationId").as_string());
  }

  // GET activations/{id}/logs through the gateway, the proxy editing the log list.
  template <class Edit>
  static http::Response readLogs(const std::string& id, Edit edit) {
    provider().proxy().setHooks(nullptr, [&](Exchange& x) {
      if (x.method != "GET" || x.target.find("/activations/" + id) == std::string::npos) return;
      auto v = json::parse(x.responseBody);
      edit(v.as_object()["logs"].as_array());
      x.responseBody = json::serialize(v);
    });
    auto r = provider().call("GET", "/api/v1/namespaces/_/activations/" + id + "/logs");
    provider().proxy().clearHooks();
    return r ? *r : http::Response{599, {}, r.error().str()};
  }
};

TEST_F(IntegrityAttackTest, LogLineDroppedIsRefused) {
  std::string id = loggedActivation();
  ASSERT_FALSE(id.empty());
  auto plain = readLogs(id, [](json::array&) {});
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_NE(plain.body.find("line-3"), std::string::npos) << plain.body;
  EXPECT_TRUE(refusedWith(readLogs(id, [](json::array& l) { l.erase(l.begin() + 1); }), "gateway.log_dropped"));
}

TEST_F(IntegrityAttackTest, LogLinesSwappedAreRefused) {
  std::string id = loggedActivation();
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(refusedWith(readLogs(id, [](json::array& l) { std::swap(l[1], l[2]); }), "gateway.log_reordered"));
}

TEST_F(IntegrityAttackTest, TruncatedLogIsRefused) {
  std::string id = loggedActivation();
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(refusedWith(readLogs(id, [](json::array& l) { l.pop_back(); }), "gateway.log_truncated"));
}

TEST_F(IntegrityAttackTest, LogLineDroppedFromTheInvokeReplyIsRefused) {
  provider().proxy().setHooks(nullptr, [](Exchange& x) {
    if (x.method != "POST" || x.target.find("/actions/atk-logs?") == std::string::npos) return;
    auto v = json::parse(x.responseBody);
    auto& logs = v.as_object()["logs"].as_array();
    if (!logs.empty()) logs.erase(logs.begin());
    x.responseBody = json::serialize(v);
  });
  EXPECT_TRUE(refusedWith(invoke("atk-logs", "{}"), "gateway.log_dropped"));
}

// The controller answers with an error of its own making, shaped as an application
// error of the function. The client must see it as the platform's.
TEST_F(IntegrityAttackTest, ForgedControllerErrorIsMarkedAsThePlatforms) {
  const std::string forged = "card declined: insufficient funds";
  provider().proxy().setHooks(nullptr, [&](Exchange& x) {
    if (x.method != "POST" || x.target.find("/actions/atk-a?") == std::string::npos) return;
    auto v = json::parse(x.responseBody);
    auto& response = v.as_object()["response"].as_object();
    response["result"] = json::object{{"error", forged}};
    response["status"] = "application error";
    response["success"] = false;
    x.status = 502;
    x.responseBody = json::serialize(v);
  });
  auto r = invoke("atk-a", "{}");
  EXPECT_TRUE(refusedWith(r, "gateway.platform_error"));
  EXPECT_EQ(r.body.find("\"application error\""), std::string::npos) << r.body;
}

}  // namespace
}  // namespace clemmys::attack
