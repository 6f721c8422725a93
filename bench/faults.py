"""Fault figures: kill `pipeyard run` at random moments, race it with `dvc repro`, count damage.

    .venv/bin/python bench/faults.py                        # 90 kills (pid and group), 8 races
    .venv/bin/python bench/faults.py --kills 20 --races 4    # a shorter run
    .venv/bin/python bench/faults.py --seed 3 --keep         # another draw; keep the projects

Each trial works on a fresh copy of one six-step project (pipeyard.testing.faults) under
bench/work/faults/. A kill trial SIGKILLs the run (half the trials its pid, half its whole
process group) after a random delay, then counts processes of the run alive 2 s later,
checks dvc.lock against the cache and the outputs, runs again and checks that the second
run finished the work, reran nothing already recorded and left no temporary file. A race
trial starts `dvc repro` and `pipeyard run` (half with --wait) a moment apart. Every figure
but the iteration counts should be 0; the exit code is 1 when one is not.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

from pipeyard.testing.faults import Trial, kill_trial, make_fault_project, race_trial

BENCH = Path(__file__).resolve().parent

FIGURES = (
    ("orphan processes", lambda t: len(t.orphans)),
    ("corrupt locks", lambda t: int(t.corrupt_lock)),
    ("partial outputs recorded", lambda t: len(t.partial)),
    ("entries not matching outputs or cache", lambda t: len(t.mismatched)),
    ("temporary files left after the next run", lambda t: len(t.temps_after_next_run)),
    ("recorded steps run again", lambda t: len(t.rerun)),
    ("files lost (steps not completed by the next run)", lambda t: len(t.lost)),
    ("refusals that were not one clear line", lambda t: len(t.unclear)),
    ("steps of dvc repro and pipeyard run at the same time", lambda t: len(t.overlaps)),
)


def main(argv: list[str] | None = None) -> int:
    """Run the trials and print the figures; 1 when any figure is not 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=90, help="kill trials (default 90)")
    parser.add_argument("--races", type=int, default=8, help="dvc repro races (default 8)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the trial projects")
    args = parser.parse_args(argv)

    work = BENCH / "work" / "faults"
    shutil.rmtree(work, ignore_errors=True)
    template = make_fault_project(work / "template")
    rng = random.Random(args.seed)
    trials: list[Trial] = []
    started = time.monotonic()
    for i in range(args.kills):
        trial = kill_trial(template, work / f"kill-{i}", rng, "group" if i % 2 else "pid")
        _report(i, trial)
        trials.append(trial)
        if not args.keep and trial.ok:
            shutil.rmtree(work / f"kill-{i}", ignore_errors=True)
    for i in range(args.races):
        trial = race_trial(template, work / f"race-{i}", rng)
        _report(i, trial)
        trials.append(trial)
        if not args.keep and trial.ok:
            shutil.rmtree(work / f"race-{i}", ignore_errors=True)

    kills = [t for t in trials if t.kind.startswith("kill")]
    print(f"\nfaults: seed {args.seed}, {time.monotonic() - started:.0f}s")
    print(
        f"  kill iterations                  {len(kills)} "
        f"({sum(t.kind == 'kill pid' for t in kills)} pid, {sum(t.kind == 'kill group' for t in kills)} group; "
        f"{sum(any('ended before' in n for n in t.notes) for t in kills)} runs ended before the kill)"
    )
    print(
        f"  race iterations                  {len(trials) - len(kills)} "
        f"({sum(any('refused' in n for n in t.notes) for t in trials if t.kind == 'race')} with a refusal)"
    )
    bad = 0
    for label, count in FIGURES:
        total = sum(count(t) for t in trials)
        bad += total
        print(f"  {label:<48} {total}")
    if not args.keep and bad == 0:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


def _report(index: int, trial: Trial) -> None:
    state = "ok" if trial.ok else f"PROBLEM {trial}"
    extra = f" ({'; '.join(trial.notes)})" if trial.notes else ""
    print(f"{trial.kind:<10} #{index:<3} {state}{extra}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
