// Building OpenWhisk entity bodies from command-line input: kind inference from a file
// name, `-p KEY VALUE` values (JSON when they parse, else strings, as `wsk` does),
// parameter files, sequences, limits, and the PUT body of an action.
// Thread safety: pure functions over values (loadCodeFile reads the file system).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace clemmys::cli {

// Kind for a code file name: .py -> python:3, .js -> nodejs:20, .so -> cpp, other ->
// blackbox. Errors: "cli.usage" for .zip (its kind cannot be guessed: pass --kind).
Result<std::string> inferKind(std::string_view fileName);

// "42" -> 42, "{\"a\":1}" -> object, "hello" -> "hello".
boost::json::value parseParamValue(std::string_view text);

// A JSON object file as key/value pairs. Errors: "cli.file" (unreadable),
// "cli.usage" (not a JSON object).
Result<std::vector<std::pair<std::string, boost::json::value>>> loadParamFile(
    const std::string& path);

// [{key, value}, ...]; later duplicates replace earlier ones in place.
boost::json::array keyValueArray(
    const std::vector<std::pair<std::string, boost::json::value>>& entries);
boost::json::object keyValueObject(
    const std::vector<std::pair<std::string, boost::json::value>>& entries);

struct CodeFile {
  std::string content;  // base64 when binary
  bool binary = false;
};

// Reads a code file. Binary (sent base64, `binary:true`) when the extension is .so,
// .zip, .jar or .bin, the file is executable, or it is not valid UTF-8 text.
// Errors: "cli.file".
Result<CodeFile> loadCodeFile(const std::string& path);

// "a" -> "/_/a", "pkg/a" -> "/_/pkg/a", "/ns/a" unchanged.
std::string qualifyName(std::string_view name);

// Namespace and in-namespace path of an entity name: "a" -> ("_", "a"),
// "/ns/pkg/a" -> ("ns", "pkg/a"). Errors: "cli.usage" for empty or malformed names.
struct EntityName {
  std::string ns;
  std::string path;  // "name" or "pkg/name"
};
Result<EntityName> splitName(std::string_view name);

// Request path of an entity, URL-encoded per segment: "/api/v1/namespaces/_/actions/a".
std::string entityPath(const EntityName& name, std::string_view collection);

struct ActionSpec {
  std::string name;
  std::optional<std::string> codePath;
  std::optional<std::string> kind;
  std::optional<std::string> main;
  std::optional<std::vector<std::string>> sequence;  // component names as given
  std::vector<std::pair<std::string, boost::json::value>> params;
  std::vector<std::pair<std::string, boost::json::value>> annotations;
  std::optional<long long> timeoutMs, memoryMb, logsMb;
  bool update = false;
};

// The PUT body. Errors: "cli.usage" (no code on create, both code and --sequence, .zip
// without --kind), "cli.file".
Result<boost::json::object> buildActionBody(const ActionSpec& spec);

}  // namespace clemmys::cli
