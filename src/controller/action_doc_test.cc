#include "controller/action_doc.h"

#include <gtest/gtest.h>

namespace clemmys::controller {
namespace {

QualifiedName guestA{"guest", "a"};

Result<json::object> build(std::string_view body, const json::object* existing = nullptr) {
  return buildActionDocument(json::parse(body), guestA, existing, 1000);
}

std::string error(std::string_view body) {
  auto r = build(body);
  EXPECT_FALSE(r) << body;
  return r ? "" : r.error().message;
}

json::value annotation(const json::object& doc, std::string_view key) {
  for (auto& a : doc.at("annotations").as_array())
    if (a.at("key").as_string() == key) return a.at("value");
  return nullptr;
}

TEST(ActionDocTest, CreateAddsDefaultsAndAnnotations) {
  auto d = build(R"({"exec":{"kind":"python:default","code":"def main(a): return a"}})");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->at("namespace"), "guest");
  EXPECT_EQ(d->at("name"), "a");
  EXPECT_EQ(d->at("version"), "0.0.1");
  EXPECT_EQ(d->at("publish"), false);
  EXPECT_EQ(d->at("exec").at("kind"), "python:3");
  EXPECT_EQ(d->at("exec").at("binary"), false);
  EXPECT_EQ(d->at("limits").at("timeout"), 60000);
  EXPECT_EQ(d->at("limits").at("memory"), 256);
  EXPECT_EQ(d->at("limits").at("logs"), 10);
  EXPECT_EQ(d->at("limits").at("concurrency"), 1);
  EXPECT_EQ(annotation(*d, "exec"), "python:3");
  EXPECT_EQ(annotation(*d, "provide-api-key"), false);
  EXPECT_EQ(d->at("updated"), 1000);
}

TEST(ActionDocTest, BinaryCodeIsDetected) {
  auto d = build(R"({"exec":{"kind":"cpp","code":"UEsDBBQAAAAIAA=="}})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->at("exec").at("binary"), true);
}

// Issue 16: cpp code that is not base64 would fail at every invoke; refused at create
// with the OpenWhisk-style malformed-request message (400). A sealed CODE envelope
// (base64url, what the secure gateway stores) passes.
TEST(ActionDocTest, CppCodeMustBeBase64) {
  EXPECT_EQ(error(R"({"exec":{"kind":"cpp","code":"not base64 at all!"}})"),
            "The request content was malformed:\n'exec.code' for kind 'cpp' must be the base64 of a shared library");
  EXPECT_TRUE(build(R"({"exec":{"kind":"cpp","code":"AAEC-_8"}})"));  // base64url
  EXPECT_TRUE(build(R"({"exec":{"kind":"python:3","code":"not base64 at all!"}})"));
}

TEST(ActionDocTest, PackagedActionNamespace) {
  auto d = buildActionDocument(json::parse(R"({"exec":{"kind":"nodejs:20","code":"x"}})"),
                               QualifiedName{"guest", "pkg/b"}, nullptr, 1);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->at("namespace"), "guest/pkg");
  EXPECT_EQ(d->at("name"), "b");
}

TEST(ActionDocTest, RejectsBadExec) {
  EXPECT_EQ(error(R"({})"), "The request content was malformed:\nexec undefined");
  EXPECT_EQ(error(R"({"exec":{"kind":"go:1.20","code":"x"}})"),
            "The specified runtime 'go:1.20' is not supported by this platform. Valid values are: "
            "'blackbox', 'cpp', 'nodejs:20', 'python:3', 'sequence'.");
  EXPECT_NE(error(R"({"exec":{"kind":"python:3"}})").find("exec.code"), std::string::npos);
  EXPECT_NE(error(R"({"exec":{"kind":"python:3","code":""}})").find("exec.code"), std::string::npos);
  EXPECT_NE(error(R"({"exec":{"kind":"blackbox"}})").find("exec.image"), std::string::npos);
  EXPECT_NE(error(R"({"exec":"x"})").find("malformed"), std::string::npos);
  EXPECT_EQ(error(R"({"exec":{"kind":"sequence","components":[]}})"),
            "No component specified for the sequence.");
  EXPECT_EQ(error(R"({"exec":{"kind":"sequence","components":["a"]}})"),
            "The request content was malformed:\nThe fully qualified name of the entity must "
            "contain at least the namespace and the name of the entity.");
  EXPECT_NE(error("[1]").find("malformed"), std::string::npos);
}

TEST(ActionDocTest, BlackboxNeedsImageNotCode) {
  auto d = build(R"({"exec":{"kind":"blackbox","image":"openwhisk/dockerskeleton"}})");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->at("exec").as_object().contains("code"));
  EXPECT_EQ(d->at("exec").at("image"), "openwhisk/dockerskeleton");
}

TEST(ActionDocTest, LimitRanges) {
  const char* base = R"({"exec":{"kind":"python:3","code":"x"},"limits":)";
  auto with = [&](std::string limits) { return std::string(base) + limits + "}"; };
  EXPECT_EQ(error(with(R"({"timeout":99})")),
            "The action timeout limit must be between 100 and 300000 ms.");
  EXPECT_EQ(error(with(R"({"timeout":300001})")),
            "The action timeout limit must be between 100 and 300000 ms.");
  EXPECT_EQ(error(with(R"({"memory":127})")), "The action memory limit must be between 128 and 512 MB.");
  EXPECT_EQ(error(with(R"({"memory":513})")), "The action memory limit must be between 128 and 512 MB.");
  EXPECT_EQ(error(with(R"({"logs":11})")), "The action logs limit must be between 0 and 10 MB.");
  EXPECT_EQ(error(with(R"({"concurrency":2})")), "The action concurrency limit must be 1.");
  EXPECT_EQ(error(with(R"({"timeout":"fast"})")),
            "The action timeout limit must be between 100 and 300000 ms.");
  auto ok = build(with(R"({"timeout":100,"memory":512,"logs":0})"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("limits").at("timeout"), 100);
  EXPECT_EQ(ok->at("limits").at("logs"), 0);
}

TEST(ActionDocTest, ParametersMustBeKeyValueLists) {
  const char* base = R"({"exec":{"kind":"python:3","code":"x"},"parameters":)";
  auto with = [&](std::string p) { return std::string(base) + p + "}"; };
  EXPECT_FALSE(build(with(R"({"a":1})")));
  EXPECT_FALSE(build(with(R"([{"key":"a"}])")));
  EXPECT_FALSE(build(with(R"([{"value":1}])")));
  EXPECT_FALSE(build(with(R"([1])")));
  EXPECT_FALSE(build(with(R"([{"key":"a","value":1,"init":"yes"}])")));
  auto ok = build(with(R"([{"key":"a","value":1},{"key":"b","value":"s","init":true}])"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("parameters").as_array().size(), 2u);
}

TEST(ActionDocTest, OverwriteKeepsMergesAndBumps) {
  auto v1 = build(R"({"exec":{"kind":"python:3","code":"x"},"parameters":[{"key":"p","value":1}],
                      "annotations":[{"key":"a","value":1},{"key":"b","value":2}],
                      "limits":{"memory":128}})");
  ASSERT_TRUE(v1);
  auto v2 = build(R"({"annotations":[{"key":"b","value":3},{"key":"c","value":4}]})", &*v1);
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ(v2->at("version"), "0.0.2");
  EXPECT_EQ(v2->at("exec").at("code"), "x");
  EXPECT_EQ(v2->at("parameters").as_array().size(), 1u);
  EXPECT_EQ(annotation(*v2, "a"), 1);
  EXPECT_EQ(annotation(*v2, "b"), 3);
  EXPECT_EQ(annotation(*v2, "c"), 4);
  EXPECT_EQ(v2->at("limits").at("memory"), 128);
  auto v3 = build(R"({"parameters":[]})", &*v2);
  ASSERT_TRUE(v3);
  EXPECT_EQ(v3->at("version"), "0.0.3");
  EXPECT_TRUE(v3->at("parameters").as_array().empty());
}

TEST(ActionDocTest, EntityCarriesInitEnvAndDefaults) {
  auto d = build(R"({"exec":{"kind":"nodejs:20","code":"x","main":"run"},
                     "parameters":[{"key":"p","value":{"x":1}},{"key":"e","value":{"y":2},"init":true},
                                   {"key":"s","value":"str","init":true}],
                     "annotations":[{"key":"provide-api-key","value":true}]})");
  ASSERT_TRUE(d);
  auto e = entityFromDocument(guestA, *d, "rev1");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)->code.main, "run");
  EXPECT_EQ((*e)->code.fqn, "/guest/a");
  EXPECT_EQ((*e)->code.revision, "rev1");
  EXPECT_EQ((*e)->code.initEnv.at("e"), R"({"y":2})");
  EXPECT_EQ((*e)->code.initEnv.at("s"), "str");
  EXPECT_TRUE((*e)->defaultParams.contains("p"));
  EXPECT_FALSE((*e)->defaultParams.contains("e"));
  EXPECT_TRUE((*e)->provideApiKey);
}

TEST(ActionDocTest, SummaryAndCodeFalse) {
  auto d = build(R"({"exec":{"kind":"python:3","code":"x"},"parameters":[{"key":"p","value":1}]})");
  ASSERT_TRUE(d);
  auto s = actionSummary(*d);
  EXPECT_EQ(s.at("exec"), (json::object{{"binary", false}}));
  EXPECT_FALSE(s.contains("parameters"));
  auto nc = withoutCode(*d);
  EXPECT_FALSE(nc.at("exec").as_object().contains("code"));
  EXPECT_EQ(nc.at("exec").at("kind"), "python:3");
}

}  // namespace
}  // namespace clemmys::controller
