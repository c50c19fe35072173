#include "runtime/kind.h"

#include <optional>

#include "common/encoding.h"

namespace clemmys::runtime {

const char* kindName(Kind kind) {
  switch (kind) {
    case Kind::cpp: return "cpp";
    case Kind::python: return "python:3";
    case Kind::nodejs: return "nodejs:20";
    case Kind::blackbox: return "blackbox";
  }
  return "unknown";
}

CodeFormat detectFormat(std::string_view b) {
  if (b.starts_with("\x7f" "ELF")) return CodeFormat::elf;
  if (b.starts_with("PK\x03\x04") || b.starts_with("PK\x05\x06")) return CodeFormat::zip;
  if (b.starts_with("\x1f\x8b")) return CodeFormat::gzip;
  // POSIX ustar and GNU tar both carry "ustar" at offset 257 of the first header.
  if (b.size() >= 262 && b.substr(257, 5) == "ustar") return CodeFormat::tar;
  return CodeFormat::text;
}

Result<ActionSource> decodeSource(std::string_view code, std::optional<bool> binary) {
  ActionSource source;
  if (binary.value_or(false)) {
    auto decoded = base64Decode(code);
    if (!decoded) return fail("runtime.bad_base64", "binary code is not valid base64");
    source.bytes = std::move(*decoded);
    source.format = detectFormat(source.bytes);
    source.wasBase64 = true;
    return source;
  }
  if (!binary.has_value() && looksLikeBase64(code)) {
    auto decoded = base64Decode(code);
    if (decoded && detectFormat(*decoded) != CodeFormat::text) {
      source.bytes = std::move(*decoded);
      source.format = detectFormat(source.bytes);
      source.wasBase64 = true;
      return source;
    }
  }
  source.bytes = std::string(code);
  source.format = CodeFormat::text;
  return source;
}

Result<Kind> parseKind(std::string_view kind) {
  std::string_view family = kind.substr(0, kind.find(':'));
  if (family == "cpp") return Kind::cpp;
  if (family == "python") return Kind::python;
  if (family == "nodejs") return Kind::nodejs;
  if (kind == "blackbox" || kind == "native") return Kind::blackbox;
  return fail("runtime.unsupported_kind",
              "kind '" + std::string(kind) + "' is not supported by this runtime");
}

Result<Kind> resolveKind(std::string_view initKind, std::string_view defaultKind,
                         const ActionSource& source) {
  if (!initKind.empty()) return parseKind(initKind);
  if (!defaultKind.empty()) return parseKind(defaultKind);
  switch (source.format) {
    case CodeFormat::elf: return Kind::cpp;
    case CodeFormat::zip:
    case CodeFormat::gzip:
    case CodeFormat::tar: return Kind::blackbox;
    case CodeFormat::text:
      if (std::string_view(source.bytes).starts_with("#!")) return Kind::blackbox;
      break;
  }
  return fail("runtime.unknown_kind",
              "cannot infer the action kind from its code; send value.kind or start the "
              "runtime with --kind");
}

}  // namespace clemmys::runtime
