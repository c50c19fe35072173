// Per-action heap settings through the gateway (doc/heap.md, "Secure mode"): the
// clemmys-heap-* annotations of a PUT are validated and sealed into CODE (and its
// digest); a settings-only update re-seals CODE; reads show the sealed settings,
// whatever annotations the controller kept.
#include "gateway/fake_controller_test_util.h"

#include "envelope/chain.h"
#include "gateway/action_codec.h"
#include "gateway/sealed_code.h"

namespace clemmys::gateway::testing {
namespace {

constexpr const char* kPath = "/api/v1/namespaces/_/actions/h";

json::object heapOf(const json::value& doc) {
  json::object out;
  for (const auto& a : doc.at("annotations").as_array()) {
    std::string_view key = a.at("key").as_string();
    if (heap::isHeapAnnotation(key)) out[key] = a.at("value");
  }
  return out;
}

class SealedHeap : public GatewayFixture {
 protected:
  // The stored CODE, opened and checked against the stored DESCRIPTOR.
  CodeBody storedCode(const std::string& name) {
    auto stored = fake->action(name);
    auto d = descriptorOf(stored, keys);
    EXPECT_TRUE(d) << d.error().str();
    auto code = openCode("/guest/" + name, stored.at("exec").at("code").as_string(), "cpp", d->codeDigest, keys);
    EXPECT_TRUE(code) << code.error().str();
    return code ? *code : CodeBody{};
  }
};

TEST_F(SealedHeap, PutSealsTheSettingsIntoCodeAndDigest) {
  auto r = call("PUT", kPath,
                R"({"exec":{"kind":"cpp","code":"AAAA"},"annotations":[)"
                R"({"key":"clemmys-heap-mib","value":64},{"key":"clemmys-heap-zero-on-free","value":true}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto code = storedCode("h");
  EXPECT_EQ(code.heap.sizeMib, 64u);
  EXPECT_EQ(code.heap.zeroOnFree, true);
  auto d = descriptorOf(fake->action("h"), keys);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->codeDigest, envelope::codeDigest("cpp", "main", "AAAA", R"({"size_mib":64,"zero_on_free":true})"));
  EXPECT_NE(d->codeDigest, envelope::codeDigest("cpp", "main", "AAAA"));
  EXPECT_EQ(heapOf(parse(call("GET", kPath))),
            json::parse(R"({"clemmys-heap-mib":64,"clemmys-heap-zero-on-free":true})").as_object());
}

TEST_F(SealedHeap, BadSettingsAreRefusedBeforeTheController) {
  auto before = fake->bodies().size();
  auto r = call("PUT", kPath,
                R"({"exec":{"kind":"cpp","code":"AAAA"},"limits":{"memory":128},)"
                R"("annotations":[{"key":"clemmys-heap-mib","value":200}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("must not exceed the action's memory limit (128 MB)"), std::string::npos) << r.body;
  auto policy = call("PUT", kPath,
                     R"({"exec":{"kind":"cpp","code":"AAAA"},"annotations":[{"key":"clemmys-heap-policy","value":"x"}]})");
  EXPECT_EQ(policy.status, 400);
  // Only the namespace lookups reached the controller; no PUT.
  for (size_t i = before; i < fake->bodies().size(); ++i)
    EXPECT_EQ(fake->bodies()[i].find("/actions/"), std::string::npos) << fake->bodies()[i];
}

TEST_F(SealedHeap, SettingsOnlyUpdateResealsCodeMergingByKey) {
  ASSERT_EQ(call("PUT", kPath,
                 R"({"exec":{"kind":"cpp","code":"AAAA"},"annotations":[)"
                 R"({"key":"clemmys-heap-mib","value":64},{"key":"clemmys-heap-policy","value":"lazy"}]})")
                .status,
            200);
  auto r = call("PUT", std::string(kPath) + "?overwrite=true",
                R"({"annotations":[{"key":"clemmys-heap-policy","value":null},)"
                R"({"key":"clemmys-heap-zero-on-free","value":false}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto code = storedCode("h");  // also checks CODE against the re-sealed DESCRIPTOR
  EXPECT_EQ(code.code, "AAAA");
  EXPECT_EQ(code.heap.sizeMib, 64u);
  EXPECT_FALSE(code.heap.policy);
  EXPECT_EQ(code.heap.zeroOnFree, false);
  EXPECT_EQ(heapOf(parse(r)),
            json::parse(R"({"clemmys-heap-mib":64,"clemmys-heap-zero-on-free":false})").as_object());
  // Invoking still works: the chain names the new digest.
  auto inv = call("POST", std::string(kPath) + "?blocking=true&result=true", "{}");
  EXPECT_EQ(inv.status, 200) << inv.body;
}

TEST_F(SealedHeap, ReadsShowTheSealedSettingsNotTheControllers) {
  ASSERT_EQ(call("PUT", kPath,
                 R"({"exec":{"kind":"cpp","code":"AAAA"},"annotations":[{"key":"clemmys-heap-mib","value":16}]})")
                .status,
            200);
  // The controller rewrites its plaintext annotations (it may: they are metadata),
  // keeping the sealed DESCRIPTOR.
  auto lied = fake->action("h");
  auto& notes = lied["annotations"].as_array();
  notes.push_back(json::object{{"key", "clemmys-heap-mib"}, {"value", 512}});
  notes.push_back(json::object{{"key", "clemmys-heap-zero-on-free"}, {"value", false}});
  http::Client direct("127.0.0.1", fake->port());
  auto put = direct.request("PUT", "/api/v1/namespaces/guest/actions/h?overwrite=true", json::serialize(lied), {});
  ASSERT_TRUE(put && put->status == 200);
  auto doc = parse(call("GET", kPath));
  EXPECT_EQ(heapOf(doc), json::parse(R"({"clemmys-heap-mib":16})").as_object());
  // And a settings update seals from the sealed CODE, not from those annotations.
  ASSERT_EQ(call("PUT", std::string(kPath) + "?overwrite=true",
                 R"({"annotations":[{"key":"clemmys-heap-policy","value":"eager"}]})")
                .status,
            200);
  auto code = storedCode("h");
  EXPECT_EQ(code.heap.sizeMib, 16u);
  EXPECT_EQ(code.heap.policy, "eager");
  EXPECT_FALSE(code.heap.zeroOnFree);
}

}  // namespace
}  // namespace clemmys::gateway::testing
