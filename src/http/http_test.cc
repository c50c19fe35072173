#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

namespace clemmys::http {
namespace {

// Sends raw bytes to the server and returns everything it answers until it closes.
std::string rawExchange(uint16_t port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  ::shutdown(fd, SHUT_WR);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

std::string statusLine(const std::string& response) { return response.substr(0, response.find("\r\n")); }

TEST(Http, MalformedRequestsGetTheirStatusNotASilentClose) {
  auto server = echoServer();
  const std::string ok = "Host: x\r\n";
  struct Case {
    std::string request, status;
  } cases[] = {
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n" + ok + "\r\n", "HTTP/1.1 414"},
      {"GET / HTTP/1.1\r\n" + ok + "X-Big: " + std::string(70000, 'b') + "\r\n\r\n", "HTTP/1.1 431"},
      {"POST / HTTP/1.1\r\n" + ok + "Content-Length: abc\r\n\r\n", "HTTP/1.1 400"},
      {"POST / HTTP/1.1\r\n" + ok + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "HTTP/1.1 400"},
      {"POST / HTTP/1.1\r\n" + ok + "Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", "HTTP/1.1 400"},
      {std::string("GET /a\0b HTTP/1.1\r\n", 20) + ok + "\r\n", "HTTP/1.1 400"},
      {"GARBAGE\r\n\r\n", "HTTP/1.1 400"},
      {"POST / HTTP/1.1\r\n" + ok + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
       "HTTP/1.1 400"},
  };
  for (const auto& c : cases) {
    std::string got = rawExchange(server->port(), c.request);
    EXPECT_EQ(statusLine(got).substr(0, 12), c.status) << c.request.substr(0, 60) << " -> " << got.substr(0, 80);
  }
  // A connection that only ends gets no answer, and the server keeps serving.
  EXPECT_EQ(rawExchange(server->port(), ""), "");
  Client client("127.0.0.1", server->port());
  auto r = client.request("GET", "/still", "");
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->status, 200);
}

TEST(Http, HeadAnswersHeadersWithoutABody) {
  auto server = echoServer();
  std::string got = rawExchange(server->port(), "HEAD /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(statusLine(got), "HTTP/1.1 200 OK");
  EXPECT_NE(got.find("Content-Length: 8"), std::string::npos) << got;  // "HEAD /x " as GET would
  EXPECT_TRUE(got.ends_with("\r\n\r\n")) << got;
}

// A connection from 127.0.0.1 that sends `bytes` and keeps its end open.
int openWith(uint16_t port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  if (!bytes.empty()) ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string readUntilClosed(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

TEST(Http, ConnectionsOverThePeerBoundGet503AndTheOthersGoOn) {
  ServerOptions o;
  o.maxConnectionsPerPeer = 2;
  auto server = echoServer(o);
  Client kept("127.0.0.1", server->port());  // one of the two, kept alive
  ASSERT_TRUE(kept.request("GET", "/a", ""));
  int idle = openWith(server->port(), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string refused = readUntilClosed(openWith(server->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(statusLine(refused), "HTTP/1.1 503 Service Unavailable") << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos);
  auto again = kept.request("GET", "/b", "");  // the connections already in are served
  ASSERT_TRUE(again) << again.error().str();
  EXPECT_EQ(again->status, 200);
  ::close(idle);
}

TEST(Http, AHeaderDrippedSlowerThanTheHeaderDeadlineIsCutOff) {
  ServerOptions o;
  o.headerTimeout = std::chrono::seconds(1);
  auto server = echoServer(o);
  int slow = openWith(server->port(), "GET / HTTP/1.1\r\nHo");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {  // a byte every 400 ms: never idle long, never done
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    if (::send(slow, "s", 1, MSG_NOSIGNAL) != 1) break;
  }
  EXPECT_EQ(readUntilClosed(slow), "");  // closed without an answer
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  // A client that is not slow is served.
  Client client("127.0.0.1", server->port());
  auto r = client.request("GET", "/fine", "");
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace clemmys::http
