import argparse
import os
import shutil

parser = argparse.ArgumentParser()
parser.add_argument("--model")
parser.add_argument("--release")
args = parser.parse_args()
os.makedirs(args.release, exist_ok=True)
shutil.copy(os.path.join(args.model, "model.txt"), os.path.join(args.release, "model.txt"))
