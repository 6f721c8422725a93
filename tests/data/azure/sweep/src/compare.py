import os
import sys

grid, rand, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "summary.txt"), "w") as handle:
    for label, folder in (("grid", grid), ("random", rand)):
        with open(os.path.join(folder, "slope.txt")) as model:
            handle.write(f"{label} {model.read().strip()}\n")
