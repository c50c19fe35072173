#include "cli/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace clemmys::cli {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/clemmys-cli-config-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST(PropertiesTest, ParsesKeyValueLinesCommentsAndBlanks) {
  auto props = parseProperties("# comment\nAPIHOST = 127.0.0.1:3233\r\n\nAUTH=u:k=v\nbroken\n");
  EXPECT_EQ(props.at("APIHOST"), "127.0.0.1:3233");
  EXPECT_EQ(props.at("AUTH"), "u:k=v");
  EXPECT_EQ(props.size(), 2u);
}

TEST_F(ConfigTest, HomeWskpropsIsTheDefault) {
  write(".wskprops", "APIHOST=h1:1\nAUTH=a1\nCACERT=/ca.pem\n");
  auto config = resolveConfig({}, Environment{{{"HOME", dir_}}});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->apiHost, "h1:1");
  EXPECT_EQ(config->auth, "a1");
  EXPECT_EQ(config->caCert, "/ca.pem");
  EXPECT_EQ(config->apiHostSource, "properties file");
}

TEST_F(ConfigTest, FlagsOverrideEnvironmentOverridesFile) {
  write(".wskprops", "APIHOST=file:1\nAUTH=file-auth\n");
  Environment env{{{"HOME", dir_}, {"__OW_API_HOST", "env:2"}, {"__OW_API_KEY", "env-auth"}}};
  auto fromEnv = resolveConfig({}, env);
  ASSERT_TRUE(fromEnv.has_value());
  EXPECT_EQ(fromEnv->apiHost, "env:2");
  EXPECT_EQ(fromEnv->auth, "env-auth");
  EXPECT_EQ(fromEnv->authSource, "environment");

  auto fromFlags = resolveConfig({"flag:3", "flag-auth", std::nullopt}, env);
  ASSERT_TRUE(fromFlags.has_value());
  EXPECT_EQ(fromFlags->apiHost, "flag:3");
  EXPECT_EQ(fromFlags->auth, "flag-auth");
  EXPECT_EQ(fromFlags->apiHostSource, "flag");

  auto mixed = resolveConfig({std::nullopt, "flag-auth", std::nullopt},
                             Environment{{{"HOME", dir_}, {"__OW_API_HOST", "env:2"}}});
  EXPECT_EQ(mixed->apiHost, "env:2");
  EXPECT_EQ(mixed->auth, "flag-auth");
}

TEST_F(ConfigTest, PropsFlagOverridesWskConfigFileOverridesHome) {
  write(".wskprops", "APIHOST=home:1\n");
  std::string envFile = write("env.props", "APIHOST=envfile:1\n");
  std::string flagFile = write("flag.props", "APIHOST=flagfile:1\n");
  Environment env{{{"HOME", dir_}, {"WSK_CONFIG_FILE", envFile}}};
  EXPECT_EQ(resolveConfig({}, env)->apiHost, "envfile:1");
  EXPECT_EQ(resolveConfig({std::nullopt, std::nullopt, flagFile}, env)->apiHost, "flagfile:1");
}

TEST_F(ConfigTest, MissingExplicitFileIsAnErrorMissingHomeFileIsNot) {
  auto explicitMissing = resolveConfig({std::nullopt, std::nullopt, dir_ + "/nope"}, {});
  ASSERT_FALSE(explicitMissing.has_value());
  EXPECT_EQ(explicitMissing.error().name, "cli.config");
  EXPECT_FALSE(resolveConfig({}, Environment{{{"WSK_CONFIG_FILE", dir_ + "/nope"}}}).has_value());
  auto noHomeFile = resolveConfig({}, Environment{{{"HOME", dir_}}});
  ASSERT_TRUE(noHomeFile.has_value());
  EXPECT_TRUE(noHomeFile->apiHost.empty());
}

TEST(ApiHostTest, WithAndWithoutScheme) {
  auto plain = parseApiHost("127.0.0.1:3233");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 3233);
  EXPECT_EQ(plain->scheme, "http");
  auto withScheme = parseApiHost("http://localhost:8080/base/");
  ASSERT_TRUE(withScheme.has_value());
  EXPECT_EQ(withScheme->host, "localhost");
  EXPECT_EQ(withScheme->port, 8080);
  EXPECT_EQ(withScheme->basePath, "/base");
  EXPECT_EQ(parseApiHost("example.org")->port, 80);
  auto v6 = parseApiHost("http://[::1]:9000");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
}

TEST(ApiHostTest, HttpsDefaultsToPort443AndBadHostsFail) {
  auto tls = parseApiHost("https://host");
  ASSERT_TRUE(tls.has_value());
  EXPECT_EQ(tls->scheme, "https");
  EXPECT_EQ(tls->port, 443);
  EXPECT_FALSE(parseApiHost("ftp://host").has_value());
  EXPECT_FALSE(parseApiHost("").has_value());
  EXPECT_FALSE(parseApiHost("host:0").has_value());
  EXPECT_FALSE(parseApiHost("host:70000").has_value());
  EXPECT_FALSE(parseApiHost("host:http").has_value());
  EXPECT_FALSE(parseApiHost("ftp://host").has_value());
  EXPECT_FALSE(parseApiHost(":80").has_value());
}

}  // namespace
}  // namespace clemmys::cli
