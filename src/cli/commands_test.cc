// Commands that never reach a server: help, usage errors, property get.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli.h"

namespace clemmys::cli {
namespace {

struct CliRun {
  int code;
  std::string out, err;
};

CliRun runCli(const std::vector<std::string>& args, const Environment& env = {}) {
  std::ostringstream out, err;
  int code = runWith(args, env, out, err);
  return {code, out.str(), err.str()};
}

TEST(CommandsTest, HelpAndUsage) {
  CliRun help = runCli({"help"});
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_NE(help.out.find("usage: clemmys <group> <command>"), std::string::npos);
  CliRun none = runCli({});
  EXPECT_EQ(none.code, kExitUsage);
  EXPECT_NE(none.err.find("usage:"), std::string::npos);
  CliRun verbHelp = runCli({"action", "invoke", "--help"});
  EXPECT_EQ(verbHelp.code, kExitOk);
  EXPECT_EQ(verbHelp.out.rfind("usage: clemmys action invoke NAME", 0), 0u);
  CliRun missingVerb = runCli({"activation"});
  EXPECT_EQ(missingVerb.code, kExitUsage);
  EXPECT_NE(missingVerb.err.find("missing command after 'activation'"), std::string::npos);
  CliRun tooMany = runCli({"activation", "get", "a", "b"});
  EXPECT_EQ(tooMany.code, kExitUsage);
  EXPECT_NE(tooMany.err.find("too many arguments"), std::string::npos);
  EXPECT_EQ(runCli({"action", "create", "x", "f.zip"}).code, kExitUsage);
  EXPECT_EQ(runCli({"action", "create", "/bad"}).code, kExitUsage);
}

TEST(CommandsTest, PropertyGetShowsSourcesAndMasksTheKey) {
  char pattern[] = "/tmp/clemmys-cli-props-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  std::string dir = pattern;
  std::ofstream(dir + "/.wskprops") << "APIHOST=127.0.0.1:3233\nAUTH=user:secretkey\nCACERT=/c.pem\n";
  Environment env{{{"HOME", dir}}};
  CliRun masked = runCli({"property", "get"}, env);
  EXPECT_EQ(masked.code, kExitOk);
  EXPECT_NE(masked.out.find("127.0.0.1:3233 (properties file)"), std::string::npos);
  EXPECT_NE(masked.out.find("user:******"), std::string::npos);
  EXPECT_EQ(masked.out.find("secretkey"), std::string::npos);
  EXPECT_NE(masked.out.find("/c.pem"), std::string::npos);
  CliRun revealed = runCli({"property", "get", "--reveal", "--apihost", "h:1"}, env);
  EXPECT_NE(revealed.out.find("user:secretkey (properties file)"), std::string::npos);
  EXPECT_NE(revealed.out.find("h:1 (flag)"), std::string::npos);
  CliRun badProps = runCli({"property", "get", "--props", dir + "/missing"}, env);
  EXPECT_EQ(badProps.code, kExitUsage);
  EXPECT_NE(badProps.err.find("cannot read properties file"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(CommandsTest, MissingAuthIsAConfigurationError) {
  CliRun run = runCli({"action", "list"}, Environment{{{"__OW_API_HOST", "127.0.0.1:1"}}});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_NE(run.err.find("no authorization key configured"), std::string::npos);
}

}  // namespace
}  // namespace clemmys::cli
