#include "attack_fixture.h"

#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "common/encoding.h"

namespace clemmys::attack {

std::unique_ptr<Provider> AttackTest::provider_;
std::string AttackTest::startError_;
std::string AttackTest::shortInvoke_;
int64_t AttackTest::shortIssuedMs_ = 0;
std::string AttackTest::stretchInvoke_;
int64_t AttackTest::stretchIssuedMs_ = 0;

namespace {

std::string stepCode(char letter) {
  return std::string("def main(p):\n    return {'trail': p.get('trail', '') + '") + letter + "'}\n";
}

std::string echoCode() {
  return std::string("# ") + kCodeMarker +
         "\ndef main(p):\n    print('Potoroo-' + 'LOG-9123')\n"
         "    return {'echo': p.get('secret', ''), 'tag': 'Wombat-' + 'RES-2290', 'dflt': p.get('dflt', '')}\n";
}

Status put(Provider& p, const std::string& name, const json::object& body) {
  auto r = p.call("PUT", "/api/v1/namespaces/_/actions/" + name + "?overwrite=true", json::serialize(body));
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) return fail("attack.put", name + ": " + std::to_string(r->status) + " " + r->body);
  return {};
}

json::object python(const std::string& code) {
  return json::object{{"exec", json::object{{"kind", "python:3"}, {"code", code}}}};
}

json::object sequence(std::initializer_list<const char*> names) {
  json::array c;
  for (auto* n : names) c.emplace_back(std::string("/guest/") + n);
  return json::object{{"exec", json::object{{"kind", "sequence"}, {"components", c}}}};
}

std::string logsCode() {
  return "def main(p):\n    for i in range(4):\n        print('line-' + str(i))\n    return {'logged': 4}\n";
}

// Captures a fresh INVOKE for `name` (dropped by the proxy) while the proxy tells the
// gateway that the action's limits.timeout is ten years.
std::string stretchedInvoke(Provider& p, const std::string& name) {
  std::string captured;
  std::mutex m;
  std::string needle = "/actions/" + name;
  p.proxy().setHooks(
      [&](Exchange& x) {
        if (x.method != "POST" || x.target.find(needle + "?") == std::string::npos) return;
        std::lock_guard lock(m);
        std::error_code ec;
        auto v = json::parse(x.requestBody, ec);
        if (!ec && v.is_object() && v.as_object().if_contains("clemmys"))
          captured = base64UrlDecode(std::string(v.at("clemmys").as_string())).value_or("");
        x.target = "/api/v1/namespaces/_/actions/atk-dropped?blocking=true";
      },
      [&](Exchange& x) {
        if (x.method != "GET" || x.target.find(needle) == std::string::npos || x.status != 200) return;
        std::error_code ec;
        auto v = json::parse(x.responseBody, ec);
        if (ec || !v.is_object()) return;
        v.as_object()["limits"] = json::object{{"timeout", int64_t{10} * 365 * 86400 * 1000}, {"memory", 256}};
        x.responseBody = json::serialize(v);
      });
  (void)p.call("POST", "/api/v1/namespaces/_/actions/" + name + "?blocking=true", R"({"trail":"s"})");
  p.proxy().clearHooks();
  std::lock_guard lock(m);
  return captured;
}

}  // namespace

std::string defaultsCode() { return "def main(p):\n    return {'dflt': p.get('dflt', 'NONE')}\n"; }

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string sha256Hex(const std::string& bytes) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), d);
  return toHex(std::string_view(reinterpret_cast<const char*>(d), sizeof d));
}

std::string pinnedCode(int version) {
  return "def main(p):\n    return {'version': " + std::to_string(version) + "}\n";
}

void AttackTest::SetUpTestSuite() {
  if (provider_ || !startError_.empty()) return;
  ProviderOptions o;
  // The owner pins atk-pinned to version 2 of its code (DESIGN.md 4.2 digest).
  std::string v2 = pinnedCode(2);
  std::string d = std::string("python:3") + '\0' + "main" + '\0' + v2;
  o.extraFunctionsYaml = "  \"/guest/atk-pinned\":\n    pinned_digests: [" + sha256Hex(d) + "]\n";
  // The owner's message lifetime: every expiry comes from here (the lifetime attack).
  o.sessionYaml = "message_lifetime_s: " + std::to_string(kLifetimeS) + "\n";
  auto p = Provider::start(o);
  if (!p) {
    startError_ = p.error().str();
    return;
  }
  provider_ = std::move(*p);
  auto& pr = *provider_;
  json::object echo = python(echoCode());
  echo["parameters"] = json::array{json::object{{"key", "dflt"}, {"value", kParamMarker}}};
  Status s = put(pr, "atk-echo", echo);
  for (char l : {'a', 'b', 'c', 'd'}) {
    if (s) s = put(pr, std::string("atk-") + l, python(stepCode(static_cast<char>(l - 32))));
  }
  for (auto* seq : {"atk-abc", "atk-reorder", "atk-skip", "atk-extend", "atk-truncate"}) {
    if (s) s = put(pr, seq, sequence({"atk-a", "atk-b", "atk-c"}));
  }
  for (auto* n : {"atk-victim", "atk-flip", "atk-flipparams"}) {
    json::object o2 = python(stepCode('V'));
    o2["parameters"] = json::array{json::object{{"key", "k"}, {"value", "v"}}};
    if (s) s = put(pr, n, o2);
  }
  if (s) s = put(pr, "atk-pinned", python(pinnedCode(1)));
  for (auto [n, v] : {std::pair{"atk-dflt", "kept"}, {"atk-roll", "v1"}}) {
    json::object o2 = python(defaultsCode());
    o2["parameters"] = json::array{json::object{{"key", "dflt"}, {"value", v}}};
    if (s) s = put(pr, n, o2);
  }
  if (s) s = put(pr, "atk-logs", python(logsCode()));
  if (s) s = put(pr, "atk-stretch", python(stepCode('T')));
  json::object shortLived = python(stepCode('S'));
  shortLived["limits"] = json::object{{"timeout", 1000}};
  if (s) s = put(pr, "atk-short", shortLived);
  if (!s) {
    startError_ = s.error().str();
    return;
  }
  shortIssuedMs_ = nowMs();
  shortInvoke_ = freshInvoke("atk-short", R"({"trail":"x"})");
  stretchIssuedMs_ = nowMs();
  stretchInvoke_ = stretchedInvoke(pr, "atk-stretch");
}

// gtest calls SetUp/TearDownTestSuite once per derived suite; the provider is
// shared by all of them and stopped once, after the last test.
void AttackTest::TearDownTestSuite() {}

namespace {
class ProviderCleanup : public ::testing::Environment {
 public:
  void TearDown() override { AttackTest::stopProvider(); }
};
[[maybe_unused]] ::testing::Environment* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new ProviderCleanup);
}  // namespace

void AttackTest::stopProvider() { provider_.reset(); }

void AttackTest::SetUp() {
  ASSERT_TRUE(provider_) << "the malicious provider did not start: " << startError_;
  provider_->proxy().clearHooks();
}

void AttackTest::TearDown() {
  if (provider_) provider_->proxy().clearHooks();
}

http::Response AttackTest::invoke(const std::string& name, const std::string& body) {
  auto r = provider_->call("POST", "/api/v1/namespaces/_/actions/" + name + "?blocking=true", body);
  if (!r) return http::Response{599, {}, "client error: " + r.error().str()};
  return *r;
}

Exchange AttackTest::lastExchange(const std::string& method, const std::string& needle) {
  auto all = provider_->proxy().recorded();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->method == method && it->target.find(needle) != std::string::npos) return *it;
  }
  return {};
}

std::string AttackTest::envelopeOf(const json::value& carrier) {
  if (!carrier.is_object()) return "";
  auto* w = carrier.as_object().if_contains("clemmys");
  if (!w || !w->is_string()) return "";
  auto raw = base64UrlDecode(std::string(w->as_string()));
  return raw ? *raw : "";
}

std::string AttackTest::carrier(const std::string& raw) {
  return json::serialize(json::object{{"clemmys", base64UrlEncode(raw)}});
}

std::string AttackTest::invokeOf(const Exchange& x) {
  std::error_code ec;
  auto v = json::parse(x.requestBody, ec);
  return ec ? "" : envelopeOf(v);
}

std::string AttackTest::resultOf(const Exchange& x) {
  std::error_code ec;
  auto v = json::parse(x.responseBody, ec);
  if (ec || !v.is_object() || !v.as_object().if_contains("response")) return "";
  return envelopeOf(v.at("response").at("result"));
}

std::string AttackTest::freshInvoke(const std::string& name, const std::string& body) {
  std::string captured;
  std::mutex m;
  std::string needle = "/actions/" + name + "?";
  provider_->proxy().setHooks(
      [&](Exchange& x) {
        if (x.method != "POST" || x.target.find(needle) == std::string::npos) return;
        std::lock_guard lock(m);
        captured = invokeOf(x);
        // Dropped: the controller never sees this INVOKE (it gets a 404 instead).
        x.target = "/api/v1/namespaces/_/actions/atk-dropped?blocking=true";
      },
      nullptr);
  (void)invoke(name, body);
  provider_->proxy().clearHooks();
  std::lock_guard lock(m);
  return captured;
}

::testing::AssertionResult refusedWith(const http::Response& r, const std::string& error) {
  if (r.status == 200) return ::testing::AssertionFailure() << "ATTACK SUCCEEDED (200): " << r.body;
  if (r.body.find(error) == std::string::npos) {
    return ::testing::AssertionFailure() << "refused without " << error << ": " << r.status << " " << r.body;
  }
  // ATTACK_VERBOSE=1 shows what the client saw for each refusal.
  if (std::getenv("ATTACK_VERBOSE")) std::fprintf(stderr, "refused (%s): %d %s\n", error.c_str(), r.status, r.body.c_str());
  return ::testing::AssertionSuccess() << r.status << " " << r.body;
}

}  // namespace clemmys::attack
