import os
import sys

print("python action loaded")


def main(args):
    print("hello from python", args.get("name"))
    print("python stderr", file=sys.stderr)
    return {"greeting": "hi " + str(args.get("name")), "aid": os.environ.get("__OW_ACTIVATION_ID")}
