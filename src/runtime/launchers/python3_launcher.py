"""ActionLoop launcher for python:3 actions of clemmys-runtime.

Usage: python3 python3_launcher.py <action dir> <main> [function args...]
       python3 python3_launcher.py --prestart

Loads <action dir>/__main__.py as a module (so `if __name__ == "__main__"` blocks do
not run) and writes one line to fd 3: {"ok": true}, or {"error": "..."} and exits 1.
Then, per line on stdin (one /run body as JSON): exports every key except "value"
as __OW_<KEY> (strings verbatim, null skipped, other values as JSON text), calls
main(value), flushes stdout/stderr, and writes the result as one JSON line to fd 3.
An exception raised by main becomes {"error": "<message>"}.

With --prestart (POST /prestart, before the code exists): writes {"ready": true} to
fd 3, then reads ONE start line on stdin, {"dir", "main", "env", "argv"}, sets each
env entry in os.environ and makes sys.argv [launcher] + argv, exactly what the
command line and environment would have given a fresh launcher, and goes on as above.
"""
import importlib.util
import json
import os
import sys
import traceback


def open_results():
    return os.fdopen(3, "w", encoding="utf-8")


def env_text(value):
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def load(action_dir, entry):
    sys.path.insert(0, action_dir)
    spec = importlib.util.spec_from_file_location(
        "__clemmys_action__", os.path.join(action_dir, "__main__.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["__clemmys_action__"] = module
    spec.loader.exec_module(module)
    fn = getattr(module, entry, None)
    if not callable(fn):
        raise LookupError("the action has no function named '%s'" % entry)
    return fn


def await_start(results, stdin):
    """The start line of a pre-started launcher: returns (dir, main, function args)."""
    results.write(json.dumps({"ready": True}) + "\n")
    results.flush()
    line = stdin.readline()
    if not line:
        return None
    start = json.loads(line.decode("utf-8"))
    for name, value in start.get("env", {}).items():
        os.environ[name] = value
    return start["dir"], start["main"], list(start.get("argv", []))


def main():
    results = open_results()
    # The same buffered reader serves the start line and every /run line after it.
    stdin = sys.stdin.buffer
    if sys.argv[1:] == ["--prestart"]:
        start = await_start(results, stdin)
        if start is None:
            return 0  # the runtime let us go before any /init
        action_dir, entry, function_args = start
    elif len(sys.argv) >= 3:
        action_dir, entry, function_args = sys.argv[1], sys.argv[2], sys.argv[3:]
    else:
        sys.stderr.write("usage: python3_launcher.py <action dir> <main> [function args...]\n"
                         "       python3_launcher.py --prestart\n")
        return 2
    # Arguments after <main> belong to the function (secure mode's configured argv):
    # it sees them as sys.argv[1:], as if it had been started with them.
    sys.argv = [sys.argv[0]] + function_args

    def reply(obj_text):
        sys.stdout.flush()
        sys.stderr.flush()
        results.write(obj_text + "\n")
        results.flush()

    try:
        fn = load(action_dir, entry)
    except BaseException as e:  # syntax errors, import errors, anything at import time
        traceback.print_exc()
        reply(json.dumps({"error": "Initialization failed: %s: %s" % (type(e).__name__, e)}))
        return 1
    reply(json.dumps({"ok": True}))

    base_env = dict(os.environ)
    previous = set()
    while True:
        line = stdin.readline()
        if not line:
            return 0
        try:
            body = json.loads(line.decode("utf-8"))
            current = set()
            for key, value in body.items():
                if key == "value":
                    continue
                text = env_text(value)
                name = "__OW_" + key.upper()
                if text is None or "=" in name or "\0" in name or "\0" in text:
                    continue
                os.environ[name] = text
                current.add(name)
            for name in previous - current:  # no context outlives its activation
                if name in base_env:
                    os.environ[name] = base_env[name]
                else:
                    os.environ.pop(name, None)
            previous = current
            result = fn(body.get("value", {}))
        except Exception as e:
            traceback.print_exc()
            reply(json.dumps({"error": str(e) or type(e).__name__}, ensure_ascii=False))
            continue
        try:
            text = json.dumps(result, ensure_ascii=False)
        except (TypeError, ValueError) as e:
            reply(json.dumps({"error": "The action result is not JSON: %s" % e}))
            continue
        reply(text)


if __name__ == "__main__":
    sys.exit(main())
