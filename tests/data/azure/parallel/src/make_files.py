import argparse
import os

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int)
parser.add_argument("--out")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
for i in range(args.count):
    with open(os.path.join(args.out, f"item_{i:02d}.txt"), "w") as handle:
        handle.write(f"{i}\n")
