#include "runtime/activation.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "runtime/json_depth.h"

namespace clemmys::runtime {

std::string owVariableName(std::string_view key) {
  std::string name = "__OW_";
  name.reserve(5 + key.size());
  for (char c : key) name.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c);
  return name;
}

std::optional<std::string> envValueText(const boost::json::value& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return std::string(v.get_string());
  return boost::json::serialize(v);
}

bool isValidEnvName(std::string_view name) {
  return !name.empty() && name.find('=') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

EnvVars initEnvVars(const boost::json::object& env) {
  EnvVars vars;
  for (const auto& [key, v] : env) {
    if (!isValidEnvName(key)) continue;
    if (auto text = envValueText(v)) vars.emplace_back(std::string(key), std::move(*text));
  }
  return vars;
}

Result<RunRequest> RunRequest::parse(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec, {}, carriedJsonOptions());
  if (ec) return fail("runtime.bad_request", "the /run body is not JSON: " + ec.message());
  if (!parsed.is_object()) return fail("runtime.bad_request", "the /run body is not an object");
  RunRequest request;
  request.body_ = std::move(parsed.get_object());
  request.env_.reserve(request.body_.size());
  for (const auto& [key, v] : request.body_) {
    if (key == "value" || !isValidEnvName(key)) continue;
    if (auto text = envValueText(v)) request.env_.emplace_back(owVariableName(key), std::move(*text));
  }
  return request;
}

const boost::json::value& RunRequest::value() const {
  if (const auto* v = body_.if_contains("value")) return *v;
  return emptyValue_;
}

const std::string* RunRequest::find(std::string_view name) const {
  for (const auto& [k, v] : env_) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::optional<int64_t> RunRequest::deadlineMs() const {
  const std::string* text = find("__OW_DEADLINE");
  if (!text || text->empty()) return std::nullopt;
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), ms);
  // Tolerate a fractional part ("1700000000000.0") but nothing else.
  if (ec != std::errc() || (end != text->data() + text->size() && *end != '.')) return std::nullopt;
  return ms;
}

ProcessEnv::~ProcessEnv() {
  // Our strings are about to be freed: nothing in the environment may point at them.
  while (!owned_.empty()) restore(owned_.begin()->first);
}

void ProcessEnv::set(const std::string& name, const std::string& value) {
  auto entry = std::make_unique<std::string>(name + "=" + value);
  ::putenv(entry->data());
  owned_[name] = std::move(entry);  // the previous string is no longer referenced
}

void ProcessEnv::restore(const std::string& name) {
  auto it = originals_.find(name);
  if (it != originals_.end() && it->second) {
    ::setenv(name.c_str(), it->second->c_str(), 1);  // one fixed value per name: no growth
  } else {
    ::unsetenv(name.c_str());
  }
  owned_.erase(name);
}

void ProcessEnv::apply(const EnvVars& vars) {
  for (const auto& name : previous_) {
    bool stillSet = std::any_of(vars.begin(), vars.end(),
                                [&](const auto& kv) { return kv.first == name; });
    if (!stillSet) restore(name);
  }
  previous_.clear();
  for (const auto& [name, value] : vars) {
    if (!originals_.contains(name)) {
      const char* before = std::getenv(name.c_str());
      originals_.emplace(name, before ? std::optional<std::string>(before) : std::nullopt);
    }
    set(name, value);
    previous_.push_back(name);
  }
}

}  // namespace clemmys::runtime
