#!/usr/bin/env python3
"""A test double of clemmys-runtime for the invoker's unit tests: the OpenWhisk
action-proxy protocol (/init, /run, sentinels) on an inherited listening socket
(--listen-fd N), running Python action code in-process. Not a product runtime."""
import json
import os
import socket
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"
state = {"main": None}


def sentinels():
    sys.stdout.write(SENTINEL + "\n")
    sys.stdout.flush()
    sys.stderr.write(SENTINEL + "\n")
    sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n) or b"{}")
        if self.path == "/init":
            self.init(body.get("value", {}))
        elif self.path == "/run":
            self.run(body)
        elif self.path == "/prestart" and os.environ.get("FAKE_RUNTIME_PRESTART"):
            # Records the hint where the action can see it; without the variable this
            # double answers 404, as an OpenWhisk runtime would.
            os.environ["FAKE_RUNTIME_PRESTARTED"] = str(body.get("kind"))
            self.reply(200, {"ok": True})
        else:
            self.reply(404, {"error": "not found"})

    def init(self, value):
        if state["main"] is not None:
            return self.reply(403, {"error": "Cannot initialize the action more than once."})
        code = value.get("code", "")
        if not code:
            return self.reply(403, {"error": "Missing main/no code to execute."})
        for k, v in value.get("env", {}).items():
            os.environ[k] = str(v)
        scope = {}
        try:
            exec(compile(code, "action", "exec"), scope)
            state["main"] = scope[value.get("main") or "main"]
        except Exception as e:  # init failure: error answer + sentinels
            print("init failed: %s" % e, file=sys.stderr, flush=True)
            sentinels()
            return self.reply(502, {"error": "init failed: %s" % e})
        self.reply(200, {"ok": True})

    def run(self, body):
        for k, v in body.items():
            if k != "value" and isinstance(v, str):
                os.environ["__OW_" + k.upper()] = v
        try:
            result = state["main"](body.get("value", {}))
            raw = result if isinstance(result, bytes) else json.dumps(result).encode()
            status = 200
        except Exception:
            traceback.print_exc()
            raw, status = json.dumps({"error": "An error has occurred"}).encode(), 502
        sys.stdout.flush()
        sentinels()
        self.reply(status, raw)


def main():
    fd = int(sys.argv[sys.argv.index("--listen-fd") + 1])
    sock = socket.socket(fileno=fd)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
