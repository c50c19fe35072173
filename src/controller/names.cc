#include "controller/names.h"

#include <vector>

namespace clemmys::controller {

namespace {

bool isWord(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t slash = s.find('/', start);
    out.push_back(s.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

}  // namespace

bool isValidEntityName(std::string_view n) {
  if (n.empty() || n.size() > 256 || !isWord(n.front())) return false;
  if (n.size() == 1) return true;
  char last = n.back();
  if (!isWord(last) && last != '@' && last != '.' && last != '-') return false;
  for (size_t i = 1; i + 1 < n.size(); ++i) {
    char c = n[i];
    if (!isWord(c) && c != '@' && c != ' ' && c != '.' && c != '-') return false;
  }
  return true;
}

std::string QualifiedName::simpleName() const {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string QualifiedName::pkg() const {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::optional<QualifiedName> parseFqn(std::string_view text, const std::string& callerNs) {
  if (!text.empty() && text.front() == '/') text.remove_prefix(1);
  auto parts = split(text);
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i == 0 && parts[0] == "_") continue;
    if (!isValidEntityName(parts[i])) return std::nullopt;
  }
  QualifiedName q;
  q.ns = parts[0] == "_" ? callerNs : std::string(parts[0]);
  q.path = std::string(parts[1]);
  if (parts.size() == 3) q.path += "/" + std::string(parts[2]);
  return q;
}

bool isActivationId(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace clemmys::controller
