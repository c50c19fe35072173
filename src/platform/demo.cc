#include "platform/demo.h"

#include <signal.h>
#include <stdlib.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "common/subprocess.h"
#include "http/client.h"
#include "platform/dev_policy.h"
#include "platform/secure_platform.h"

namespace clemmys::platform {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

const char* kMacCode =
    "import hashlib, hmac, os\n"
    "def main(args):\n"
    "    key = bytes.fromhex(os.environ['MAC_KEY'])  # released by the KMS to attested runtimes only\n"
    "    msg = args.get('greeting', '')\n"
    "    print('mac step: got', len(msg), 'characters')\n"
    "    return {'greeting': msg, 'mac': hmac.new(key, msg.encode(), hashlib.sha256).hexdigest()}\n";
const char* kFormatCode =
    "function main(p) {\n"
    "  console.log('format step');\n"
    "  return { message: p.greeting, mac: p.mac, mac_bits: p.mac.length * 4, steps: 'cpp > python:3 > nodejs:20' };\n"
    "}\n";

struct Api {
  http::Client& client;
  http::Headers headers;
  Result<http::Response> call(const std::string& method, const std::string& target,
                              const std::string& body = "") {
    return client.request(method, target, body, headers, std::chrono::seconds(90));
  }
};

std::string excerpt(const std::string& s, size_t n = 72) {
  return s.size() <= n ? s : s.substr(0, n) + "... (" + std::to_string(s.size()) + " bytes)";
}

std::string errorOf(const http::Response& r) {
  try {
    auto v = json::parse(r.body);
    if (auto* resp = v.as_object().if_contains("response")) {
      return json::serialize(resp->as_object().at("result"));
    }
    if (auto* e = v.as_object().if_contains("error")) return json::serialize(*e);
  } catch (const std::exception&) {
  }
  return r.body;
}

// The controller operator rewrites one action's stored CODE envelope.
Status rewriteCode(Api& controller, const std::string& name, const std::string& newCode) {
  auto got = controller.call("GET", "/api/v1/namespaces/guest/actions/" + name);
  if (!got || got->status != 200) return fail("demo.controller", "cannot read " + name);
  auto doc = json::parse(got->body).as_object();
  doc["exec"].as_object()["code"] = newCode;
  json::object put{{"exec", doc["exec"]}, {"parameters", doc["parameters"]}, {"annotations", doc["annotations"]}};
  auto r = controller.call("PUT", "/api/v1/namespaces/guest/actions/" + name + "?overwrite=true",
                           json::serialize(put));
  if (!r || r->status != 200) return fail("demo.controller", "cannot rewrite " + name);
  return {};
}

std::string storedCode(Api& controller, const std::string& name) {
  auto got = controller.call("GET", "/api/v1/namespaces/guest/actions/" + name);
  if (!got || got->status != 200) return "";
  return std::string(json::parse(got->body).at("exec").at("code").as_string());
}

}  // namespace

int demoCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  (void)argc;
  (void)argv;
  signal(SIGPIPE, SIG_IGN);
  char tmpl[] = "/tmp/clemmys-demo-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    err << "clemmys demo: cannot create a temp dir\n";
    return 1;
  }
  std::string dir = tmpl;
  std::string binDir = selfDirectory();
  std::string lib = fs::weakly_canonical(binDir + "/../examples/libhello.so").string();
  auto libBytes = readTextFile(lib);
  if (!libBytes) {
    err << "clemmys demo: " << lib << " not found (build the `hello` example)\n";
    return 1;
  }
  out << "[1/7] starting the secure platform in " << dir << std::endl;
  SecureOptions so;
  so.dataDir = dir;
  so.binDir = binDir;
  so.extraFunctionsYaml = "  \"/guest/demo-mac\":\n    env: {MAC_KEY: \"$$secret:demo-mac-key$$\"}\n";
  so.extraSecretsYaml = "  - {name: demo-mac-key, kind: random, size: 32}\n";
  auto platform = SecurePlatform::start(so, out);
  if (!platform) {
    err << "clemmys demo: " << platform.error().str() << "\n";
    fs::remove_all(dir);
    return 1;
  }
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    out << (ok ? "      ok: " : "      FAILED: ") << what << std::endl;
    if (!ok) ++failures;
  };
  {
    auto ca = readTextFile((*platform)->caCertPath());
    http::Client gw("127.0.0.1",
                    static_cast<uint16_t>(std::stoi((*platform)->apiHost().substr((*platform)->apiHost().rfind(':') + 1))),
                    http::ClientTls{ca ? *ca : "", "127.0.0.1", true});
    Api api{gw, {{"Authorization", "Basic " + base64Encode((*platform)->clientAuth())},
                 {"Content-Type", "application/json"}}};
    http::Client ctl("127.0.0.1", (*platform)->controllerPort());
    Api controller{ctl, {{"Authorization", "Basic " + base64Encode((*platform)->controllerAuth())},
                         {"Content-Type", "application/json"}}};

    out << "[2/7] deploying through the gateway (HTTPS, session CA): demo-greet (cpp), demo-mac "
           "(python:3, secret MAC_KEY from the policy), demo-format (nodejs:20), demo-pipeline"
        << std::endl;
    auto put = [&](const std::string& name, json::object exec) {
      auto r = api.call("PUT", "/api/v1/namespaces/_/actions/" + name + "?overwrite=true",
                        json::serialize(json::object{{"exec", std::move(exec)}}));
      check(r && r->status == 200, "PUT " + name + (r ? " -> " + std::to_string(r->status) : ""));
    };
    put("demo-greet", {{"kind", "cpp"}, {"code", base64Encode(*libBytes)}, {"binary", true}});
    put("demo-mac", {{"kind", "python:3"}, {"code", kMacCode}});
    put("demo-format", {{"kind", "nodejs:20"}, {"code", kFormatCode}});
    put("demo-pipeline", {{"kind", "sequence"},
                          {"components", json::array{"/guest/demo-greet", "/guest/demo-mac", "/guest/demo-format"}}});

    out << "[3/7] invoking demo-pipeline with {\"name\":\"Ada\"}" << std::endl;
    auto inv = api.call("POST", "/api/v1/namespaces/_/actions/demo-pipeline?blocking=true",
                        R"({"name":"Ada"})");
    std::string activation;
    if (inv && inv->status == 200) {
      auto v = json::parse(inv->body);
      activation = std::string(v.at("activationId").as_string());
      out << "      result: " << json::serialize(v.at("response").at("result")) << std::endl;
      check(v.at("response").at("result").as_object().contains("mac"), "the pipeline ran all three steps");
    } else {
      check(false, "pipeline invoke: " + (inv ? std::to_string(inv->status) + " " + inv->body : inv.error().str()));
    }

    out << "[4/7] what the untrusted controller stores (" << dir << "/controller/clemmys.db):" << std::endl;
    for (auto name : {"demo-mac", "demo-format"}) {
      out << "      " << name << " exec.code = " << excerpt(storedCode(controller, name)) << std::endl;
    }
    std::string stepInvoke;  // demo-greet's output: the INVOKE addressed to demo-mac
    if (!activation.empty()) {
      auto rec = controller.call("GET", "/api/v1/namespaces/guest/activations/" + activation);
      if (rec && rec->status == 200) {
        auto v = json::parse(rec->body);
        out << "      pipeline result = " << excerpt(json::serialize(v.at("response").at("result"))) << std::endl;
        auto& logs = v.at("logs").as_array();
        if (!logs.empty()) {
          auto first = controller.call("GET", "/api/v1/namespaces/guest/activations/" +
                                                  std::string(logs[0].as_string()));
          if (first && first->status == 200) {
            auto fv = json::parse(first->body);
            stepInvoke = json::serialize(fv.at("response").at("result"));
            out << "      step 1 output = " << excerpt(stepInvoke) << std::endl;
          }
        }
      }
    }
    auto db = readTextFile(dir + "/controller/clemmys.db");
    auto wal = readTextFile(dir + "/controller/clemmys.db-wal");
    std::string files = (db ? *db : "") + (wal ? *wal : "");
    check(files.find("MAC_KEY") == std::string::npos && files.find("Hello, Ada") == std::string::npos &&
              files.find("hmac.new") == std::string::npos,
          "the database files hold no code, argument or result plaintext");

    out << "[5/7] attack: the controller replays the INVOKE demo-greet sealed for demo-mac (already run once) to demo-mac again" << std::endl;
    if (!stepInvoke.empty()) {
      auto r = controller.call("POST", "/api/v1/namespaces/guest/actions/demo-mac?blocking=true", stepInvoke);
      std::string e = r ? errorOf(*r) : r.error().str();
      out << "      runtime answered: " << e << std::endl;
      check(e.find("envelope.replayed") != std::string::npos, "replay refused (envelope.replayed)");
    } else {
      check(false, "no INVOKE captured");
    }

    out << "[6/7] attack: the controller swaps demo-mac's sealed code for demo-format's" << std::endl;
    std::string macCode = storedCode(controller, "demo-mac");
    std::string formatCode = storedCode(controller, "demo-format");
    if (rewriteCode(controller, "demo-mac", formatCode)) {
      auto r = api.call("POST", "/api/v1/namespaces/_/actions/demo-mac?blocking=true", R"({"greeting":"x"})");
      std::string e = r ? errorOf(*r) : r.error().str();
      out << "      client sees: " << e << std::endl;
      check(e.find("envelope.wrong_target") != std::string::npos, "swapped code refused (envelope.wrong_target)");
    } else {
      check(false, "could not rewrite the stored code");
    }

    out << "[7/7] attack: the controller flips one byte of demo-mac's stored CODE envelope" << std::endl;
    std::string flipped = macCode;
    size_t at = flipped.size() > 40 ? flipped.size() - 20 : 0;  // inside the ciphertext
    flipped[at] = flipped[at] == 'A' ? 'B' : 'A';
    if (rewriteCode(controller, "demo-mac", flipped)) {
      auto r = api.call("POST", "/api/v1/namespaces/_/actions/demo-mac?blocking=true", R"({"greeting":"x"})");
      std::string e = r ? errorOf(*r) : r.error().str();
      out << "      client sees: " << e << std::endl;
      check(e.find("envelope.auth_failed") != std::string::npos, "tampered code refused (envelope.auth_failed)");
    } else {
      check(false, "could not rewrite the stored code");
    }
  }
  out << "stopping the platform" << std::endl;
  (*platform)->stop();
  fs::remove_all(dir);
  out << (failures ? "demo FAILED (" + std::to_string(failures) + " checks)" : "demo done: all attacks refused")
      << std::endl;
  return failures ? 1 : 0;
}

}  // namespace clemmys::platform
