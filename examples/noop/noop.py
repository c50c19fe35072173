# python:3 no-op action (benchmark baseline): returns {}.
def main(args):
    return {}
