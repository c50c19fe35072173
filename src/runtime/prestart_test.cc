// POST /prestart against the real clemmys-runtime binary (runtime_harness.h): the
// pre-started launcher serves the /init of its kind with the same results, logs and
// environment as a fresh one; anything it cannot serve exactly as a fresh start would
// (another kind, interpreter start-up variables) takes the fresh path; it is refused
// after /init, survives the connection that asked for it, and dies with the runtime.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <thread>

#include "http/client.h"
#include "runtime/code_files.h"
#include "runtime/process_scan_test_util.h"
#include "runtime/runtime_harness.h"

namespace clemmys::runtime {
namespace {

namespace json = boost::json;
using testing::RuntimeProcess;

// Reports what a function can see of how it was started.
const char* kPythonProbe = R"(import os, sys
print("probe out")
print("probe err", file=sys.stderr)

def main(args):
    try:
        import prestart_probe_module
        probe = prestart_probe_module.VALUE
    except ImportError:
        probe = None
    return {"pid": os.getpid(), "argv": sys.argv, "cwd_is_code": os.path.exists("__main__.py"),
            "x": os.environ.get("X_VAR"), "ow": os.environ.get("__OW_ACTION_NAME"),
            "api": os.environ.get("__OW_API_HOST"), "probe": probe, "args": args,
            "path_has_launchers": any(p.endswith("launchers") for p in sys.path)}
)";

const char* kNodeProbe = R"(console.log('probe out');
console.error('probe err');
function main(args) {
  let probe = null;
  try { probe = require('prestart_probe_module').VALUE; } catch (e) {}
  const fs = require('fs');
  return { pid: process.pid, argv: process.argv.slice(1).map((a) => (a === process.cwd() ? '<dir>' : a)), cwd_is_code: fs.existsSync('index.js'),
           x: process.env.X_VAR || null, ow: process.env.__OW_ACTION_NAME || null,
           api: process.env.__OW_API_HOST || null, probe, args };
}
)";

std::string initBody(const std::string& kind, const std::string& code, json::object env) {
  return json::serialize(json::object{{"value", json::object{{"name", "probe"}, {"main", "main"},
                                                             {"code", code}, {"kind", kind},
                                                             {"env", std::move(env)}}}});
}

std::string prestartBody(const std::string& kind) {
  return json::serialize(json::object{{"kind", kind}});
}

class PrestartTest : public ::testing::Test {
 protected:
  std::unique_ptr<RuntimeProcess> startRuntime() {
    auto p = RuntimeProcess::start(CLEMMYS_RUNTIME_BIN, {}, {{"__OW_API_HOST", "http://api.example"}});
    EXPECT_TRUE(p) << p.error().str();
    return p ? std::move(*p) : nullptr;
  }

  static http::Response post(RuntimeProcess& rt, const std::string& path, const std::string& body) {
    auto r = rt.post(path, body);
    EXPECT_TRUE(r) << r.error().str();
    return r ? *r : http::Response{0, {}, {}};
  }

  // The one launcher waiting in `rt` (0 when there is none or several). The
  // interpreter found in $PATH may be a wrapper that execs the real one (pyenv's
  // shims do), so this waits for the launcher's own command line to show.
  static pid_t waitingLauncher(RuntimeProcess& rt) {
    for (int i = 0; i < 300; ++i) {
      auto pids = testing::childrenMatching(rt.pid(), "_launcher.js --prestart");
      auto py = testing::childrenMatching(rt.pid(), "_launcher.py --prestart");
      pids.insert(pids.end(), py.begin(), py.end());
      if (pids.size() == 1 && testing::commandLine(pids[0]).find("libexec/pyenv") == std::string::npos) {
        return pids[0];
      }
      if (pids.size() > 1) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

  static bool gone(pid_t pid) {
    for (int i = 0; i < 200; ++i) {
      if (!testing::processAlive(pid)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // /init + /run of `code` on a runtime, with or without /prestart first. Returns the
  // result and the runtime's stdout + stderr; `prestartedPid` is the waiting launcher.
  struct Outcome {
    json::object result;
    std::string out, err;
    pid_t prestartedPid = 0;
  };
  Outcome initAndRun(const std::string& kind, const std::string& code, json::object env,
                     const std::string& prestartKind) {
    Outcome o;
    auto rt = startRuntime();
    if (!rt) return o;
    if (!prestartKind.empty()) {
      auto r = post(*rt, "/prestart", prestartBody(prestartKind));
      EXPECT_EQ(r.status, 200) << r.body;
      o.prestartedPid = waitingLauncher(*rt);
      EXPECT_NE(o.prestartedPid, 0);
    }
    auto init = post(*rt, "/init", initBody(kind, code, std::move(env)));
    EXPECT_EQ(init.status, 200) << init.body << rt->err();
    auto run = post(*rt, "/run", json::serialize(json::object{{"value", json::object{{"n", 7}}},
                                                              {"action_name", "/guest/probe"}}));
    EXPECT_EQ(run.status, 200) << run.body << rt->err();
    EXPECT_TRUE(rt->waitForSentinels(1));
    if (run.status == 200) o.result = json::parse(run.body).as_object();
    o.out = rt->out();
    o.err = rt->err();
    if (o.prestartedPid != 0 && prestartKind != kind) {
      EXPECT_TRUE(gone(o.prestartedPid));
    }
    return o;
  }

  // Same results, logs and environment with and without /prestart; the pre-started
  // process is the one that runs the function.
  void expectSameAsFresh(const std::string& kind, const std::string& code) {
    json::object env{{"X_VAR", "from init"}, {"__OW_ACTION_NAME", "/guest/probe"}};
    Outcome fresh = initAndRun(kind, code, env, "");
    Outcome pre = initAndRun(kind, code, env, kind);
    ASSERT_FALSE(pre.result.empty());
    EXPECT_EQ(pre.result.at("pid"), json::value(pre.prestartedPid));
    fresh.result.erase("pid");
    pre.result.erase("pid");
    EXPECT_EQ(json::value(pre.result), json::value(fresh.result));
    EXPECT_EQ(pre.result.at("x"), "from init");
    EXPECT_EQ(pre.result.at("api"), "http://api.example");
    EXPECT_EQ(pre.result.at("cwd_is_code"), true);
    EXPECT_EQ(pre.out, fresh.out);
    EXPECT_EQ(pre.err, fresh.err);
  }
};

TEST_F(PrestartTest, PythonPrestartedRunsLikeFresh) { expectSameAsFresh("python:3", kPythonProbe); }

TEST_F(PrestartTest, NodePrestartedRunsLikeFresh) { expectSameAsFresh("nodejs:20", kNodeProbe); }

TEST_F(PrestartTest, OtherKindTakesTheFreshPathAndKillsTheWaitingLauncher) {
  Outcome o = initAndRun("python:3", kPythonProbe, {}, "nodejs:20");
  ASSERT_FALSE(o.result.empty());
  EXPECT_NE(o.result.at("pid"), json::value(o.prestartedPid));
}

// Start-up variables only work when the interpreter starts: a module on PYTHONPATH
// (NODE_PATH) is importable only if /init started a fresh interpreter.
TEST_F(PrestartTest, InterpreterStartupVariablesTakeTheFreshPath) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir);
  ASSERT_TRUE(writeFile(dir->path() + "/prestart_probe_module.py", "VALUE = 'py'\n", 0644));
  ASSERT_TRUE(writeFile(dir->path() + "/prestart_probe_module.js", "exports.VALUE = 'js';\n", 0644));
  Outcome py = initAndRun("python:3", kPythonProbe, {{"PYTHONPATH", dir->path()}}, "python:3");
  ASSERT_FALSE(py.result.empty());
  EXPECT_EQ(py.result.at("probe"), "py");
  EXPECT_NE(py.result.at("pid"), json::value(py.prestartedPid));
  EXPECT_TRUE(gone(py.prestartedPid));
  Outcome js = initAndRun("nodejs:20", kNodeProbe, {{"NODE_PATH", dir->path()}}, "nodejs:20");
  ASSERT_FALSE(js.result.empty());
  EXPECT_EQ(js.result.at("probe"), "js");
  EXPECT_NE(js.result.at("pid"), json::value(js.prestartedPid));
  EXPECT_TRUE(gone(js.prestartedPid));
}

TEST_F(PrestartTest, RefusedAfterInitAndForKindsWithoutALauncher) {
  auto rt = startRuntime();
  ASSERT_TRUE(rt);
  EXPECT_EQ(post(*rt, "/prestart", prestartBody("blackbox")).status, 400);
  EXPECT_EQ(post(*rt, "/prestart", prestartBody("cpp")).status, 400);
  EXPECT_EQ(post(*rt, "/prestart", prestartBody("cobol:1")).status, 400);
  EXPECT_EQ(post(*rt, "/prestart", "not json").status, 400);
  EXPECT_EQ(waitingLauncher(*rt), 0);
  ASSERT_EQ(post(*rt, "/init", initBody("python:3", kPythonProbe, {})).status, 200);
  auto r = post(*rt, "/prestart", prestartBody("python:3"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"error":"The action is already initialized."})"));
  EXPECT_EQ(waitingLauncher(*rt), 0);
  EXPECT_EQ(post(*rt, "/run", "{}").status, 200);  // the action is untouched
}

TEST_F(PrestartTest, IdempotentForOneKindReplacedByAnother) {
  auto rt = startRuntime();
  ASSERT_TRUE(rt);
  ASSERT_EQ(post(*rt, "/prestart", prestartBody("python:3")).status, 200);
  pid_t first = waitingLauncher(*rt);
  ASSERT_NE(first, 0);
  ASSERT_EQ(post(*rt, "/prestart", prestartBody("python:3")).status, 200);
  EXPECT_EQ(waitingLauncher(*rt), first);
  ASSERT_EQ(post(*rt, "/prestart", prestartBody("nodejs:20")).status, 200);
  EXPECT_TRUE(gone(first));
  pid_t node = waitingLauncher(*rt);
  EXPECT_NE(node, 0);
  EXPECT_NE(node, first);
}

// The server serves each connection on its own thread; the launcher must not die
// with that thread (PR_SET_PDEATHSIG follows the forking thread, see spawn_thread.h).
TEST_F(PrestartTest, SurvivesTheConnectionThatAskedForIt) {
  auto rt = startRuntime();
  ASSERT_TRUE(rt);
  {
    http::Client other("127.0.0.1", rt->port());
    auto r = other.request("POST", "/prestart", prestartBody("python:3"),
                           {{"Content-Type", "application/json"}}, std::chrono::seconds(10));
    ASSERT_TRUE(r) << r.error().str();
    ASSERT_EQ(r->status, 200);
  }
  pid_t pid = waitingLauncher(*rt);
  ASSERT_NE(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the connection's thread is gone
  EXPECT_TRUE(testing::processAlive(pid));
  ASSERT_EQ(post(*rt, "/init", initBody("python:3", kPythonProbe, {})).status, 200);
  auto run = post(*rt, "/run", "{}");
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(json::parse(run.body).at("pid"), json::value(pid));
}

TEST_F(PrestartTest, WaitingLauncherDiesWithTheRuntime) {
  for (int sig : {SIGTERM, SIGKILL}) {
    auto rt = startRuntime();
    ASSERT_TRUE(rt);
    ASSERT_EQ(post(*rt, "/prestart", prestartBody("nodejs:20")).status, 200);
    pid_t pid = waitingLauncher(*rt);
    ASSERT_NE(pid, 0);
    ::kill(rt->pid(), sig);
    EXPECT_TRUE(gone(pid)) << "signal " << sig;
  }
}

}  // namespace
}  // namespace clemmys::runtime
