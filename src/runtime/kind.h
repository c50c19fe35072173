// Which executor an action needs, decided once at /init.
//
// OpenWhisk ships one runtime image per kind; Clemmys ships one binary for all kinds,
// so /init must learn the kind. In order of precedence:
//   1. `value.kind` in the /init body (our invoker always sends it);
//   2. `--kind K` given to clemmys-runtime on the command line (an OpenWhisk
//      deployment that uses the binary as the image for a single kind);
//   3. inference from the code: base64 of an ELF shared object -> cpp; base64 of a
//      zip or (gzipped) tar archive -> blackbox; text starting with "#!" -> blackbox.
//      Anything else cannot be inferred and /init fails.
// Accepted spellings: "cpp[:*]", "python[:*]", "nodejs[:*]", "blackbox", "native".
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace clemmys::runtime {

enum class Kind { cpp, python, nodejs, blackbox };

const char* kindName(Kind kind);  // "cpp", "python:3", "nodejs:20", "blackbox"

// What the bytes of the action's code are (after base64 decoding when binary).
enum class CodeFormat { text, elf, zip, gzip, tar };

CodeFormat detectFormat(std::string_view bytes);

// The action's code as the runtime uses it: raw bytes plus their format.
struct ActionSource {
  std::string bytes;  // decoded when the code was base64
  CodeFormat format = CodeFormat::text;
  bool wasBase64 = false;
};

// Decodes `code`. With binary=true the code must be base64 ("runtime.bad_base64").
// Without an explicit binary flag, base64 text that decodes to an ELF object or an
// archive is treated as binary (OpenWhisk's Exec.isBinaryCode heuristic), else text.
Result<ActionSource> decodeSource(std::string_view code, std::optional<bool> binary);

// Maps a kind string to a Kind; "runtime.unsupported_kind" otherwise.
Result<Kind> parseKind(std::string_view kind);

// Applies the precedence above. Empty strings mean "not given".
// Errors: "runtime.unsupported_kind", "runtime.unknown_kind".
Result<Kind> resolveKind(std::string_view initKind, std::string_view defaultKind,
                         const ActionSource& source);

}  // namespace clemmys::runtime
