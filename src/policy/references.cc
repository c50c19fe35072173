#include "policy/references.h"

#include <cctype>

namespace clemmys::policy {
namespace {

constexpr std::string_view kOpen = "$$secret:";
constexpr std::string_view kClose = "$$";

Result<SecretRef> parseRef(std::string_view inner) {
  SecretRef ref;
  std::string_view name = inner;
  if (name.ends_with(".key")) {
    ref.privateKey = true;
    name.remove_suffix(4);
  }
  if (!validName(name)) return fail("policy.bad_reference", "bad secret reference '" + std::string(inner) + "'");
  ref.name = std::string(name);
  return ref;
}

}  // namespace

bool validName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

Result<std::string> resolveReferences(std::string_view text, const SecretLookup& lookup) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find(kOpen, pos);
    if (open == std::string_view::npos) break;
    size_t start = open + kOpen.size();
    size_t close = text.find(kClose, start);
    if (close == std::string_view::npos) return fail("policy.bad_reference", "unterminated $$secret: reference");
    auto ref = parseRef(text.substr(start, close - start));
    if (!ref) return std::unexpected(ref.error());
    auto value = lookup(*ref);
    if (!value) return std::unexpected(value.error());
    out.append(text.substr(pos, open - pos));
    out += *value;
    pos = close + kClose.size();
  }
  out.append(text.substr(pos));
  return out;
}

Status checkReferences(const Policy& policy) {
  SecretLookup check = [&](const SecretRef& ref) -> Result<std::string> {
    const SecretSpec* s = policy.findSecret(ref.name);
    if (s == nullptr) return fail("policy.unknown_secret", "reference to undeclared secret '" + ref.name + "'");
    if (ref.privateKey && s->kind != SecretKind::kX509) {
      return fail("policy.bad_reference", "'" + ref.name + ".key' but '" + ref.name + "' is not an x509 secret");
    }
    return std::string();
  };
  for (const auto& [fqn, f] : policy.functions) {
    for (const auto& [k, v] : f.env) {
      if (auto r = resolveReferences(v, check); !r) return std::unexpected(r.error());
    }
    for (const auto& a : f.argv) {
      if (auto r = resolveReferences(a, check); !r) return std::unexpected(r.error());
    }
    for (const auto& [path, content] : f.files) {
      if (auto r = resolveReferences(content, check); !r) return std::unexpected(r.error());
    }
  }
  return {};
}

}  // namespace clemmys::policy
