// Test fixture: a fake controller (a real http::Server) that stores what the
// gateway sends, emulates runtimes for invokes (InvokeGuard + sealOutput, as a
// secure runtime would), records every request body so tests can assert it
// never saw plaintext, and lets tests tamper with replies. Plus a gateway
// served over plain HTTP in front of it.
#pragma once

#include <atomic>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <mutex>

#include "common/encoding.h"
#include "envelope/checks.h"
#include "envelope/log_order.h"
#include "gateway/gateway.h"
#include "http/client.h"
#include "http/server.h"

namespace clemmys::gateway::testing {

namespace json = boost::json;

class FakeController {
 public:
  std::atomic<bool> apiDown{false};  // GET /api/v1 answers 503 (a controller in trouble)
  FakeController(const envelope::KeyRing& keys, const Clock& clock) : keys_(keys), clock_(clock) {
    server_ = *http::Server::start(http::ServerOptions{}, [this](http::Request& r) { return handle(r); });
  }
  ~FakeController() { server_->stop(); }
  uint16_t port() const { return server_->port(); }

  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::string everything() {
    std::string all;
    for (auto& b : bodies()) all += b + "\n";
    return all;
  }
  json::object action(const std::string& path) {
    std::lock_guard lock(mu_);
    return actions_.at(path);
  }
  void putAction(const std::string& path, json::object doc) {
    std::lock_guard lock(mu_);
    actions_[path] = std::move(doc);
  }
  json::object record(const std::string& id) {
    std::lock_guard lock(mu_);
    return records_.at(id);
  }
  void putRecord(const std::string& id, json::object r) {
    std::lock_guard lock(mu_);
    records_[id] = std::move(r);
  }

  // Called on each invoke reply (the top record) before it is sent.
  std::function<void(json::object& record)> tamper;
  bool failFunction = false;  // the last step fails (ERROR envelope)
  bool resultOnly = false;

 private:
  static json::object note(std::string_view key, json::value v) { return {{"key", key}, {"value", std::move(v)}}; }

  std::string logLine(const envelope::Header& in, const std::string& text) {
    envelope::Header h;
    h.type = envelope::Type::log;
    h.keyVersion = 1;
    h.id = in.id;
    h.expiresMs = in.expiresMs;
    h.target = in.target;
    auto sealed = envelope::seal(h, envelope::encodeLogBody(envelope::LogStream::out, 0, text), keys_, random_);
    return "2026-01-01T00:00:00.000Z stdout: clemmys:" + envelope::toWire(*sealed);
  }

  json::object recordFor(const std::string& id, const std::string& fqn, json::value result, bool ok,
                         json::array logs, bool sequence) {
    std::string path = fqn.substr(1);
    json::object r{{"namespace", "guest"},
                   {"name", path.substr(path.rfind('/') + 1)},
                   {"activationId", id},
                   {"response",
                    json::object{{"status", ok ? "success" : "application error"},
                                 {"statusCode", ok ? 0 : 1},
                                 {"success", ok},
                                 {"result", std::move(result)}}},
                   {"logs", std::move(logs)},
                   {"annotations", json::array{note("path", json::string(path)), note("kind", sequence ? "sequence" : "cpp")}}};
    return r;
  }

  // Plays the runtimes of every step of the chain, as the controller would drive them.
  http::Response invoke(http::Request& r, const std::string& fqn) {
    std::string id(r.header("X-Clemmys-Activation-Id").value_or(""));
    auto body = json::parse(r.body).as_object();
    auto bytes = *envelope::fromWire(body.at("clemmys").as_string());
    bool sequence = false;
    json::array componentIds;
    json::value last;
    bool ok = true;
    envelope::Header firstHeader;
    for (int step = 0;; ++step) {
      auto parsed = *envelope::parse(bytes);
      auto message = *envelope::decodeMessageBody(*envelope::open(parsed, keys_));
      sequence = message.chain.steps.size() > 1;
      if (step == 0) firstHeader = parsed.header;
      const auto& link = message.chain.steps.at(parsed.header.step);
      envelope::InvokeGuard guard(keys_, clock_, envelope::FunctionIdentity{link.fqn, link.codeDigest},
                                  envelope::kMaxLifetimeMs);
      auto accepted = guard.accept(bytes);
      EXPECT_TRUE(accepted.has_value()) << (accepted ? "" : accepted.error().str());
      if (!accepted) return http::Response::json(400, json::object{{"error", accepted.error().name}});
      auto args = json::parse(accepted->body.payload).as_object();
      args["step" + std::to_string(step)] = link.fqn;
      bool lastStep = parsed.header.step + 1 == parsed.header.steps;
      bool failing = lastStep && failFunction;
      std::string secret = args.contains("secret") && args.at("secret").is_string()
                               ? std::string(args.at("secret").as_string()) : "none";
      std::string out = failing ? json::serialize(json::object{{"error", "failed on " + secret}})
                                : json::serialize(args);
      bytes = *envelope::sealOutput(*accepted, out, failing, keys_, random_, envelope::LogCounts{1, 0});  // logLine
      json::object carried{{"clemmys", envelope::toWire(bytes)}};
      last = failing ? json::value(json::object{{"error", carried}}) : json::value(carried);
      ok = !failing;
      std::string componentId = random_.hex(16);
      auto comp = recordFor(componentId, link.fqn, last, ok, json::array{logLine(parsed.header, "log of " + link.fqn)},
                            false);
      comp["cause"] = id;
      {
        std::lock_guard lock(mu_);
        records_[componentId] = comp;
      }
      componentIds.emplace_back(componentId);
      if (failing || lastStep) break;
    }
    json::array logs = sequence ? componentIds : json::array{logLine(firstHeader, "hello from the function")};
    auto rec = recordFor(id, fqn, last, ok, logs, sequence);
    if (!sequence) {
      std::lock_guard lock(mu_);
      records_.erase(componentIds[0].as_string().c_str());
    }
    if (tamper) tamper(rec);
    {
      std::lock_guard lock(mu_);
      records_[std::string(rec.at("activationId").as_string())] = rec;
    }
    int status = ok ? 200 : 502;
    if (r.param("result") == std::optional<std::string_view>("true"))
      return http::Response::json(status, rec.at("response").at("result"));
    return http::Response::json(status, rec).set("x-openwhisk-activation-id", id);
  }

  http::Response handle(http::Request& r) {
    {
      std::lock_guard lock(mu_);
      bodies_.push_back(r.target + " " + r.body);
    }
    constexpr std::string_view kActions = "/api/v1/namespaces/guest/actions/";
    constexpr std::string_view kActivations = "/api/v1/namespaces/guest/activations/";
    if (r.path == "/api/v1/namespaces") return http::Response::json(200, json::array{"guest"});
    if (r.path == "/api/v1") return http::Response::json(apiDown ? 503 : 200, json::object{{"api_paths", json::array{}}});
    std::string path = r.path;
    if (path.rfind("/api/v1/namespaces/_/", 0) == 0) path.replace(19, 1, "guest");
    if (path.rfind(kActions, 0) == 0) {
      std::string name = path.substr(kActions.size());
      std::lock_guard lock(mu_);
      auto it = actions_.find(name);
      if (r.method == "PUT") {
        auto doc = json::parse(r.body).as_object();
        if (it != actions_.end() && r.param("overwrite") != std::optional<std::string_view>("true"))
          return http::Response::json(409, json::object{{"error", "resource already exists"}});
        json::object stored = it != actions_.end() ? it->second : json::object{};
        for (auto& [k, v] : doc) stored[k] = v;
        stored["namespace"] = "guest";
        stored["name"] = name;
        if (!stored.contains("limits")) stored["limits"] = json::object{{"timeout", 60000}};
        actions_[name] = stored;
        return http::Response::json(200, stored);
      }
      if (it == actions_.end())
        return http::Response::json(404, json::object{{"error", "The requested resource does not exist."}});
      if (r.method == "GET") return http::Response::json(200, it->second);
      if (r.method == "POST") {
        mu_.unlock();
        auto resp = invoke(r, "/guest/" + name);
        mu_.lock();
        return resp;
      }
    }
    if (path.rfind(kActivations, 0) == 0) {
      std::string id = path.substr(kActivations.size());
      std::lock_guard lock(mu_);
      auto it = records_.find(id);
      if (it == records_.end()) return http::Response::json(404, json::object{{"error", "The requested resource does not exist."}});
      return http::Response::json(200, it->second);
    }
    return http::Response::json(404, json::object{{"error", "The requested resource does not exist."}});
  }

  const envelope::KeyRing& keys_;
  const Clock& clock_;
  SystemRandom random_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::map<std::string, json::object> actions_;
  std::map<std::string, json::object> records_;
  std::unique_ptr<http::Server> server_;
};

inline constexpr const char* kClientAuth = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:client-secret-key";

class GatewayFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::SecretBytes key(32);
    random.fill(key.data(), key.size());
    keys.add(1, std::move(key));
    fake = std::make_unique<FakeController>(keys, clock);
    link = std::make_unique<ControllerLink>(ControllerAddress{"127.0.0.1", fake->port()}, "ctl-uuid:ctl-key");
    GatewayOptions options;
    options.clientCredentials = {kClientAuth};
    options.keyVersion = 1;
    gw = std::make_unique<Gateway>(options, keys, *link, clock, random);
    http::ServerOptions so;
    so.maxBodyBytes = kMaxPlaintextBody;
    so.tooLarge = [this](uint64_t l, size_t m) { return gw->tooLarge(l, m); };
    server = *http::Server::start(so, [this](http::Request& r) { return gw->handle(r); });
    client = std::make_unique<http::Client>("127.0.0.1", server->port());
  }
  void TearDown() override { server->stop(); }

  http::Response call(const std::string& method, const std::string& target, const std::string& body = "",
                      const char* auth = kClientAuth) {
    http::Headers h;
    if (auth != nullptr) h.emplace_back("Authorization", "Basic " + base64Encode(auth));
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    auto r = client->request(method, target, body, h);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().str());
    return r ? *r : http::Response{};
  }
  json::value parse(const http::Response& r) {
    std::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v;
  }
  void putCode(const std::string& name, const std::string& code, const std::string& extra = "") {
    auto r = call("PUT", "/api/v1/namespaces/_/actions/" + name,
                  R"({"exec":{"kind":"cpp","code":")" + code + R"("},"parameters":[{"key":"secret","value":"PARAM_SECRET_)" +
                      name + R"("}])" + extra + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  SystemClock clock;
  SystemRandom random;
  envelope::KeyRing keys;
  std::unique_ptr<FakeController> fake;
  std::unique_ptr<ControllerLink> link;
  std::unique_ptr<Gateway> gw;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<http::Client> client;
};

}  // namespace clemmys::gateway::testing
