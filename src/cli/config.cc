#include "cli/config.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace clemmys::cli {

std::optional<std::string> Environment::get(const std::string& name) const {
  auto it = vars.find(name);
  if (it == vars.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

std::map<std::string, std::string> parseProperties(std::string_view text) {
  std::map<std::string, std::string> props;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, eq));
    if (key.empty()) continue;
    props[std::string(key)] = std::string(trim(line.substr(eq + 1)));
  }
  return props;
}

Result<Config> resolveConfig(const ConfigOverrides& overrides, const Environment& env) {
  Config config;
  bool explicitPath = true;
  if (overrides.propsPath) {
    config.propsPath = *overrides.propsPath;
  } else if (auto path = env.get("WSK_CONFIG_FILE")) {
    config.propsPath = *path;
  } else if (auto home = env.get("HOME")) {
    config.propsPath = *home + "/.wskprops";
    explicitPath = false;
  } else {
    explicitPath = false;
  }

  std::map<std::string, std::string> props;
  if (!config.propsPath.empty()) {
    auto text = readFile(config.propsPath);
    if (!text && explicitPath) {
      return fail("cli.config", "cannot read properties file '" + config.propsPath + "'");
    }
    if (text) props = parseProperties(*text);
  }

  auto pick = [&](const std::optional<std::string>& flag, const char* envName,
                  const char* propName, std::string& value, std::string* source) {
    if (flag && !flag->empty()) {
      value = *flag;
      if (source) *source = "flag";
    } else if (auto fromEnv = envName ? env.get(envName) : std::nullopt) {
      value = *fromEnv;
      if (source) *source = "environment";
    } else if (auto it = props.find(propName); it != props.end() && !it->second.empty()) {
      value = it->second;
      if (source) *source = "properties file";
    }
  };
  pick(overrides.apiHost, "__OW_API_HOST", "APIHOST", config.apiHost, &config.apiHostSource);
  pick(overrides.auth, "__OW_API_KEY", "AUTH", config.auth, &config.authSource);
  pick(std::nullopt, nullptr, "CACERT", config.caCert, nullptr);
  return config;
}

Result<Endpoint> parseApiHost(std::string_view apiHost) {
  Endpoint endpoint;
  std::string_view rest = trim(apiHost);
  if (rest.empty()) return fail("cli.config", "the API host is empty");
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    endpoint.scheme = std::string(rest.substr(0, sep));
    rest.remove_prefix(sep + 3);
  } else {
    endpoint.scheme = "http";
  }
  if (endpoint.scheme != "http" && endpoint.scheme != "https") {
    return fail("cli.config", "unsupported scheme '" + endpoint.scheme + "' in API host");
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    endpoint.basePath = std::string(rest.substr(slash));
    while (endpoint.basePath.ends_with('/')) endpoint.basePath.pop_back();
    rest = rest.substr(0, slash);
  }
  std::string_view portText;
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return fail("cli.config", "unterminated '[' in API host '" + std::string(apiHost) + "'");
    }
    endpoint.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return fail("cli.config", "malformed API host '" + std::string(apiHost) + "'");
      }
      portText = after.substr(1);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    endpoint.host = std::string(rest.substr(0, colon));
    portText = rest.substr(colon + 1);
  } else {
    endpoint.host = std::string(rest);
  }
  if (endpoint.host.empty()) {
    return fail("cli.config", "no host name in API host '" + std::string(apiHost) + "'");
  }
  endpoint.port = endpoint.scheme == "https" ? 443 : 80;
  if (!portText.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
    if (ec != std::errc() || ptr != portText.data() + portText.size() || value == 0 ||
        value > 65535) {
      return fail("cli.config", "bad port '" + std::string(portText) + "' in API host");
    }
    endpoint.port = static_cast<uint16_t>(value);
  }
  return endpoint;
}

}  // namespace clemmys::cli
