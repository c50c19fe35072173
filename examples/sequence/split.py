# Step 1: {"text": "a b c"} -> {"words": ["a", "b", "c"]}
def main(args):
    return {"words": str(args.get("text", "")).split()}
