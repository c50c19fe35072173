// End-to-end tests of the commands against an in-test http::Server: the exact requests
// the CLI sends and how it prints the responses.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>

#include "cli/cli.h"
#include "common/encoding.h"
#include "http/server.h"

namespace clemmys::cli {
namespace {

namespace json = boost::json;

class CliServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = http::Server::start({}, [this](http::Request& request) {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      return respond_(request);
    });
    ASSERT_TRUE(server.has_value()) << server.error().str();
    server_ = std::move(*server);
    char pattern[] = "/tmp/clemmys-cli-server-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }

  // Runs the CLI with the API host and key given as flags.
  int cli(std::vector<std::string> args) {
    args.push_back("--apihost");
    args.push_back("127.0.0.1:" + std::to_string(server_->port()));
    args.push_back("--auth");
    args.push_back(kAuth);
    out_.str("");
    err_.str("");
    return runWith(args, Environment{}, out_, err_);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  http::Request only() {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(requests_.size(), 1u);
    return requests_.empty() ? http::Request{} : requests_.back();
  }

  static constexpr const char* kAuth = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secret";
  std::function<http::Response(const http::Request&)> respond_ = [](const http::Request&) {
    return http::Response::json(200, json::object{});
  };
  std::mutex mutex_;
  std::vector<http::Request> requests_;
  std::unique_ptr<http::Server> server_;
  std::ostringstream out_, err_;
  std::string dir_;
};

TEST_F(CliServerTest, CreateSendsPutWithAuthAndBody) {
  std::string file = write("hello.py", "def main(a):\n  return a\n");
  ASSERT_EQ(cli({"action", "create", "hello", file, "-p", "name", "World", "-p", "n", "3",
                 "--timeout", "2000"}),
            kExitOk)
      << err_.str();
  http::Request request = only();
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.path, "/api/v1/namespaces/_/actions/hello");
  EXPECT_EQ(request.query.at("overwrite"), "false");
  EXPECT_EQ(request.header("Authorization").value_or(""), "Basic " + base64Encode(kAuth));
  EXPECT_EQ(request.header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(json::parse(request.body),
            json::parse(R"({"exec":{"kind":"python:3","code":"def main(a):\n  return a\n",
                "binary":false},"parameters":[{"key":"name","value":"World"},
                {"key":"n","value":3}],"annotations":[],"limits":{"timeout":2000}})"));
  EXPECT_EQ(out_.str(), "ok: created action hello\n");
}

TEST_F(CliServerTest, UpdateOverwritesAndConflictIsReported) {
  ASSERT_EQ(cli({"action", "update", "/guest/pkg/a b", "--memory", "128"}), kExitOk);
  http::Request request = only();
  EXPECT_EQ(request.target, "/api/v1/namespaces/guest/actions/pkg/a%20b?overwrite=true");
  EXPECT_EQ(json::parse(request.body), json::parse(R"({"limits":{"memory":128}})"));
  EXPECT_EQ(out_.str(), "ok: updated action /guest/pkg/a b\n");

  respond_ = [](const http::Request&) {
    return http::Response::json(409, json::object{{"error", "resource already exists"},
                                                  {"code", "tx1"}});
  };
  EXPECT_EQ(cli({"action", "create", "seq", "--sequence", "a,b,/x/c"}), kExitError);
  EXPECT_EQ(err_.str(),
            "error: Unable to create action 'seq': resource already exists (code tx1)\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliServerTest, InvokeBlockingPrintsThePrettyResult) {
  respond_ = [](const http::Request&) {
    return http::Response::json(200, json::parse(R"({"activationId":"abc","response":{
        "status":"success","success":true,"result":{"greeting":"Hello, World!"}}})"))
        .set("x-openwhisk-activation-id", "abc");
  };
  ASSERT_EQ(cli({"action", "invoke", "hello", "-b", "-p", "name", "World"}), kExitOk);
  http::Request request = only();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/api/v1/namespaces/_/actions/hello");
  EXPECT_EQ(request.query.at("blocking"), "true");
  EXPECT_FALSE(request.query.contains("result"));
  EXPECT_EQ(json::parse(request.body), json::parse(R"({"name":"World"})"));
  EXPECT_EQ(out_.str(),
            "ok: invoked /_/hello with id abc\n{\n    \"greeting\": \"Hello, World!\"\n}\n");
}

TEST_F(CliServerTest, InvokeResultAndJsonAndNonBlocking) {
  respond_ = [](const http::Request& r) {
    if (r.query.at("blocking") == "false") {
      return http::Response::json(202, json::object{{"activationId", "id202"}});
    }
    return http::Response::json(200, json::object{{"x", 1}});
  };
  ASSERT_EQ(cli({"action", "invoke", "f", "-r"}), kExitOk);
  EXPECT_EQ(out_.str(), "{\n    \"x\": 1\n}\n");
  ASSERT_EQ(cli({"action", "invoke", "f", "--result", "--json"}), kExitOk);
  EXPECT_EQ(out_.str(), "{\"x\":1}\n");
  ASSERT_EQ(cli({"action", "invoke", "f"}), kExitOk);
  EXPECT_EQ(out_.str(), "ok: invoked /_/f with id id202\n");
  std::lock_guard lock(mutex_);
  ASSERT_EQ(requests_.size(), 3u);
  EXPECT_EQ(requests_[0].query.at("result"), "true");
  EXPECT_EQ(requests_[0].query.at("blocking"), "true");
  EXPECT_EQ(requests_[0].body, "{}");
}

TEST_F(CliServerTest, InvokeApplicationErrorExitsNonzero) {
  respond_ = [](const http::Request&) {
    return http::Response::json(502, json::parse(R"({"activationId":"e1","response":{
        "status":"application error","success":false,"result":{"error":"boom"}}})"));
  };
  EXPECT_EQ(cli({"action", "invoke", "f", "-b"}), kExitError);
  EXPECT_EQ(out_.str(), "ok: invoked /_/f with id e1\n{\n    \"error\": \"boom\"\n}\n");
  EXPECT_EQ(err_.str(), "error: action 'f' failed: application error: boom\n");
}

TEST_F(CliServerTest, ListsAndGets) {
  respond_ = [](const http::Request& r) {
    if (r.path.ends_with("/actions")) {
      return http::Response::json(200, json::parse(R"([{"namespace":"guest","name":"hello",
          "publish":false,"annotations":[{"key":"exec","value":"nodejs:20"}]}])"));
    }
    if (r.path.ends_with("/logs")) {
      return http::Response::json(200, json::parse(R"({"logs":["l1","l2"]})"));
    }
    if (r.path.ends_with("/result")) {
      return http::Response::json(200, json::parse(R"({"status":"success","result":{"a":[]}})"));
    }
    return http::Response::json(200, json::array{});
  };
  ASSERT_EQ(cli({"action", "list", "--limit", "5", "--skip", "2"}), kExitOk);
  EXPECT_EQ(out_.str(), "actions\n/guest/hello  private  nodejs:20\n");
  ASSERT_EQ(cli({"activation", "list", "/guest/hello", "-l", "3", "--since", "1000"}), kExitOk);
  EXPECT_EQ(out_.str().substr(0, 8), "Datetime");
  ASSERT_EQ(cli({"activation", "logs", "0123abc"}), kExitOk);
  EXPECT_EQ(out_.str(), "l1\nl2\n");
  ASSERT_EQ(cli({"activation", "result", "0123abc"}), kExitOk);
  EXPECT_EQ(out_.str(), "{\n    \"a\": []\n}\n");
  ASSERT_EQ(cli({"action", "delete", "hello"}), kExitOk);
  EXPECT_EQ(out_.str(), "ok: deleted action hello\n");

  std::lock_guard lock(mutex_);
  ASSERT_EQ(requests_.size(), 5u);
  EXPECT_EQ(requests_[0].target, "/api/v1/namespaces/_/actions?limit=5&skip=2");
  EXPECT_EQ(requests_[1].path, "/api/v1/namespaces/_/activations");
  EXPECT_EQ(requests_[1].query, (std::map<std::string, std::string>{
                                    {"name", "hello"}, {"limit", "3"}, {"since", "1000"}}));
  EXPECT_EQ(requests_[2].path, "/api/v1/namespaces/_/activations/0123abc/logs");
  EXPECT_EQ(requests_[3].path, "/api/v1/namespaces/_/activations/0123abc/result");
  EXPECT_EQ(requests_[4].method, "DELETE");
  EXPECT_EQ(requests_[4].path, "/api/v1/namespaces/_/actions/hello");
}

TEST_F(CliServerTest, NotFoundIsReportedWithTheServerMessage) {
  respond_ = [](const http::Request&) {
    return http::Response::json(404, json::object{{"error", "The requested resource does not exist."},
                                                  {"code", "c9"}});
  };
  EXPECT_EQ(cli({"action", "get", "nope"}), kExitError);
  EXPECT_EQ(err_.str(),
            "error: Unable to get action 'nope': The requested resource does not exist. (code c9)\n");
}

TEST_F(CliServerTest, UsageAndConfigErrorsNeverReachTheServer) {
  EXPECT_EQ(cli({"action", "create", "x", dir_ + "/missing.py"}), kExitUsage);
  EXPECT_NE(err_.str().find("cannot read code file"), std::string::npos);
  EXPECT_EQ(cli({"action", "create", "x", "--bogus"}), kExitUsage);
  EXPECT_NE(err_.str().find("unknown flag '--bogus'"), std::string::npos);
  EXPECT_EQ(cli({"action", "invoke"}), kExitUsage);
  EXPECT_EQ(cli({"action", "list", "--limit", "ten"}), kExitUsage);
  EXPECT_EQ(cli({"action", "frobnicate"}), kExitUsage);
  EXPECT_EQ(cli({"nonsense", "x"}), kExitUsage);

  std::ostringstream out, err;
  EXPECT_EQ(runWith({"action", "list"}, Environment{}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("no API host configured"), std::string::npos);
  EXPECT_EQ(runWith({"action", "list", "--apihost", "https://h:1", "--auth", "a:b"},
                    Environment{}, out, err),
            kExitUsage);
  EXPECT_NE(err.str().find("needs CACERT"), std::string::npos);
  std::lock_guard lock(mutex_);
  EXPECT_TRUE(requests_.empty());
}

TEST_F(CliServerTest, ConfigurationFromThePropertiesFile) {
  std::string props = write("props", "APIHOST=http://127.0.0.1:" +
                                         std::to_string(server_->port()) + "\nAUTH=u:k\n");
  std::ostringstream out, err;
  ASSERT_EQ(runWith({"namespace", "list"}, Environment{{{"WSK_CONFIG_FILE", props}}}, out, err),
            kExitOk)
      << err.str();
  EXPECT_EQ(only().header("Authorization").value_or(""), "Basic " + base64Encode("u:k"));
  EXPECT_EQ(only().path, "/api/v1/namespaces");
}

TEST_F(CliServerTest, UnreachableServerIsAnError) {
  server_->stop();
  EXPECT_EQ(cli({"action", "list"}), kExitError);
  EXPECT_NE(err_.str().find("Unable to list actions"), std::string::npos);
}

}  // namespace
}  // namespace clemmys::cli
