# python:3 test actions; entry points mirror functions.cc.
import os
import sys
import time


def main(args):
    if "delimiter" in args:
        d = args["delimiter"]
        winter = "%s \u2603 %s" % (d, d)
        print(winter)
        print(winter, file=sys.stderr)
        return {"winter": winter}
    print("hello stdout")
    print("hello stderr", file=sys.stderr)
    return args


def niam(args):
    return {"greeting": "niam"}


def not_dict(args):
    return "a string"


def env(args):
    return {k: v for k, v in os.environ.items()
            if k.startswith("__OW_") or k in ("SOME_VAR", "ANOTHER_VAR")}


def raise_error(args):
    raise ValueError("nope")


def crash(args):
    os._exit(3)


def sleep(args):
    time.sleep(args.get("seconds", 5))
    return {"slept": True}


if __name__ == "__main__":
    raise SystemExit("must not run when loaded as an action")
