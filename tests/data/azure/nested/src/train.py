import argparse

from common import read_rows, write

parser = argparse.ArgumentParser()
parser.add_argument("--data")
parser.add_argument("--learning_rate", type=float)
parser.add_argument("--epochs", type=int)
parser.add_argument("--model")
args = parser.parse_args()
rows = [(float(x), float(y)) for x, y in read_rows(args.data)]
slope = 0.0
for _ in range(args.epochs):
    for x, y in rows:
        slope += args.learning_rate * (y - slope * x) * x / len(rows)
write(args.model, "model.txt", f"{slope:.6f}\n")
