// Lays out an ActionLoop action's code in its private directory and builds the
// command that runs it:
//   python:3  text -> <dir>/__main__.py; zip/tar -> unpacked, must hold __main__.py;
//             runs `python3 <launchers>/python3_launcher.py <dir> <main>`.
//   nodejs:20 text -> <dir>/index.js (top-level `function main` or exports.main);
//             zip/tar -> unpacked, loaded with require(<dir>) (package.json "main",
//             else index.js); runs `node <launchers>/nodejs_launcher.js <dir> <main> <mode>`.
//   blackbox  text starting with "#!" -> <dir>/exec; zip/tar -> unpacked, must hold
//             an `exec` file; made executable; runs `<dir>/exec <main>` (no handshake).
// Interpreters come from Interpreters: fixed paths (secure mode: the runtime's
// measured argv) or, when a path is empty, $PATH (plain mode, as OpenWhisk's
// runtimes do). Python runs isolated when its path is fixed (-I: no PYTHON* variables, no user site, no
// script directory on sys.path). Thread safety: pure apart from the files it writes.
//
// Pre-started launchers (POST /prestart): `python3 <launcher> --prestart` and
// `node <launcher> --prestart` start before the code exists and wait for one start
// line {"dir","main","mode"(node),"env","argv"} carrying what the command line above
// (and the init environment) would have given them.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "runtime/kind.h"
#include "runtime/loop_executor.h"

namespace clemmys::runtime {

struct Interpreters {
  std::string launcherDir;  // holds python3_launcher.py and nodejs_launcher.js
  std::string python;       // absolute path; empty: python3 from $PATH
  std::string node;         // absolute path; empty: node from $PATH
  // Secure mode: the function's processes get a network namespace of their own, so
  // they reach no network, not the platform's ports on loopback (doc/threat-model.md).
  bool noNetwork = false;
  // Plain mode looks an unset interpreter up in $PATH; secure mode does not (only the
  // measured argv names interpreters): an unset one is runtime.not_found.
  bool pathLookup = true;
};

// REQUIRES: kind != Kind::cpp; `dir` exists and is empty.
// Errors: "runtime.bad_code" (missing __main__.py / exec, a non-script blackbox text),
// "runtime.not_found" (interpreter or launcher), unpacking and file errors.
Result<LoopSpec> prepareLoopAction(Kind kind, const ActionSource& source,
                                   std::string_view mainName, const std::string& dir,
                                   const Interpreters& tools);

// Kinds that can be pre-started: python and nodejs.
bool canPrestart(Kind kind);

// The command of a launcher waiting for its start line, run in `dir` (the action's
// future private directory). REQUIRES: canPrestart(kind).
// Error: "runtime.not_found" (interpreter or launcher).
Result<LoopSpec> prestartLoopSpec(Kind kind, const std::string& dir, const Interpreters& tools);

// The start line that gives a pre-started launcher of `kind` what `spec` (from
// prepareLoopAction for the same kind) gives a fresh one: its arguments and extraEnv.
std::string startLine(Kind kind, const LoopSpec& spec);

// True when `env` (the init environment) cannot be applied to a running interpreter
// as it would be at its start: variables read only at start-up (PYTHON*, NODE_*,
// UV_*, OPENSSL_*, LD_*, LC_*, MALLOC_*, LANG, LANGUAGE, TZ, HOME, GLIBC_TUNABLES)
// or names and values an environment block cannot hold as given (empty, '=' or NUL
// in a name, NUL in a value).
bool needsFreshInterpreter(const EnvVars& env);

}  // namespace clemmys::runtime
