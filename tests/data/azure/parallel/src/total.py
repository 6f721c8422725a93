import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--scores")
parser.add_argument("--out")
args = parser.parse_args()
with open(args.scores) as handle:
    rows = [line.split() for line in handle if line.strip()]
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "total.json"), "w") as handle:
    json.dump({"scored": len(rows), "sum": sum(int(r[1]) for r in rows)}, handle)
