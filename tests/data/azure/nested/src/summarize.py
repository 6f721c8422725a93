import argparse
import json
import os

from common import write

parser = argparse.ArgumentParser()
parser.add_argument("--scores")
parser.add_argument("--threshold", type=float)
parser.add_argument("--report")
args = parser.parse_args()
with open(os.path.join(args.scores, "errors.txt")) as handle:
    errors = [float(line) for line in handle if line.strip()]
mean = sum(errors) / len(errors)
write(args.report, "report.json", json.dumps({"mean_error": mean, "passed": mean < args.threshold}))
