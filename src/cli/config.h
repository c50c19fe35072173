// Client configuration resolved the way `wsk` does: command-line flags override the
// environment (__OW_API_HOST, __OW_API_KEY), which overrides the properties file
// (--props FILE, else $WSK_CONFIG_FILE, else ~/.wskprops) with APIHOST=, AUTH=, CACERT=.
// The process environment is passed in, never read here, so tests stay hermetic.
// Thread safety: pure functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace clemmys::cli {

// The parts of the process environment the CLI reads.
struct Environment {
  std::map<std::string, std::string> vars;  // e.g. {"HOME": "/home/me"}
  std::optional<std::string> get(const std::string& name) const;
};

// KEY=VALUE lines; '#' starts a comment line; blanks around key and value are trimmed.
std::map<std::string, std::string> parseProperties(std::string_view text);

struct Config {
  std::string apiHost;  // as configured, e.g. "127.0.0.1:3233" or "http://host:3233"
  std::string auth;     // "uuid:key"
  std::string caCert;   // path to a CA certificate, kept for TLS support
  std::string propsPath;
  std::string apiHostSource;  // "flag", "environment", "properties file" or "" when unset
  std::string authSource;
};

struct ConfigOverrides {
  std::optional<std::string> apiHost;
  std::optional<std::string> auth;
  std::optional<std::string> propsPath;
};

// Errors: "cli.config" when an explicitly named properties file (--props or
// $WSK_CONFIG_FILE) cannot be read. A missing ~/.wskprops is not an error.
Result<Config> resolveConfig(const ConfigOverrides& overrides, const Environment& env);

struct Endpoint {
  std::string scheme;  // "http" or "https"
  std::string caPem;   // https: the only trust anchor (the CACERT file's contents)
  std::string host;    // "127.0.0.1", "::1"
  uint16_t port = 0;
  std::string basePath;  // path prefix before /api/v1, usually ""
};

// Parses APIHOST: "host", "host:port", "[v6]:port", optionally with "http://" and a path.
// Without a scheme, http is assumed (the embedded platform serves plain HTTP on loopback).
// Errors: "cli.config" (empty, malformed, bad port, unknown scheme).
Result<Endpoint> parseApiHost(std::string_view apiHost);

}  // namespace clemmys::cli
