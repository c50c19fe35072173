#include "cli/action_spec.h"

#include <sys/stat.h>

#include <boost/json/parse.hpp>

#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "http/message.h"

namespace clemmys::cli {

namespace json = boost::json;

namespace {

std::string extensionOf(std::string_view fileName) {
  size_t slash = fileName.rfind('/');
  std::string_view base = slash == std::string_view::npos ? fileName : fileName.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return std::string(base.substr(dot));
}

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;  // text files do not hold NUL bytes
    size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= s.size() && extra > 0) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

Result<std::string> inferKind(std::string_view fileName) {
  std::string ext = extensionOf(fileName);
  if (ext == ".py") return std::string("python:3");
  if (ext == ".js") return std::string("nodejs:20");
  if (ext == ".so") return std::string("cpp");
  if (ext == ".zip") {
    return fail("cli.usage", "cannot infer the kind of a .zip archive: pass --kind");
  }
  return std::string("blackbox");
}

json::value parseParamValue(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return json::string(text);
  return parsed;
}

Result<std::vector<std::pair<std::string, json::value>>> loadParamFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cli.file", "cannot read parameter file '" + path + "'");
  std::ostringstream content;
  content << in.rdbuf();
  boost::system::error_code ec;
  json::value parsed = json::parse(content.str(), ec);
  if (ec || !parsed.is_object()) {
    return fail("cli.usage", "parameter file '" + path + "' must hold a JSON object");
  }
  std::vector<std::pair<std::string, json::value>> entries;
  for (const auto& [key, value] : parsed.as_object()) {
    entries.emplace_back(std::string(key), value);
  }
  return entries;
}

json::array keyValueArray(const std::vector<std::pair<std::string, json::value>>& entries) {
  json::array out;
  for (const auto& [key, value] : entries) {
    bool replaced = false;
    for (auto& item : out) {
      if (item.as_object().at("key").as_string() == key) {
        item.as_object()["value"] = value;
        replaced = true;
      }
    }
    if (!replaced) out.push_back(json::object{{"key", key}, {"value", value}});
  }
  return out;
}

json::object keyValueObject(const std::vector<std::pair<std::string, json::value>>& entries) {
  json::object out;
  for (const auto& [key, value] : entries) out[key] = value;
  return out;
}

Result<CodeFile> loadCodeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  struct stat st {};
  if (!in || ::stat(path.c_str(), &st) != 0) {
    return fail("cli.file", "cannot read code file '" + path + "'");
  }
  if (S_ISDIR(st.st_mode)) return fail("cli.file", "'" + path + "' is a directory");
  std::ostringstream content;
  content << in.rdbuf();
  if (!in.good() && !in.eof()) return fail("cli.file", "error reading code file '" + path + "'");
  std::string bytes = content.str();
  std::string ext = extensionOf(path);
  bool binary = ext == ".so" || ext == ".zip" || ext == ".jar" || ext == ".bin" ||
                (st.st_mode & S_IXUSR) != 0 || !isValidUtf8(bytes);
  if (binary) return CodeFile{base64Encode(bytes), true};
  return CodeFile{std::move(bytes), false};
}

std::string qualifyName(std::string_view name) {
  if (name.starts_with('/')) return std::string(name);
  return "/_/" + std::string(name);
}

Result<EntityName> splitName(std::string_view name) {
  if (name.empty()) return fail("cli.usage", "the entity name is empty");
  EntityName out;
  if (name.starts_with('/')) {
    std::string_view rest = name.substr(1);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size()) {
      return fail("cli.usage", "malformed fully qualified name '" + std::string(name) +
                                   "' (expected /namespace/[package/]name)");
    }
    out.ns = std::string(rest.substr(0, slash));
    out.path = std::string(rest.substr(slash + 1));
  } else {
    out.ns = "_";
    out.path = std::string(name);
  }
  // At most one package level; no empty segments.
  size_t slashes = 0;
  for (char c : out.path) slashes += c == '/';
  if (slashes > 1 || out.path.starts_with('/') || out.path.ends_with('/') ||
      out.path.find("//") != std::string::npos) {
    return fail("cli.usage", "malformed entity name '" + std::string(name) + "'");
  }
  return out;
}

std::string entityPath(const EntityName& name, std::string_view collection) {
  std::string path = "/api/v1/namespaces/" + http::percentEncode(name.ns) + "/" +
                     std::string(collection);
  std::string_view rest = name.path;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    path += "/" + http::percentEncode(rest.substr(0, slash));
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
  }
  return path;
}

Result<json::object> buildActionBody(const ActionSpec& spec) {
  json::object body;
  if (spec.sequence && spec.codePath) {
    return fail("cli.usage", "give either a code FILE or --sequence, not both");
  }
  if (!spec.update && !spec.sequence && !spec.codePath) {
    return fail("cli.usage", "action create needs a code FILE or --sequence");
  }
  if (spec.sequence) {
    json::array components;
    for (const auto& component : *spec.sequence) {
      if (component.empty()) return fail("cli.usage", "empty component name in --sequence");
      components.push_back(json::string(qualifyName(component)));
    }
    if (components.empty()) return fail("cli.usage", "--sequence needs at least one action");
    body["exec"] = json::object{{"kind", "sequence"}, {"components", std::move(components)}};
  } else if (spec.codePath) {
    std::string kind;
    if (spec.kind) {
      kind = *spec.kind;
    } else {
      auto inferred = inferKind(*spec.codePath);
      if (!inferred) return std::unexpected(inferred.error());
      kind = *inferred;
    }
    auto code = loadCodeFile(*spec.codePath);
    if (!code) return std::unexpected(code.error());
    json::object exec{{"kind", kind}, {"code", code->content}, {"binary", code->binary}};
    if (spec.main) exec["main"] = *spec.main;
    // As `wsk --native`: a blackbox action with code runs in the skeleton image.
    if (kind == "blackbox") exec["image"] = "openwhisk/dockerskeleton";
    body["exec"] = std::move(exec);
  } else if (spec.kind || spec.main) {
    return fail("cli.usage", "--kind and --main need a code FILE");
  }
  if (!spec.params.empty() || !spec.update) body["parameters"] = keyValueArray(spec.params);
  if (!spec.annotations.empty() || !spec.update) {
    body["annotations"] = keyValueArray(spec.annotations);
  }
  json::object limits;
  if (spec.timeoutMs) limits["timeout"] = *spec.timeoutMs;
  if (spec.memoryMb) limits["memory"] = *spec.memoryMb;
  if (spec.logsMb) limits["logs"] = *spec.logsMb;
  if (!limits.empty()) body["limits"] = std::move(limits);
  return body;
}

}  // namespace clemmys::cli
