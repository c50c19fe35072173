#include "runtime/loop_action.h"

#include <sys/stat.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "runtime/code_files.h"

namespace clemmys::runtime {
namespace {

// Writes text code to <dir>/<name> or unpacks an archive into dir.
Status layOut(const ActionSource& source, const std::string& dir, const std::string& name,
              unsigned mode) {
  if (source.format == CodeFormat::text) return writeFile(dir + "/" + name, source.bytes, mode);
  if (source.format == CodeFormat::elf) {
    return fail("runtime.bad_code", "an ELF binary must be packed in a zip or tar as `exec`");
  }
  return extractArchive(source.bytes, source.format, dir);
}

Result<std::string> launcher(const std::string& launcherDir, const std::string& file) {
  std::string path = launcherDir + "/" + file;
  if (!isRegularFile(path)) return fail("runtime.not_found", "launcher " + path + " is missing");
  return path;
}

Result<std::string> interpreter(const Interpreters& tools, const std::string& fixed, const char* name) {
  if (fixed.empty() && !tools.pathLookup) {
    return fail("runtime.not_found", std::string(name) + ": no interpreter was named on the command line");
  }
  if (fixed.empty()) return findExecutable(name);
  if (!isRegularFile(fixed)) return fail("runtime.not_found", std::string(name) + " " + fixed + " is missing");
  return fixed;
}

// The interpreter and its own options before the launcher script. A fixed python
// (secure mode) runs isolated: no PYTHON* variable, user site or script directory.
std::vector<std::string> interpreterArgv(Kind kind, const Interpreters& tools, const std::string& path) {
  if (kind == Kind::python && !tools.python.empty()) return {path, "-I"};
  return {path};
}

// How many of a launcher's arguments (after the interpreter and the script) are its
// own — <dir> <main> [<mode>] — before the function's extra arguments.
size_t launcherArgCount(Kind kind) { return kind == Kind::nodejs ? 3 : 2; }

}  // namespace

bool canPrestart(Kind kind) { return kind == Kind::python || kind == Kind::nodejs; }

Result<LoopSpec> prestartLoopSpec(Kind kind, const std::string& dir, const Interpreters& tools) {
  if (!canPrestart(kind)) return fail("runtime.unsupported_kind", std::string(kindName(kind)) + " cannot be pre-started");
  bool python = kind == Kind::python;
  auto path = python ? interpreter(tools, tools.python, "python3") : interpreter(tools, tools.node, "node");
  if (!path) return std::unexpected(path.error());
  auto script = launcher(tools.launcherDir, python ? "python3_launcher.py" : "nodejs_launcher.js");
  if (!script) return std::unexpected(script.error());
  LoopSpec spec;
  spec.cwd = dir;
  spec.noNetwork = tools.noNetwork;
  spec.argv = interpreterArgv(kind, tools, *path);
  spec.argv.insert(spec.argv.end(), {*script, "--prestart"});
  spec.expectAck = true;
  return spec;
}

std::string startLine(Kind kind, const LoopSpec& spec) {
  // The launcher's own arguments start after the interpreter, its options and the script.
  size_t at = spec.argv.size() > 1 && spec.argv[1] == "-I" ? 3 : 2;
  size_t fixed = at + launcherArgCount(kind);
  auto arg = [&](size_t i) { return spec.argv.size() > i ? spec.argv[i] : std::string(); };
  boost::json::object line;
  line["dir"] = arg(at);
  line["main"] = arg(at + 1);
  if (kind == Kind::nodejs) line["mode"] = arg(at + 2);
  boost::json::object env;
  for (const auto& [name, value] : spec.extraEnv) env[name] = value;  // the last one wins, as in environ
  line["env"] = std::move(env);
  boost::json::array argv;
  for (size_t i = fixed; i < spec.argv.size(); ++i) argv.emplace_back(spec.argv[i]);
  line["argv"] = std::move(argv);
  return boost::json::serialize(line);  // one line: newlines inside strings are escaped
}

bool needsFreshInterpreter(const EnvVars& env) {
  static constexpr std::string_view kPrefixes[] = {"PYTHON", "NODE_", "UV_", "OPENSSL_",
                                                    "LD_", "LC_", "MALLOC_"};
  static constexpr std::string_view kNames[] = {"LANG", "LANGUAGE", "TZ", "HOME", "GLIBC_TUNABLES"};
  for (const auto& [name, value] : env) {
    if (name.empty() || name.find_first_of(std::string_view("=\0", 2)) != std::string::npos ||
        value.find('\0') != std::string::npos) {
      return true;
    }
    for (auto prefix : kPrefixes) {
      if (name.starts_with(prefix)) return true;
    }
    for (auto exact : kNames) {
      if (name == exact) return true;
    }
  }
  return false;
}

Result<LoopSpec> prepareLoopAction(Kind kind, const ActionSource& source,
                                   std::string_view mainName, const std::string& dir,
                                   const Interpreters& tools) {
  std::string main = mainName.empty() ? std::string("main") : std::string(mainName);
  LoopSpec spec;
  spec.cwd = dir;
  spec.noNetwork = tools.noNetwork;
  switch (kind) {
    case Kind::python: {
      if (auto st = layOut(source, dir, "__main__.py", 0600); !st) return std::unexpected(st.error());
      if (!isRegularFile(dir + "/__main__.py")) {
        return fail("runtime.bad_code", "Zip file does not include __main__.py");
      }
      auto python = interpreter(tools, tools.python, "python3");
      if (!python) return std::unexpected(python.error());
      auto script = launcher(tools.launcherDir, "python3_launcher.py");
      if (!script) return std::unexpected(script.error());
      spec.argv = interpreterArgv(kind, tools, *python);
      spec.argv.insert(spec.argv.end(), {*script, dir, main});
      spec.expectAck = true;
      return spec;
    }
    case Kind::nodejs: {
      if (auto st = layOut(source, dir, "index.js", 0600); !st) return std::unexpected(st.error());
      auto node = interpreter(tools, tools.node, "node");
      if (!node) return std::unexpected(node.error());
      auto script = launcher(tools.launcherDir, "nodejs_launcher.js");
      if (!script) return std::unexpected(script.error());
      spec.argv = interpreterArgv(kind, tools, *node);
      spec.argv.insert(spec.argv.end(), {*script, dir, main, source.format == CodeFormat::text ? "source" : "package"});
      spec.expectAck = true;
      return spec;
    }
    case Kind::blackbox: {
      if (source.format == CodeFormat::text &&
          !std::string_view(source.bytes).starts_with("#!")) {
        return fail("runtime.bad_code",
                    "blackbox code must be a script starting with #! or a zip/tar holding exec");
      }
      if (auto st = layOut(source, dir, "exec", 0700); !st) return std::unexpected(st.error());
      std::string exec = dir + "/exec";
      if (!isRegularFile(exec)) {
        return fail("runtime.bad_code", "the archive does not include an executable named exec");
      }
      ::chmod(exec.c_str(), 0700);
      spec.argv = {exec, main};
      spec.expectAck = false;
      return spec;
    }
    case Kind::cpp:
      break;
  }
  return fail("runtime.bad_code", "cpp actions do not run in an ActionLoop process");
}

}  // namespace clemmys::runtime
