# Step 3: {"words": [...]} -> {"text": "A-B-C", "count": 3}
def main(args):
    words = args.get("words", [])
    return {"text": "-".join(words), "count": len(words)}
