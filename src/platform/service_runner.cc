#include "platform/service_runner.h"

#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <regex>
#include <set>

#include "platform/dev_policy.h"
#include "platform/trusted_process.h"

namespace clemmys::platform {
namespace json = boost::json;
namespace {

Error bad(const std::string& what) { return Error{"service.bad_config", what}; }

Result<std::vector<std::string>> stringList(const json::value& v, const std::string& key) {
  if (!v.is_array()) return std::unexpected(bad(key + " is not a list"));
  std::vector<std::string> out;
  for (auto& s : v.as_array()) {
    if (!s.is_string()) return std::unexpected(bad(key + " holds a non-string"));
    out.emplace_back(s.as_string());
  }
  return out;
}

Status readFields(const json::object& o, ServiceConfig& c) {
  static const std::set<std::string> known = {"format", "name",  "simtee_socket",  "argv",  "rootfs",
                                              "listen", "env",   "env_from_files", "ready", "expect_measurement"};
  for (auto& [k, v] : o) {
    if (!known.contains(std::string(k))) return std::unexpected(bad("unknown field " + std::string(k)));
  }
  auto str = [&](const char* key, std::string& out, bool required) -> Status {
    auto v = o.if_contains(key);
    if (!v) return required ? Status(std::unexpected(bad(std::string("missing ") + key))) : Status{};
    if (!v->is_string()) return std::unexpected(bad(std::string(key) + " is not a string"));
    out = std::string(v->as_string());
    return {};
  };
  std::string format;
  for (auto [key, out, required] : {std::tuple{"format", &format, true}, {"name", &c.name, true},
                                    {"simtee_socket", &c.simteeSocket, true}, {"rootfs", &c.rootfs, false},
                                    {"ready", &c.ready, true}, {"expect_measurement", &c.expectMeasurement, false}}) {
    if (auto s = str(key, *out, required); !s) return s;
  }
  if (format != kServiceConfigFormat) return std::unexpected(bad("format is not " + std::string(kServiceConfigFormat)));
  if (!std::regex_match(c.name, std::regex("[a-z0-9-]{1,32}"))) return std::unexpected(bad("bad name"));
  auto argv = o.if_contains("argv");
  if (!argv) return std::unexpected(bad("missing argv"));
  auto list = stringList(*argv, "argv");
  if (!list || list->empty()) return std::unexpected(list ? bad("argv is empty") : list.error());
  c.argv = std::move(*list);
  if (auto env = o.if_contains("env")) {
    auto l = stringList(*env, "env");
    if (!l) return std::unexpected(l.error());
    c.env = std::move(*l);
  }
  if (auto files = o.if_contains("env_from_files")) {
    if (!files->is_object()) return std::unexpected(bad("env_from_files is not an object"));
    for (auto& [k, v] : files->as_object()) {
      if (!v.is_string()) return std::unexpected(bad("env_from_files." + std::string(k) + " is not a string"));
      c.envFromFiles[std::string(k)] = std::string(v.as_string());
    }
  }
  if (auto listen = o.if_contains("listen")) {
    auto port = listen->is_object() ? listen->as_object().if_contains("port") : nullptr;
    if (!port || !port->is_int64() || port->as_int64() < 0 || port->as_int64() > 65535 || listen->as_object().size() != 1) {
      return std::unexpected(bad("listen must be {\"port\": N}"));
    }
    c.listen = true;
    c.listenPort = static_cast<uint16_t>(port->as_int64());
  }
  return {};
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

std::string serviceConfigJson(const ServiceConfig& c) {
  json::object o{{"format", kServiceConfigFormat}, {"name", c.name}, {"simtee_socket", c.simteeSocket},
                 {"argv", json::array(c.argv.begin(), c.argv.end())}, {"ready", c.ready}};
  if (!c.rootfs.empty()) o["rootfs"] = c.rootfs;
  if (c.listen) o["listen"] = json::object{{"port", c.listenPort}};
  if (!c.env.empty()) o["env"] = json::array(c.env.begin(), c.env.end());
  if (!c.envFromFiles.empty()) {
    json::object files;
    for (auto& [k, v] : c.envFromFiles) files[k] = v;
    o["env_from_files"] = std::move(files);
  }
  if (!c.expectMeasurement.empty()) o["expect_measurement"] = c.expectMeasurement;
  return json::serialize(o) + "\n";
}

Result<ServiceConfig> parseServiceConfig(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::unexpected(bad("not a JSON object"));
  ServiceConfig c;
  if (auto s = readFields(v.as_object(), c); !s) return std::unexpected(s.error());
  return c;
}

int runService(const ServiceConfig& c, const sigset_t& stopSignals, std::ostream& out, std::ostream& err) {
  auto failed = [&](const Error& e) {
    err << "clemmys service " << c.name << ": " << e.str() << std::endl;
    return 1;
  };
  std::vector<std::string> env = c.env;
  for (auto& [name, path] : c.envFromFiles) {
    auto value = readTextFile(path);
    if (!value) return failed(Error{"service.env_file", "cannot read " + path + " for " + name});
    env.push_back(name + "=" + trimmed(*value));
  }
  int fd = -1;
  if (c.listen) {
    auto sock = listenLoopback(c.listenPort);
    if (!sock || (c.listenPort != 0 && sock->second != c.listenPort)) {
      if (sock) ::close(sock->first);
      return failed(Error{"service.listen_failed", "cannot listen on 127.0.0.1:" + std::to_string(c.listenPort)});
    }
    fd = sock->first;
  }
  auto process = TrustedProcess::launch(c.simteeSocket, c.argv, env, fd, c.name, c.rootfs);
  if (fd >= 0) ::close(fd);
  if (!process) return failed(process.error());
  auto& p = *process;
  if (!c.expectMeasurement.empty() && p->measurement() != c.expectMeasurement) {
    p->stop();
    return failed(Error{"service.measurement_mismatch",
                        "the simtee measured " + p->measurement() + ", the config expects " + c.expectMeasurement});
  }
  auto ready = p->waitForLine(c.ready, std::chrono::seconds(60));
  if (!ready) {
    p->stop();
    return failed(Error{"service.not_ready", ready.error().message});
  }
  out << "clemmys service " << c.name << " ready (pid " << p->pid() << ", measurement " << p->measurement() << ")"
      << std::endl;
  for (;;) {
    timespec tick{0, 200 * 1000 * 1000};
    if (sigtimedwait(&stopSignals, nullptr, &tick) > 0) {
      p->stop();
      out << "clemmys service " << c.name << ": stopped" << std::endl;
      return 0;
    }
    auto status = p->exitStatus();
    if (!status || status->has_value()) {
      err << "clemmys service " << c.name << ": the process ended ("
          << (status ? "status " + std::to_string(**status) : status.error().str()) << ")" << std::endl;
      return 1;
    }
  }
}

int serviceCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  if (argc != 4 || std::string(argv[2]) != "run") {
    err << "usage: clemmys service run CONFIG   (doc/formats/service-config.md)\n";
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  auto text = readTextFile(argv[3]);
  if (!text) {
    err << "clemmys service: " << text.error().str() << std::endl;
    return 1;
  }
  auto config = parseServiceConfig(*text);
  if (!config) {
    err << "clemmys service: " << argv[3] << ": " << config.error().str() << std::endl;
    return 1;
  }
  return runService(*config, stop, out, err);
}

}  // namespace clemmys::platform
