// Attacks staged by editing the controller's SQLite database directly while the
// platform is stopped, then invoking through the gateway after a restart:
// swapped code, a flipped byte in a stored envelope, rollback against a pinned
// digest, and sequence definitions rewritten to reorder, skip, extend or
// truncate a chain.
#include "attack_fixture.h"
#include "store_edit.h"

namespace clemmys::attack {
namespace {

class StoreAttackTest : public AttackTest {
 protected:
  // One stop/edit/restart for all cases (each restart costs seconds).
  static void editOnce() {
    static bool done = false;
    static std::string error;
    if (done) {
      ASSERT_TRUE(error.empty()) << error;
      return;
    }
    done = true;
    try {
      error = stage();
    } catch (const std::exception& e) {
      error = std::string("staging threw: ") + e.what();
    }
    ASSERT_TRUE(error.empty()) << error;
  }

  static std::string stage() {
    auto& p = provider();
    // Before the edits: version 2 of atk-pinned is what the policy pins; capture
    // version 1's stored document (an authentic, older version) on the way.
    auto v1 = p.controllerCall("GET", "/api/v1/namespaces/guest/actions/atk-pinned");
    if (!v1 || v1->status != 200) return "cannot read atk-pinned v1";
    json::object put{{"exec", json::object{{"kind", "python:3"}, {"code", pinnedCode(2)}}}};
    auto v2 = p.call("PUT", "/api/v1/namespaces/_/actions/atk-pinned?overwrite=true", json::serialize(put));
    if (!v2 || v2->status != 200) return "cannot put atk-pinned v2";
    auto ran = invoke("atk-pinned", "{}");
    if (ran.status != 200 || ran.body.find("\"version\":2") == std::string::npos) {
      return "pinned version 2 does not run: " + ran.body;
    }
    // atk-roll: defaults v1 (sealed at setup) captured, then updated to v2 alone.
    auto roll1 = p.controllerCall("GET", "/api/v1/namespaces/guest/actions/atk-roll");
    if (!roll1 || roll1->status != 200) return "cannot read atk-roll v1";
    json::object upd{{"parameters", json::array{json::object{{"key", "dflt"}, {"value", "v2"}}}}};
    auto roll2 = p.call("PUT", "/api/v1/namespaces/_/actions/atk-roll?overwrite=true", json::serialize(upd));
    if (!roll2 || roll2->status != 200) return "cannot update atk-roll's defaults";
    auto ranRoll = invoke("atk-roll", "{}");
    if (ranRoll.status != 200 || ranRoll.body.find("\"dflt\":\"v2\"") == std::string::npos)
      return "atk-roll does not run with its new defaults: " + ranRoll.body;
    if (auto s = p.stopPlatform(); !s) return s.error().str();
    std::string db = p.databasePath();
    auto doc = [&](const std::string& name) { return json::parse(actionDoc(db, "guest", name).value_or("null")); };
    auto write = [&](const std::string& name, const json::value& v) {
      auto s = setActionDoc(db, "guest", name, json::serialize(v));
      return s ? std::string() : s.error().str();
    };
    std::string err;
    // Swap: atk-victim gets atk-echo's sealed code.
    auto victim = doc("atk-victim");
    victim.as_object()["exec"].as_object()["code"] = doc("atk-echo").at("exec").at("code");
    if (err.empty()) err = write("atk-victim", victim);
    // Flip one byte inside atk-flip's CODE ciphertext (base64url: change one character).
    auto flip = doc("atk-flip");
    std::string code(flip.at("exec").at("code").as_string());
    code[code.size() - 30] = code[code.size() - 30] == 'A' ? 'B' : 'A';
    flip.as_object()["exec"].as_object()["code"] = code;
    if (err.empty()) err = write("atk-flip", flip);
    // Flip one byte inside atk-flipparams's PARAMS envelope.
    auto fp = doc("atk-flipparams");
    for (auto& param : fp.as_object()["parameters"].as_array()) {
      if (param.at("key") != "clemmys-params") continue;
      // The PARAMS envelope: the wire string itself or {"clemmys": wire}.
      auto& value = param.as_object()["value"];
      json::string& w = value.is_string() ? value.as_string() : value.as_object()["clemmys"].as_string();
      w[w.size() - 30] = w[w.size() - 30] == 'A' ? 'B' : 'A';
    }
    if (err.empty()) err = write("atk-flipparams", fp);
    // Rollback: atk-pinned's whole document back to version 1 (code, params, descriptor).
    auto old = json::parse(v1->body).as_object();
    auto pinned = doc("atk-pinned");
    for (auto* k : {"exec", "parameters", "annotations"}) pinned.as_object()[k] = old.at(k);
    if (err.empty()) err = write("atk-pinned", pinned);
    // Defaults dropped: atk-dflt's sealed defaults removed from its document.
    auto dropped = doc("atk-dflt");
    dropped.as_object()["parameters"] = json::array();
    if (err.empty()) err = write("atk-dflt", dropped);
    // Defaults rolled back: atk-roll keeps its current code, with v1's PARAMS.
    auto rolled = doc("atk-roll");
    rolled.as_object()["parameters"] = json::parse(roll1->body).at("parameters");
    if (err.empty()) err = write("atk-roll", rolled);
    // Sequences: the controller's own component lists.
    auto components = [&](const std::string& name, std::initializer_list<const char*> names) {
      auto v = doc(name);
      auto& c = v.as_object()["exec"].as_object()["components"].as_array();
      std::string prefix = std::string(c.at(0).as_string()).substr(0, std::string(c.at(0).as_string()).rfind('/') + 1);
      c.clear();
      for (auto* n : names) c.emplace_back(prefix + n);
      return write(name, v);
    };
    if (err.empty()) err = components("atk-reorder", {"atk-b", "atk-a", "atk-c"});
    if (err.empty()) err = components("atk-skip", {"atk-a", "atk-c"});
    if (err.empty()) err = components("atk-extend", {"atk-a", "atk-b", "atk-c", "atk-d"});
    if (err.empty()) err = components("atk-truncate", {"atk-a", "atk-b"});
    auto s = p.startPlatform();
    if (!s) return err + " restart: " + s.error().str();
    return err;
  }

  void SetUp() override {
    AttackTest::SetUp();
    if (!HasFatalFailure()) editOnce();
  }
};

TEST_F(StoreAttackTest, SwappedCodeIsRefusedAtInit) {
  EXPECT_TRUE(refusedWith(invoke("atk-victim", "{}"), "envelope.wrong_target"));
}

TEST_F(StoreAttackTest, FlippedByteInStoredCodeIsRefused) {
  EXPECT_TRUE(refusedWith(invoke("atk-flip", "{}"), "envelope.auth_failed"));
}

TEST_F(StoreAttackTest, FlippedByteInStoredParametersIsRefused) {
  // Another PARAMS than the CODE binds (D3 runs before the PARAMS is opened).
  EXPECT_TRUE(refusedWith(invoke("atk-flipparams", "{}"), "runtime.defaults_substituted"));
}

TEST_F(StoreAttackTest, RollbackToAnOlderVersionIsRefusedWhenPinned) {
  EXPECT_TRUE(refusedWith(invoke("atk-pinned", "{}"), "runtime.code_not_pinned"));
}

TEST_F(StoreAttackTest, DroppedDefaultsAreRefused) {
  EXPECT_TRUE(refusedWith(invoke("atk-dflt", "{}"), "runtime.defaults_dropped"));
}

TEST_F(StoreAttackTest, DefaultsRolledBackToAnOlderVersionAreRefused) {
  EXPECT_TRUE(refusedWith(invoke("atk-roll", "{}"), "runtime.defaults_substituted"));
}

TEST_F(StoreAttackTest, ReorderedStepsAreRefused) {
  EXPECT_TRUE(refusedWith(invoke("atk-reorder", "{}"), "envelope.wrong_function"));
}

TEST_F(StoreAttackTest, SkippedStepIsRefused) {
  EXPECT_TRUE(refusedWith(invoke("atk-skip", "{}"), "envelope.wrong_function"));
}

TEST_F(StoreAttackTest, ExtendedChainIsRefused) {
  EXPECT_TRUE(refusedWith(invoke("atk-extend", "{}"), "envelope.wrong_type"));
}

TEST_F(StoreAttackTest, TruncatedChainIsRefused) {
  EXPECT_TRUE(refusedWith(invoke("atk-truncate", "{}"), "gateway.not_an_outcome"));
}

TEST_F(StoreAttackTest, UntouchedActionsStillWork) {
  auto r = invoke("atk-abc", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("ABC"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace clemmys::attack
