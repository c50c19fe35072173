#include "cli/action_spec.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/encoding.h"

namespace clemmys::cli {
namespace {

namespace json = boost::json;

class ActionSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/clemmys-cli-spec-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes, bool executable = false) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    if (executable) ::chmod(path.c_str(), 0755);
    return path;
  }
  std::string dir_;
};

TEST(KindTest, InferredFromExtension) {
  EXPECT_EQ(inferKind("hello.py").value(), "python:3");
  EXPECT_EQ(inferKind("dir.v2/hello.js").value(), "nodejs:20");
  EXPECT_EQ(inferKind("/x/libhello.so").value(), "cpp");
  EXPECT_EQ(inferKind("hello.sh").value(), "blackbox");
  EXPECT_EQ(inferKind("exec").value(), "blackbox");
  EXPECT_EQ(inferKind("dir.js/exec").value(), "blackbox");
  auto zip = inferKind("action.zip");
  ASSERT_FALSE(zip.has_value());
  EXPECT_NE(zip.error().message.find("--kind"), std::string::npos);
}

TEST(ParamValueTest, JsonWhenValidElseString) {
  EXPECT_EQ(parseParamValue("42"), json::value(42));
  EXPECT_EQ(parseParamValue("true"), json::value(true));
  EXPECT_EQ(parseParamValue("null"), json::value(nullptr));
  EXPECT_EQ(parseParamValue("\"quoted\""), json::value("quoted"));
  EXPECT_EQ(parseParamValue("{\"a\":[1,2]}"), json::parse("{\"a\":[1,2]}"));
  EXPECT_EQ(parseParamValue("World"), json::value("World"));
  EXPECT_EQ(parseParamValue("{broken"), json::value("{broken"));
  EXPECT_EQ(parseParamValue(""), json::value(""));
  EXPECT_EQ(parseParamValue("1 2"), json::value("1 2"));
}

TEST(KeyValueTest, LaterDuplicatesReplace) {
  auto array = keyValueArray({{"a", 1}, {"b", "x"}, {"a", 2}});
  EXPECT_EQ(json::serialize(array), R"([{"key":"a","value":2},{"key":"b","value":"x"}])");
  EXPECT_EQ(json::serialize(keyValueObject({{"a", 1}, {"a", 3}})), R"({"a":3})");
}

TEST(NameTest, QualifyAndSplit) {
  EXPECT_EQ(qualifyName("a"), "/_/a");
  EXPECT_EQ(qualifyName("pkg/a"), "/_/pkg/a");
  EXPECT_EQ(qualifyName("/ns/a"), "/ns/a");
  auto plain = splitName("hello");
  EXPECT_EQ(plain->ns, "_");
  EXPECT_EQ(plain->path, "hello");
  auto full = splitName("/guest/pkg/hello");
  EXPECT_EQ(full->ns, "guest");
  EXPECT_EQ(full->path, "pkg/hello");
  EXPECT_FALSE(splitName("").has_value());
  EXPECT_FALSE(splitName("/onlyns").has_value());
  EXPECT_FALSE(splitName("a/b/c").has_value());
  EXPECT_FALSE(splitName("a//b").has_value());
  EXPECT_EQ(entityPath(*splitName("/my ns/pkg/hé llo"), "actions"),
            "/api/v1/namespaces/my%20ns/actions/pkg/h%C3%A9%20llo");
}

TEST_F(ActionSpecTest, TextCodeIsSentAsIs) {
  ActionSpec spec;
  spec.name = "hello";
  spec.codePath = write("hello.py", "def main(args):\n    return {}\n");
  spec.params = {{"name", "World"}};
  spec.timeoutMs = 1000;
  spec.memoryMb = 128;
  auto body = buildActionBody(spec);
  ASSERT_TRUE(body.has_value()) << body.error().str();
  EXPECT_EQ(json::serialize(*body),
            R"({"exec":{"kind":"python:3","code":"def main(args):\n    return {}\n","binary":false},)"
            R"("parameters":[{"key":"name","value":"World"}],"annotations":[],)"
            R"("limits":{"timeout":1000,"memory":128}})");
}

TEST_F(ActionSpecTest, BinaryCodeIsBase64) {
  std::string elf("\x7f" "ELF\0\0\x01", 7);
  ActionSpec so;
  so.name = "f";
  so.codePath = write("libf.so", elf);
  so.main = "entry";
  auto soBody = buildActionBody(so);
  ASSERT_TRUE(soBody.has_value());
  const auto& exec = soBody->at("exec").as_object();
  EXPECT_EQ(exec.at("kind"), "cpp");
  EXPECT_EQ(exec.at("binary"), true);
  EXPECT_EQ(exec.at("main"), "entry");
  EXPECT_EQ(base64Decode(exec.at("code").as_string()).value(), elf);

  ActionSpec script;
  script.name = "s";
  script.codePath = write("run.sh", "#!/bin/bash\necho hi\n", /*executable=*/true);
  auto scriptBody = buildActionBody(script);
  ASSERT_TRUE(scriptBody.has_value());
  EXPECT_EQ(scriptBody->at("exec").at("kind"), "blackbox");
  EXPECT_EQ(scriptBody->at("exec").at("binary"), true);
  EXPECT_EQ(base64Decode(scriptBody->at("exec").at("code").as_string()).value(),
            "#!/bin/bash\necho hi\n");

  ActionSpec notUtf8;
  notUtf8.name = "n";
  notUtf8.codePath = write("data.txt", "\xff\xfe");
  EXPECT_EQ(buildActionBody(notUtf8)->at("exec").at("binary"), true);
}

TEST_F(ActionSpecTest, ZipNeedsKindAndExplicitKindWins) {
  ActionSpec zip;
  zip.name = "z";
  zip.codePath = write("a.zip", "PK\x03\x04");
  EXPECT_FALSE(buildActionBody(zip).has_value());
  zip.kind = "nodejs:20";
  auto body = buildActionBody(zip);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->at("exec").at("kind"), "nodejs:20");
  EXPECT_EQ(body->at("exec").at("binary"), true);
}

TEST_F(ActionSpecTest, SequenceComponentsAreQualified) {
  ActionSpec spec;
  spec.name = "seq";
  spec.sequence = std::vector<std::string>{"a", "pkg/b", "/other/c"};
  auto body = buildActionBody(spec);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(json::serialize(body->at("exec")),
            R"({"kind":"sequence","components":["/_/a","/_/pkg/b","/other/c"]})");
  spec.codePath = write("x.py", "");
  EXPECT_FALSE(buildActionBody(spec).has_value());
  spec.codePath.reset();
  spec.sequence = std::vector<std::string>{"a", ""};
  EXPECT_FALSE(buildActionBody(spec).has_value());
}

TEST_F(ActionSpecTest, CreateNeedsCodeUpdateDoesNot) {
  ActionSpec spec;
  spec.name = "x";
  auto create = buildActionBody(spec);
  ASSERT_FALSE(create.has_value());
  EXPECT_EQ(create.error().name, "cli.usage");
  spec.update = true;
  spec.timeoutMs = 500;
  auto update = buildActionBody(spec);
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(json::serialize(*update), R"({"limits":{"timeout":500}})");
}

TEST_F(ActionSpecTest, UnreadableFilesAreNamedErrors) {
  ActionSpec spec;
  spec.name = "x";
  spec.codePath = dir_ + "/missing.py";
  auto body = buildActionBody(spec);
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().name, "cli.file");
  EXPECT_NE(body.error().message.find("missing.py"), std::string::npos);
  spec.codePath = dir_;
  EXPECT_EQ(buildActionBody(spec).error().name, "cli.file");

  EXPECT_EQ(loadParamFile(dir_ + "/none.json").error().name, "cli.file");
  EXPECT_EQ(loadParamFile(write("arr.json", "[1]")).error().name, "cli.usage");
  auto entries = loadParamFile(write("p.json", R"({"a":1,"b":{"c":"d"}})"));
  ASSERT_TRUE(entries.has_value());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[1].second, json::parse(R"({"c":"d"})"));
}

}  // namespace
}  // namespace clemmys::cli
