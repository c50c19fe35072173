#include "cli/format.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

namespace clemmys::cli {

namespace json = boost::json;

namespace {

// Shortest round-trip decimal ("797.443"), where Boost.JSON 1.81 writes "7.97443E2".
std::string formatDouble(double d) {
  if (!std::isfinite(d)) return json::serialize(json::value(d));
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  if (ec != std::errc()) return json::serialize(json::value(d));
  std::string text(buffer, end);
  // Keep it recognisably a floating-point value.
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

void writePretty(const json::value& value, int depth, std::string& out) {
  const std::string indent(static_cast<size_t>(depth + 1) * 4, ' ');
  const std::string closing(static_cast<size_t>(depth) * 4, ' ');
  if (value.is_object()) {
    const auto& object = value.as_object();
    if (object.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    size_t i = 0;
    for (const auto& [key, member] : object) {
      out += indent + json::serialize(json::string(key)) + ": ";
      writePretty(member, depth + 1, out);
      out += ++i < object.size() ? ",\n" : "\n";
    }
    out += closing + "}";
  } else if (value.is_array()) {
    const auto& array = value.as_array();
    if (array.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (size_t i = 0; i < array.size(); ++i) {
      out += indent;
      writePretty(array[i], depth + 1, out);
      out += i + 1 < array.size() ? ",\n" : "\n";
    }
    out += closing + "]";
  } else if (value.is_double()) {
    out += formatDouble(value.as_double());
  } else {
    out += json::serialize(value);
  }
}

std::string stringField(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

long long numberField(const json::object& object, std::string_view key, long long fallback) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<long long>(it->value().as_uint64());
  if (it->value().is_double()) return static_cast<long long>(it->value().as_double());
  return fallback;
}

// Value of the {key, value} annotation named `key`, or null.
const json::value* annotation(const json::object& entity, std::string_view key) {
  auto it = entity.find("annotations");
  if (it == entity.end() || !it->value().is_array()) return nullptr;
  for (const auto& item : it->value().as_array()) {
    if (!item.is_object()) continue;
    const auto& kv = item.as_object();
    auto k = kv.find("key");
    auto v = kv.find("value");
    if (k != kv.end() && v != kv.end() && k->value().is_string() && k->value().as_string() == key) {
      return &v->value();
    }
  }
  return nullptr;
}

}  // namespace

std::string prettyJson(const json::value& value) {
  std::string out;
  writePretty(value, 0, out);
  return out;
}

std::string formatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string formatEpochMs(long long epochMs) {
  std::time_t seconds = static_cast<std::time_t>(epochMs / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return buffer;
}

std::string formatActionList(const json::value& list) {
  std::vector<std::vector<std::string>> rows;
  if (list.is_array()) {
    for (const auto& item : list.as_array()) {
      if (!item.is_object()) continue;
      const auto& action = item.as_object();
      std::string ns = stringField(action, "namespace");
      std::string name = "/" + ns + "/" + stringField(action, "name");
      auto publish = action.find("publish");
      bool isPublic = publish != action.end() && publish->value().is_bool() &&
                      publish->value().as_bool();
      std::string kind;
      if (const json::value* k = annotation(action, "exec"); k && k->is_string()) {
        kind = std::string(k->as_string());
      } else if (auto exec = action.find("exec");
                 exec != action.end() && exec->value().is_object()) {
        kind = stringField(exec->value().as_object(), "kind");
      }
      rows.push_back({name, isPublic ? "public" : "private", kind});
    }
  }
  return "actions\n" + formatTable(rows);
}

std::string activationStatus(const json::value& activation) {
  if (!activation.is_object()) return {};
  const auto& record = activation.as_object();
  if (auto response = record.find("response");
      response != record.end() && response->value().is_object()) {
    std::string status = stringField(response->value().as_object(), "status");
    if (!status.empty()) return status;
  }
  switch (numberField(record, "statusCode", -1)) {
    case 0: return "success";
    case 1: return "application error";
    case 2: return "developer error";
    case 3: return "internal error";
    default: return "unknown";
  }
}

std::string formatActivationList(const json::value& list) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"Datetime", "Activation ID", "Kind", "Start", "Duration", "Status", "Entity"});
  if (list.is_array()) {
    for (const auto& item : list.as_array()) {
      if (!item.is_object()) continue;
      const auto& record = item.as_object();
      std::string kind;
      if (const json::value* k = annotation(record, "kind"); k && k->is_string()) {
        kind = std::string(k->as_string());
      }
      std::string start = annotation(record, "initTime") ? "cold" : "warm";
      if (kind == "sequence") start = "--";
      long long duration = numberField(record, "duration", -1);
      std::string entity = stringField(record, "namespace") + "/" + stringField(record, "name");
      std::string version = stringField(record, "version");
      if (!version.empty()) entity += ":" + version;
      rows.push_back({formatEpochMs(numberField(record, "start", 0)),
                      stringField(record, "activationId"), kind, start,
                      duration < 0 ? "--" : std::to_string(duration) + "ms",
                      activationStatus(item), entity});
    }
  }
  return formatTable(rows);
}

}  // namespace clemmys::cli
