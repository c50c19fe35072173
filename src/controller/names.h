// OpenWhisk entity names and paths: validation of names, and parsing of fully
// qualified names ("/ns/name", "/ns/pkg/name", "/_/name" for the caller's namespace).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clemmys::controller {

// OpenWhisk's rule: \A([\w]|[\w][\w@ .-]*[\w@.-]+)\z and at most 256 characters.
bool isValidEntityName(std::string_view name);

// An action inside a namespace: `path` is "name" or "pkg/name".
struct QualifiedName {
  std::string ns;
  std::string path;
  std::string fqn() const { return "/" + ns + "/" + path; }
  std::string simpleName() const;  // the last segment
  std::string pkg() const;         // "" when not in a package
};

// Parses "/ns/name" or "/ns/pkg/name" ("ns/name" without the leading slash too);
// "_" as namespace becomes `callerNs`. Empty on malformed or illegal names.
std::optional<QualifiedName> parseFqn(std::string_view text, const std::string& callerNs);

// True for 32 lowercase hexadecimal characters.
bool isActivationId(std::string_view id);

}  // namespace clemmys::controller
