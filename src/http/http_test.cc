#include <gtest/gtest.h>

#include <thread>

#include "http/client.h"
#include "http/server.h"

namespace clemmys::http {
namespace {

std::unique_ptr<Server> echoServer(ServerOptions options = {}) {
  auto server = Server::start(std::move(options), [](Request& req) {
    Response r = Response::text(200, req.method + " " + req.path + " " + req.body);
    for (auto& [k, v] : req.query) r.set("x-q-" + k, v);
    if (auto a = req.header("authorization")) r.set("x-auth", std::string(*a));
    return r;
  });
  EXPECT_TRUE(server.has_value()) << server.error().str();
  return std::move(*server);
}

TEST(Http, RoundTripKeepAlive) {
  auto server = echoServer();
  Client client("127.0.0.1", server->port());
  for (int i = 0; i < 3; ++i) {
    auto r = client.request("POST", "/a%20b?x=1&y=two+words", "hello",
                            {{"Authorization", "Basic abc"}});
    ASSERT_TRUE(r) << r.error().str();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /a b hello");
    EXPECT_EQ(r->header("x-q-x"), "1");
    EXPECT_EQ(r->header("X-Q-Y"), "two words");
    EXPECT_EQ(r->header("x-auth"), "Basic abc");
  }
}

TEST(Http, BodyTooLargeGetsHookResponse) {
  ServerOptions o;
  o.maxBodyBytes = 10;
  o.tooLarge = [](uint64_t len, size_t limit) {
    return Response::text(413, std::to_string(len) + ">" + std::to_string(limit));
  };
  auto server = echoServer(o);
  Client client("127.0.0.1", server->port());
  auto r = client.request("PUT", "/x", std::string(11, 'a'));
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, "11>10");
  // The client reconnects after the server closed the connection.
  auto ok = client.request("PUT", "/x", "small");
  ASSERT_TRUE(ok) << ok.error().str();
  EXPECT_EQ(ok->status, 200);
}

TEST(Http, LargeRefusedBodyStillGetsTheRefusal) {
  ServerOptions o;
  o.maxBodyBytes = 1 << 20;
  auto server = echoServer(o);
  Client client("127.0.0.1", server->port());
  auto r = client.request("PUT", "/x", std::string(8 << 20, 'a'));
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->status, 413);
}

TEST(Http, ClientTimesOut) {
  auto server = Server::start({}, [](Request&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return Response::text(200, "late");
  });
  ASSERT_TRUE(server);
  Client client("127.0.0.1", (*server)->port());
  auto r = client.request("GET", "/", {}, {}, std::chrono::milliseconds(50));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "http.timeout");
}

TEST(Http, ConnectFailureIsNamed) {
  uint16_t port;
  {
    auto server = echoServer();
    port = server->port();
    server->stop();
  }
  Client client("127.0.0.1", port);
  auto r = client.request("GET", "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "http.connect_failed");
}

TEST(Http, ConcurrentClients) {
  auto server = echoServer();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      Client client("127.0.0.1", server->port());
      for (int i = 0; i < 100; ++i)
        if (auto r = client.request("GET", "/p"); r && r->status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 800);
  server->stop();
}

TEST(Http, ParseTarget) {
  std::string path;
  std::map<std::string, std::string> q;
  parseTarget("/api/v1/namespaces/_/actions/my%2Fpkg?blocking=true&result", path, q);
  EXPECT_EQ(path, "/api/v1/namespaces/_/actions/my/pkg");
  EXPECT_EQ(q["blocking"], "true");
  EXPECT_EQ(q.count("result"), 1u);
  EXPECT_EQ(percentEncode("a b/c"), "a%20b%2Fc");
}

}  // namespace
}  // namespace clemmys::http
