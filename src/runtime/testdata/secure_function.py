# python:3 action for the secure-mode tests: reports what the runtime gave it
# (params, activation id, configured env/argv/files) and writes one log line per stream.
import os
import sys


def main(args):
    print("secure log out " + str(args.get("tag", "")))
    print("secure log err " + str(args.get("tag", "")), file=sys.stderr)
    if args.get("fail"):
        return {"error": "asked to fail"}
    files_dir = os.environ.get("CLEMMYS_FILES_DIR", "")
    content = None
    if files_dir and os.path.exists(files_dir + "/etc/app.conf"):
        with open(files_dir + "/etc/app.conf") as f:
            content = f.read()
    return {
        "args": args,
        "activation": os.environ.get("__OW_ACTIVATION_ID"),
        "secret_env": os.environ.get("SECRET_ENV"),
        "injected": os.environ.get("INJECTED"),
        "argv": sys.argv[1:],
        "file": content,
        "pid": os.getpid(),
    }
