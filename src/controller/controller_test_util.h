// A test fixture: a Controller on a loopback port over a temp data directory, with a
// FakeInvoker, and helpers to call it over real HTTP.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>

#include "common/encoding.h"
#include "controller/controller.h"
#include "controller/fake_invoker_test_util.h"
#include "http/client.h"

namespace clemmys::controller::testing {

namespace json = boost::json;

struct Reply {
  int status = 0;
  json::value body;
  http::Response raw;
  std::string error() const {
    return body.is_object() && body.as_object().contains("error")
               ? std::string(body.at("error").as_string())
               : "";
  }
};

class ControllerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("clemmys-ctl-" + std::to_string(getpid()) + "-" + random_.hex(4));
    startController();
  }
  void TearDown() override {
    invoker_.release();
    if (controller_) controller_->stop();
    controller_.reset();
    std::filesystem::remove_all(dir_);
  }
  void startController(int maxConcurrent = 64) {
    ControllerOptions o;
    o.dataDir = dir_.string();
    o.maxConcurrentPerNamespace = maxConcurrent;
    auto c = Controller::start(o, invoker_, clock_, random_);
    ASSERT_TRUE(c) << c.error().str();
    controller_ = std::move(*c);
    client_ = std::make_unique<http::Client>("127.0.0.1", controller_->port());
  }
  void restartController() {
    controller_->stop();
    controller_.reset();
    startController();
  }
  http::Headers authHeaders(const std::string& auth) {
    return {{"Authorization", "Basic " + base64Encode(auth)}};
  }
  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             http::Headers headers = {}, bool withAuth = true) {
    if (withAuth) headers.emplace_back("Authorization", "Basic " + base64Encode(controller_->auth()));
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto r = client_->request(method, target, body, headers);
    Reply out;
    if (!r) {
      ADD_FAILURE() << r.error().str();
      return out;
    }
    out.status = r->status;
    out.raw = *r;
    std::error_code ec;
    out.body = json::parse(r->body, ec);
    return out;
  }
  Reply putAction(const std::string& name, const std::string& code,
                  const std::string& extra = "", const std::string& kind = "python:3") {
    std::string body = R"({"exec":{"kind":")" + kind + R"(","code":")" + code + "\"}" +
                       (extra.empty() ? "" : "," + extra) + "}";
    return call("PUT", "/api/v1/namespaces/_/actions/" + name, body);
  }
  Reply putSequence(const std::string& name, const std::vector<std::string>& components,
                    bool overwrite = false) {
    json::array comps;
    for (auto& c : components) comps.emplace_back(c);
    json::object body{{"exec", json::object{{"kind", "sequence"}, {"components", comps}}}};
    return call("PUT",
                "/api/v1/namespaces/_/actions/" + name + (overwrite ? "?overwrite=true" : ""),
                json::serialize(body));
  }
  Reply invoke(const std::string& name, const std::string& query = "blocking=true",
               const std::string& body = "", http::Headers headers = {}) {
    return call("POST", "/api/v1/namespaces/_/actions/" + name + "?" + query, body, headers);
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  SystemRandom random_;
  FakeInvoker invoker_{clock_};
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<http::Client> client_;
};

}  // namespace clemmys::controller::testing
