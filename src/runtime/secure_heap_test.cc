// Secure mode and per-action heap settings (doc/heap.md, "Secure mode"): the sealed
// CODE body decides the heap; a "heap" object in the untrusted /init and the host's
// CLEMMYS_HEAP_ZERO_ON_FREE cannot turn zeroing off; the settings are bound into the
// code digest, so an INVOKE issued for other settings is refused.
#include <gtest/gtest.h>

#include <cstdlib>

#include "heap/heap_settings.h"
#include "runtime/secure_proxy.h"
#include "runtime/secure_test_util.h"

namespace clemmys::runtime {
namespace {

namespace json = boost::json;
using namespace testing;

// Releases the key at start and knows no function configuration.
class KeysOnly : public KeySource {
 public:
  explicit KeysOnly(json::object config) : config_(std::move(config)) {}
  Result<json::object> fetch(const std::optional<std::string>& function) override {
    if (function) return fail("kms.unknown_function", *function);
    return config_;
  }

 private:
  json::object config_;
};

// The host's environment for the runtime process; restored afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

constexpr const char* kFqn = "/guest/heap";

class SecureHeapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string key = random.bytes(32);
    kms = std::make_unique<KeysOnly>(
        json::object{{"keys", json::array{json::object{{"version", 1}, {"key", base64UrlEncode(key)}}}}});
    gatewayKeys.add(1, crypto::SecretBytes(crypto::asBytes(key)));
    library = base64Encode(readFileText(CLEMMYS_RUNTIME_TEST_LIB));
  }

  // CODE as the gateway seals it for an action with these heap settings.
  SealedCode seal(const std::string& main, const heap::HeapSettings& settings) {
    json::object body{{"kind", "cpp"}, {"main", main}, {"binary", true}, {"code", library}};
    if (!settings.empty()) body["heap"] = heap::heapSettingsToJson(settings);
    return {sealObject(envelope::Type::code, kFqn, json::serialize(body), gatewayKeys, random, 1,
                       envelope::noDefaultsBinding()),
            envelope::codeDigest("cpp", main, library, heap::canonicalHeapJson(settings))};
  }

  struct Instance {
    envelope::KeyRing keys;
    std::unique_ptr<ActionProxy> proxy;
    std::unique_ptr<SecureProxy> secure;
  };

  // /init from a host that adds its own heap object, trying to enlarge the heap,
  // switch to eager commit and turn zeroing off.
  std::unique_ptr<Instance> init(const SealedCode& code, int* status) {
    auto in = std::make_unique<Instance>();
    auto start = kms->fetch(std::nullopt);
    EXPECT_TRUE(loadKeys(*start, in->keys));
    in->proxy = std::make_unique<ActionProxy>(ProxyOptions{}, clock);
    in->secure = std::make_unique<SecureProxy>(SecureDeps{*in->proxy, *kms, in->keys, clock, random});
    json::object hostHeap{{"size_mib", 8}, {"policy", "eager"}, {"zero_on_free", false}};
    json::object body{{"value", json::object{{"name", kFqn}, {"main", "main"}, {"code", code.wire},
                                             {"heap", hostHeap}}}};
    *status = in->secure->init(json::serialize(body)).status;
    return in;
  }

  // Runs one activation through the secure path; returns the opened result (or the
  // refusal's error name as {"refused": name}).
  json::object run(Instance& in, const envelope::Digest& digest, const std::string& payload) {
    Gateway gw(gatewayKeys, clock, random);
    envelope::Id id;
    auto r = in.secure->run(runBody(gw.invoke({kFqn, {{kFqn, digest}}}, payload, id)));
    auto reply = json::parse(r.body).as_object();
    if (r.status == 400) return json::object{{"refused", reply.at("error")}};
    EXPECT_EQ(r.status, 200) << r.body;
    auto outcome = gw.ledger.accept(*envelope::fromWire(reply.at("clemmys").as_string()));
    EXPECT_TRUE(outcome) << outcome.error().str();
    return outcome ? json::parse(outcome->payload).as_object() : json::object{};
  }

  // write-then-scan with the probe; returns whether the secret survived.
  json::value secretSurvives(const heap::HeapSettings& settings) {
    auto code = seal("heap_probe", settings);
    int status = 0;
    auto in = init(code, &status);
    EXPECT_EQ(status, 200);
    run(*in, code.digest, R"({"write":true})");
    auto scan = run(*in, code.digest, R"({"scan":true})");
    EXPECT_EQ(scan.at("heap"), true);
    return scan.at("found");
  }

  SystemClock clock;
  SystemRandom random;
  std::unique_ptr<KeysOnly> kms;
  envelope::KeyRing gatewayKeys;
  std::string library;
};

TEST_F(SecureHeapTest, SealedSettingsDecideNotTheHostsInit) {
  heap::HeapSettings sealed;
  sealed.sizeMib = 4;
  sealed.policy = "lazy";
  auto code = seal("heap_shape", sealed);
  int status = 0;
  auto in = init(code, &status);
  ASSERT_EQ(status, 200);
  auto shape = run(*in, code.digest, "{}");
  ASSERT_EQ(shape.at("heap"), true);
  EXPECT_EQ(shape.at("capacity").to_number<int64_t>(), int64_t{4} << 20);  // not the host's 8
  EXPECT_EQ(shape.at("resident").to_number<int64_t>(), 1);                 // lazy, not eager
}

TEST_F(SecureHeapTest, HostCannotTurnZeroingOff) {
  // Both the runtime's environment and the /init heap object say "no zeroing".
  ScopedEnv env("CLEMMYS_HEAP_ZERO_ON_FREE", "0");
  heap::HeapSettings sealed;
  sealed.sizeMib = 4;
  EXPECT_EQ(secretSurvives(sealed), false);
}

TEST_F(SecureHeapTest, OwnerCanTurnZeroingOff) {
  // The control: the same probe finds the secret when the sealed CODE says so.
  heap::HeapSettings sealed;
  sealed.sizeMib = 4;
  sealed.zeroOnFree = false;
  EXPECT_EQ(secretSurvives(sealed), true);
}

TEST_F(SecureHeapTest, WithoutSealedSettingsTheHostsHeapObjectIsIgnored) {
  auto code = seal("heap_shape", {});
  int status = 0;
  auto in = init(code, &status);
  ASSERT_EQ(status, 200);
  EXPECT_EQ(run(*in, code.digest, "{}").at("heap"), false);  // no size from the host's /init
}

TEST_F(SecureHeapTest, DigestBindsTheSettings) {
  heap::HeapSettings sealed;
  sealed.sizeMib = 4;
  sealed.zeroOnFree = true;
  auto code = seal("heap_shape", sealed);
  int status = 0;
  auto in = init(code, &status);
  ASSERT_EQ(status, 200);
  // An INVOKE issued for the same code with other (or no) settings names another function.
  heap::HeapSettings other = sealed;
  other.zeroOnFree = false;
  auto wrong = envelope::codeDigest("cpp", "heap_shape", library, heap::canonicalHeapJson(other));
  EXPECT_EQ(run(*in, wrong, "{}").at("refused"), "envelope.wrong_function");
  auto bare = envelope::codeDigest("cpp", "heap_shape", library);
  EXPECT_EQ(run(*in, bare, "{}").at("refused"), "envelope.wrong_function");
  EXPECT_EQ(run(*in, code.digest, "{}").at("heap"), true);
}

TEST_F(SecureHeapTest, MalformedSealedSettingsAreRefused) {
  json::object body{{"kind", "cpp"}, {"main", "heap_shape"}, {"binary", true}, {"code", library},
                    {"heap", json::object{{"zero_on_free", "no"}}}};
  SealedCode code{sealObject(envelope::Type::code, kFqn, json::serialize(body), gatewayKeys, random, 1,
                             envelope::noDefaultsBinding()),
                  {}};
  int status = 0;
  init(code, &status);
  EXPECT_EQ(status, 400);
}

}  // namespace
}  // namespace clemmys::runtime
