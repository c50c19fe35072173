// Lays out an ActionLoop action's code in its private directory and builds the
// command that runs it:
//   python:3  text -> <dir>/__main__.py; zip/tar -> unpacked, must hold __main__.py;
//             runs `python3 <launchers>/python3_launcher.py <dir> <main>`.
//   nodejs:20 text -> <dir>/index.js (top-level `function main` or exports.main);
//             zip/tar -> unpacked, loaded with require(<dir>) (package.json "main",
//             else index.js); runs `node <launchers>/nodejs_launcher.js <dir> <main> <mode>`.
//   blackbox  text starting with "#!" -> <dir>/exec; zip/tar -> unpacked, must hold
//             an `exec` file; made executable; runs `<dir>/exec <main>` (no handshake).
// Interpreters are found in $PATH. Thread safety: pure apart from the files it writes.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "runtime/kind.h"
#include "runtime/loop_executor.h"

namespace clemmys::runtime {

// REQUIRES: kind != Kind::cpp; `dir` exists and is empty.
// Errors: "runtime.bad_code" (missing __main__.py / exec, a non-script blackbox text),
// "runtime.not_found" (interpreter or launcher), unpacking and file errors.
Result<LoopSpec> prepareLoopAction(Kind kind, const ActionSource& source,
                                   std::string_view mainName, const std::string& dir,
                                   const std::string& launcherDir);

}  // namespace clemmys::runtime
