#include "runtime/loop_action.h"

#include <sys/stat.h>

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

}  // namespace

Result<LoopSpec> prepareLoopAction(Kind kind, const ActionSource& source,
                                   std::string_view mainName, const std::string& dir,
                                   const std::string& launcherDir) {
  std::string main = mainName.empty() ? std::string("main") : std::string(mainName);
  LoopSpec spec;
  spec.cwd = dir;
  switch (kind) {
    case Kind::python: {
      if (auto st = layOut(source, dir, "__main__.py", 0600); !st) return std::unexpected(st.error());
      if (!isRegularFile(dir + "/__main__.py")) {
        return fail("runtime.bad_code", "Zip file does not include __main__.py");
      }
      auto python = findExecutable("python3");
      if (!python) return std::unexpected(python.error());
      auto script = launcher(launcherDir, "python3_launcher.py");
      if (!script) return std::unexpected(script.error());
      spec.argv = {*python, *script, dir, main};
      spec.expectAck = true;
      return spec;
    }
    case Kind::nodejs: {
      if (auto st = layOut(source, dir, "index.js", 0600); !st) return std::unexpected(st.error());
      auto node = findExecutable("node");
      if (!node) return std::unexpected(node.error());
      auto script = launcher(launcherDir, "nodejs_launcher.js");
      if (!script) return std::unexpected(script.error());
      spec.argv = {*node, *script, dir, main,
                   source.format == CodeFormat::text ? "source" : "package"};
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
