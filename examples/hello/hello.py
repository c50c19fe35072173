# python:3 action: {"name": "Ada"} -> {"greeting": "Hello, Ada!"}
def main(args):
    name = args.get("name", "World")
    return {"greeting": "Hello, " + str(name) + "!"}
