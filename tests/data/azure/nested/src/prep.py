import argparse

from common import read_rows, write

parser = argparse.ArgumentParser()
parser.add_argument("--raw")
parser.add_argument("--clean")
args = parser.parse_args()
rows = read_rows(args.raw)
write(args.clean, "clean.csv", "x,y\n" + "".join(f"{x},{y}\n" for x, y in rows))
