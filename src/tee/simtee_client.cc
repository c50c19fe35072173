#include "tee/simtee_client.h"

#include <unistd.h>

#include <boost/json.hpp>

#include "common/encoding.h"
#include "tee/simtee_wire.h"

namespace clemmys::tee {
namespace json = boost::json;
namespace {

// One request, one response, one connection: the daemon identifies the caller
// per connection, and short connections keep the client free of state.
Result<json::object> call(const std::string& socketPath, const json::object& request,
                          const std::vector<int>& fds = {}) {
  auto fd = connectUnix(socketPath);
  if (!fd) return std::unexpected(fd.error());
  Status st = sendFrame(*fd, json::serialize(request), fds);
  Result<Frame> frame = st ? receiveFrame(*fd) : Result<Frame>(std::unexpected(st.error()));
  ::close(*fd);
  if (!frame) return std::unexpected(frame.error());
  for (int f : frame->fds) ::close(f);
  json::error_code ec;
  json::value v = json::parse(frame->json, ec);
  if (ec || !v.is_object()) return fail("simtee.protocol", "response is not a JSON object");
  json::object& o = v.as_object();
  const json::value* ok = o.if_contains("ok");
  if (ok == nullptr || !ok->is_bool()) return fail("simtee.protocol", "response lacks \"ok\"");
  if (!ok->as_bool()) {
    const json::value* err = o.if_contains("error");
    if (err == nullptr || !err->is_object()) return fail("simtee.protocol", "error response lacks \"error\"");
    const json::object& e = err->as_object();
    auto str = [&](const char* k) {
      const json::value* x = e.if_contains(k);
      return x != nullptr && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    std::string name = str("name");
    if (name.rfind("simtee.", 0) != 0) name = "simtee.protocol";  // daemon errors are always simtee.*
    return fail(name, str("message"));
  }
  return std::move(o);
}

Result<std::string> stringField(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return fail("simtee.protocol", std::string("missing string \"") + key + "\"");
  return std::string(v->as_string());
}

Result<int64_t> intField(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !(v->is_int64() || v->is_uint64())) {
    return fail("simtee.protocol", std::string("missing integer \"") + key + "\"");
  }
  return v->is_int64() ? v->as_int64() : static_cast<int64_t>(v->as_uint64());
}

Result<uint64_t> counterCall(const std::string& path, const char* op, std::string_view name) {
  auto r = call(path, {{"op", op}, {"name", name}});
  if (!r) return std::unexpected(r.error());
  const json::value* v = r->if_contains("value");
  if (v == nullptr || !(v->is_uint64() || v->is_int64())) return fail("simtee.protocol", "missing counter value");
  return v->is_uint64() ? v->as_uint64() : static_cast<uint64_t>(v->as_int64());
}

json::object sandboxJson(const SandboxOptions& s) {
  return {{"user_namespace", s.userNamespace}, {"pid_namespace", s.pidNamespace},
          {"mount_namespace", s.mountNamespace}, {"ipc_namespace", s.ipcNamespace},
          {"net_namespace", s.netNamespace}, {"seccomp", s.seccomp}, {"private_tmp", s.privateTmp},
          {"memory_limit_bytes", s.memoryLimitBytes}, {"max_open_files", s.maxOpenFiles}};
}

}  // namespace

SimteeClient::SimteeClient(std::string socketPath) : socketPath_(std::move(socketPath)) {}

Result<Launched> SimteeClient::launch(const LaunchRequest& request) {
  json::array argv, env, childFds;
  for (const auto& a : request.argv) argv.emplace_back(a);
  for (const auto& e : request.env) env.emplace_back(e);
  std::vector<int> fds;
  for (const auto& [from, to] : request.fds) {
    fds.push_back(from);
    childFds.emplace_back(to);
  }
  json::object req{{"op", "launch"}, {"argv", argv}, {"env", env}, {"cwd", request.cwd},
                   {"sandbox", sandboxJson(request.sandbox)}, {"fds", childFds}};
  if (!request.rootfs.empty()) req["rootfs"] = request.rootfs;
  auto r = call(socketPath_, req, fds);
  if (!r) return std::unexpected(r.error());
  auto pid = intField(*r, "pid");
  auto m = stringField(*r, "measurement");
  if (!pid || !m) return fail("simtee.protocol", "launch response lacks pid or measurement");
  auto uid = intField(*r, "uid");
  return Launched{static_cast<pid_t>(*pid), *m, uid ? static_cast<uid_t>(*uid) : static_cast<uid_t>(-1)};
}

Status SimteeClient::signal(pid_t pid, int sig) {
  auto r = call(socketPath_, {{"op", "signal"}, {"pid", pid}, {"signal", sig}});
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<std::optional<int>> SimteeClient::exitStatus(pid_t pid) {
  auto r = call(socketPath_, {{"op", "exit_status"}, {"pid", pid}});
  if (!r) return std::unexpected(r.error());
  const json::value* running = r->if_contains("running");
  if (running == nullptr || !running->is_bool()) return fail("simtee.protocol", "missing \"running\"");
  if (running->as_bool()) return std::optional<int>();
  auto status = intField(*r, "status");
  if (!status) return std::unexpected(status.error());
  return std::optional<int>(static_cast<int>(*status));
}

Result<std::string> SimteeClient::quote(const ReportData& reportData) {
  auto r = call(socketPath_, {{"op", "quote"}, {"report_data", toHex(std::span<const uint8_t>(reportData))}});
  if (!r) return std::unexpected(r.error());
  auto q = stringField(*r, "quote");
  if (!q) return std::unexpected(q.error());
  auto bytes = base64Decode(*q);
  if (!bytes) return fail("simtee.protocol", "quote is not base64");
  return *bytes;
}

Result<SelfInfo> SimteeClient::self() {
  auto r = call(socketPath_, {{"op", "self"}});
  if (!r) return std::unexpected(r.error());
  auto m = stringField(*r, "measurement");
  auto s = stringField(*r, "mrsigner");
  if (!m || !s) return fail("simtee.protocol", "self response lacks measurement or mrsigner");
  return SelfInfo{*m, *s};
}

Result<std::string> SimteeClient::rootCertificatePem() {
  auto r = call(socketPath_, {{"op", "root_certificate"}});
  if (!r) return std::unexpected(r.error());
  return stringField(*r, "pem");
}

Result<crypto::SecretBytes> SimteeClient::sealingKey(std::string_view label) {
  auto r = call(socketPath_, {{"op", "sealing_key"}, {"label", label}});
  if (!r) return std::unexpected(r.error());
  auto k = stringField(*r, "key");
  if (!k) return std::unexpected(k.error());
  auto raw = base64Decode(*k);
  // Wipe the transient copies of the key as well as returning it.
  std::fill(k->begin(), k->end(), '\0');
  if (!raw || raw->size() != 32) return fail("simtee.protocol", "sealing key is not 32 base64 bytes");
  crypto::SecretBytes key(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(raw->data()), raw->size()));
  std::fill(raw->begin(), raw->end(), '\0');
  return key;
}

Result<uint64_t> SimteeClient::counterRead(std::string_view name) { return counterCall(socketPath_, "counter_read", name); }

Result<uint64_t> SimteeClient::counterIncrement(std::string_view name) {
  return counterCall(socketPath_, "counter_increment", name);
}

}  // namespace clemmys::tee
