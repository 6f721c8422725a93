"""Fault injection on a real project: kill `pipeyard run` anywhere, race it with `dvc repro`.

    template = make_fault_project(folder)          # git + DVC + a six-step pipeline, committed
    trial = kill_trial(template, work, rng, "pid")  # copy it, start a run, SIGKILL it, check
    trial = race_trial(template, work, rng)         # `dvc repro` and `pipeyard run` at once

Every step starts a background `sleep`, a `sleep` in a session of its own (an escapee) and a
shell that writes the step's output folder slowly, one file at a time, ending with `complete`.
Every process of a trial carries MARK=<token> in its environment, so the ones that outlive
their run are found by scanning processes. The checks read dvc.lock, the DVC cache and the
outputs directly (not through pipeyard): an entry is sound when its `.dir` object's md5 is
its hash, every file it lists is in the cache with that content, the listing is the complete
output, and the workspace holds exactly those files.

Used by tests/e2e/test_faults.py (a few trials) and bench/faults.py (the full count).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import yaml

from .projects import cli_argv, cli_environment, commit_all, init_project, run_cli

MARK = "PIPEYARD_FAULT_MARK"
FILES = 4  # part files per output, then `complete`
STEPS = ("prepare", "left", "right", "middle", "join", "tail")
KILL_DEADLINE_S = 2.0
_TEMP = re.compile(r"(\.[0-9a-f]{32}\.tmp|^\.record-.*\.tmp)$")

COMPONENT = """
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: slow_writer
version: "1"
inputs:
  source:
    type: uri_folder
    optional: true
  message:
    type: string
    default: hello
outputs:
  out:
    type: uri_folder
code: ./src
command: >-
  python slow.py --message ${{inputs.message}} --out ${{outputs.out}} $[[--source ${{inputs.source}}]]
"""

STEP_SCRIPT = """
import argparse, os, subprocess, sys, time
start = time.time()
parser = argparse.ArgumentParser()
parser.add_argument("--message")
parser.add_argument("--out")
parser.add_argument("--source")
args = parser.parse_args()
text = args.message
if args.source:
    with open(os.path.join(args.source, "part-0.txt")) as handle:
        text = handle.read().strip() + "|" + text
os.makedirs(args.out, exist_ok=True)
quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "stdin": subprocess.DEVNULL}
subprocess.Popen(["sleep", "30"], **quiet)
subprocess.Popen(["sleep", "30"], start_new_session=True, **quiet)
writer = (
    'for i in $(seq 0 $(($3 - 1))); do echo "$2" > "$1/part-$i.txt"; sleep "$4"; done; '
    'echo complete > "$1/complete"'
)
pause = os.environ.get("FAULT_PAUSE_S", "0.08")
done = subprocess.Popen(["sh", "-c", writer, "writer", args.out, text, "FILES", pause], **quiet)
code = done.wait()
if os.environ.get("FAULT_LOG"):  # who ran this step, and when: pipeyard sets PIPEYARD_RUN_ID
    with open(os.environ["FAULT_LOG"], "a") as log:
        who = "pipeyard" if os.environ.get("PIPEYARD_RUN_ID") else "dvc"
        log.write(f"{who} {args.message} {start!r} {time.time()!r}\\n")
sys.exit(code)
""".replace("FILES", str(FILES))

PIPELINE = """
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
display_name: faults
settings:
  default_compute: local
jobs:
  prepare:
    type: command
    component: ./components/slow.yml
    inputs:
      message: prep
  left:
    type: command
    component: ./components/slow.yml
    inputs:
      source: ${{parent.jobs.prepare.outputs.out}}
      message: left
  right:
    type: command
    component: ./components/slow.yml
    inputs:
      source: ${{parent.jobs.prepare.outputs.out}}
      message: right
  middle:
    type: command
    component: ./components/slow.yml
    inputs:
      source: ${{parent.jobs.prepare.outputs.out}}
      message: middle
  join:
    type: command
    component: ./components/slow.yml
    inputs:
      source: ${{parent.jobs.left.outputs.out}}
      message: join
  tail:
    type: command
    component: ./components/slow.yml
    inputs:
      source: ${{parent.jobs.join.outputs.out}}
      message: tail
"""


def environment(token: str | None = None) -> dict[str, str]:
    """The environment of a trial's commands: cli_environment() with MARK set to token."""
    return cli_environment({MARK: token} if token is not None else None)


def command(
    root: Path, *args: str, token: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run args (`pipeyard ...`, `dvc ...`) in root and wait."""
    return run_cli(root, *args, env=environment(token), timeout=timeout)


def make_fault_project(root: Path) -> Path:
    """A committed git + DVC project whose six steps write their outputs slowly."""
    (root / "components" / "src").mkdir(parents=True, exist_ok=True)
    (root / "components" / "slow.yml").write_text(textwrap.dedent(COMPONENT).lstrip())
    (root / "components" / "src" / "slow.py").write_text(textwrap.dedent(STEP_SCRIPT).lstrip())
    (root / "pipeline.yml").write_text(textwrap.dedent(PIPELINE).lstrip())
    init_project(root)
    done = command(root, "pipeyard", "compile")
    if done.returncode != 0:
        raise RuntimeError(f"pipeyard compile failed: {done.stderr}")
    commit_all(root, "faults")
    return root


def copy_project(template: Path, target: Path) -> Path:
    """A fresh copy of the template (its own cache: a first run really runs)."""
    shutil.copytree(template, target, symlinks=True)
    return target


# -- processes -------------------------------------------------------------------------------


def marked(token: str) -> list[psutil.Process]:
    """The live processes whose environment carries MARK=token."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and process.environ().get(MARK) == token:
                found.append(process)
        except psutil.Error:
            continue
    return found


def survivors(token: str, deadline_s: float = KILL_DEADLINE_S) -> list[psutil.Process]:
    """The marked processes still alive deadline_s from now (polling, so often none)."""
    end = time.monotonic() + deadline_s
    while True:
        alive = marked(token)
        if not alive or time.monotonic() >= end:
            return alive
        time.sleep(0.05)


def kill_marked(token: str) -> None:
    """SIGKILL every marked process (a test's clean-up, never its check)."""
    for process in marked(token):
        try:
            process.kill()
        except psutil.Error:
            pass


# -- what is on disk -------------------------------------------------------------------------


@dataclass
class Findings:
    """What the checks found in one repository."""

    lock_corrupt: bool = False
    sound: set[str] = field(default_factory=set)  # stages whose entry matches cache and outputs
    partial: list[str] = field(default_factory=list)  # entries recording an incomplete output
    mismatched: list[str] = field(default_factory=list)  # entries the workspace or cache contradicts
    temps: list[str] = field(default_factory=list)  # temporary files left in the repository


def inspect(root: Path) -> Findings:
    """Check dvc.lock against the cache and the outputs, and look for temporary files."""
    found = Findings()
    found.temps = sorted(
        str(Path(folder, name).relative_to(root))
        for folder, dirs, files in os.walk(root)
        for name in files + dirs
        if ".git" not in Path(folder).relative_to(root).parts[:1] and _TEMP.search(name)
    )
    try:
        document = yaml.safe_load((root / "dvc.lock").read_text()) if (root / "dvc.lock").exists() else {}
        stages = (document or {}).get("stages", {}) or {}
        if not isinstance(stages, dict):
            raise ValueError("stages is not a mapping")
    except (yaml.YAMLError, ValueError, AttributeError):
        found.lock_corrupt = True
        return found
    for name, entry in stages.items():
        verdict = _verdict(root, entry)
        if verdict == "sound":
            found.sound.add(name)
        elif verdict == "partial":
            found.partial.append(name)
        else:
            found.mismatched.append(f"{name}: {verdict}")
    return found


def _verdict(root: Path, entry: dict) -> str:
    cache = root / ".dvc" / "cache" / "files" / "md5"
    for out in entry.get("outs", []):
        md5 = out.get("md5", "")
        listing_file = cache / md5[:2] / md5[2:]
        try:
            listing_bytes = listing_file.read_bytes()
        except OSError:
            return f"{out['path']}: the cache has no {md5}"
        if hashlib.md5(listing_bytes).hexdigest() + ".dir" != md5:
            return f"{out['path']}: the cache's {md5} has other content"
        listing = {item["relpath"]: item["md5"] for item in json.loads(listing_bytes)}
        if set(listing) != {f"part-{i}.txt" for i in range(FILES)} | {"complete"}:
            return "partial"
        folder = root / out["path"]
        present = (
            {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
            if folder.is_dir()
            else set()
        )
        if present != set(listing):
            return f"{out['path']}: the workspace holds {sorted(present)}"
        for relpath, file_md5 in listing.items():
            try:
                cached = (cache / file_md5[:2] / file_md5[2:]).read_bytes()
            except OSError:
                return f"{out['path']}/{relpath}: not in the cache"
            if hashlib.md5(cached).hexdigest() != file_md5:
                return f"{out['path']}/{relpath}: the cache holds other content"
            if hashlib.md5((folder / relpath).read_bytes()).hexdigest() != file_md5:
                return f"{out['path']}/{relpath}: the workspace file differs from dvc.lock"
    return "sound"


# -- trials ----------------------------------------------------------------------------------


@dataclass
class Trial:
    """The figures of one trial; every list should be empty."""

    kind: str
    orphans: list[str] = field(default_factory=list)
    corrupt_lock: bool = False
    partial: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    temps_after_next_run: list[str] = field(default_factory=list)
    rerun: list[str] = field(default_factory=list)  # recorded before, run again by the next run
    lost: list[str] = field(default_factory=list)  # steps without a sound entry after the next run
    unclear: list[str] = field(default_factory=list)  # a refusal that was not one clear line
    overlaps: list[str] = field(default_factory=list)  # steps of dvc and pipeyard at the same time
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing went wrong."""
        return not (
            self.orphans
            or self.corrupt_lock
            or self.partial
            or self.mismatched
            or self.temps_after_next_run
            or self.rerun
            or self.lost
            or self.unclear
            or self.overlaps
        )


def kill_trial(
    template: Path, work: Path, rng: random.Random, target: str = "pid", max_delay_s: float = 2.5
) -> Trial:
    """Start `pipeyard run`, SIGKILL it (target 'pid' or 'group') after a random delay, check,
    run again and check that the second run completed what the first left."""
    root = copy_project(template, work)
    token = f"kill-{os.getpid()}-{rng.randrange(1 << 30)}"
    trial = Trial(f"kill {target}")
    process = subprocess.Popen(
        cli_argv("pipeyard", "run"),
        cwd=root,
        env=environment(token),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    delay = rng.uniform(0.0, max_delay_s)
    try:
        process.wait(timeout=delay)
        trial.notes.append(f"the run ended before the kill at {delay:.2f}s")
    except subprocess.TimeoutExpired:
        if target == "group":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
    try:
        trial.orphans = [_describe(p) for p in survivors(token)]
    finally:
        kill_marked(token)
    found = inspect(root)
    trial.corrupt_lock, trial.partial, trial.mismatched = found.lock_corrupt, found.partial, found.mismatched
    again = command(root, "pipeyard", "run", "--json", token=token + "-next", timeout=300)
    kill_marked(token + "-next")
    after = inspect(root)
    trial.temps_after_next_run = after.temps
    if again.returncode != 0:
        trial.lost.append(f"the next run failed ({again.returncode}): {again.stderr.strip()[-300:]}")
        return trial
    statuses = {name: step["status"] for name, step in json.loads(again.stdout)["steps"].items()}
    trial.rerun = sorted(n for n in found.sound if statuses.get(n) == "ran")
    trial.lost = sorted(set(STEPS) - after.sound)
    trial.mismatched += after.mismatched
    trial.partial += after.partial
    return trial


def race_trial(template: Path, work: Path, rng: random.Random) -> Trial:
    """Start `dvc repro` and `pipeyard run` together (in a random order, a moment apart, on
    quick or slow steps); the loser must wait or refuse with one clear line, no step of one
    may run while the other's does, and nothing partial be recorded."""
    root = copy_project(template, work)
    token = f"race-{os.getpid()}-{rng.randrange(1 << 30)}"
    trial = Trial("race")
    wait = rng.random() < 0.5
    pause = rng.choice(("0.08", "0.3"))  # a slow pipeline outlasts the other's few seconds of retries
    commands = [cli_argv("dvc", "repro"), cli_argv("pipeyard", "run", *(["--wait"] if wait else []))]
    labels = ["dvc repro", "pipeyard run" + (" --wait" if wait else "")]
    order = [1, 0] if rng.random() < 0.5 else [0, 1]
    started = []
    begin = time.monotonic()
    steps_log = work.with_name(work.name + ".steps")
    env = environment(token) | {"FAULT_LOG": str(steps_log), "FAULT_PAUSE_S": pause}
    for index in order:
        started.append(
            (
                labels[index],
                subprocess.Popen(
                    commands[index],
                    cwd=root,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
        time.sleep(rng.uniform(0.0, 0.8))
    for label, process in started:
        try:
            _, stderr = process.communicate(timeout=300)
        finally:
            if process.poll() is None:
                process.kill()
        trial.notes.append(f"{label}: exit {process.returncode} at {time.monotonic() - begin:.1f}s")
        if process.returncode == 0:
            continue
        tool = label.split()[0]
        line = _refusal(tool, stderr)
        if line is None:
            trial.unclear.append(f"{label} exited {process.returncode}: {stderr.strip()[-400:]}")
        else:
            trial.notes.append(f"{tool} refused: {line}")
    kill_marked(token)
    trial.overlaps = overlapping_steps(steps_log)
    found = inspect(root)
    trial.corrupt_lock, trial.partial, trial.mismatched = found.lock_corrupt, found.partial, found.mismatched
    trial.temps_after_next_run = found.temps
    return trial


def overlapping_steps(steps_log: Path) -> list[str]:
    """Pairs of steps, one run by dvc and one by pipeyard, whose run times overlap."""
    try:
        lines = steps_log.read_text().splitlines()
    except FileNotFoundError:
        return []
    runs = [
        (who, step, float(start), float(end)) for who, step, start, end in (line.split() for line in lines)
    ]
    return [
        f"dvc {a[1]} [{a[2]:.2f}, {a[3]:.2f}] and pipeyard {b[1]} [{b[2]:.2f}, {b[3]:.2f}]"
        for a in runs
        if a[0] == "dvc"
        for b in runs
        if b[0] == "pipeyard" and a[2] < b[3] and b[2] < a[3]
    ]


def _refusal(tool: str, stderr: str) -> str | None:
    """The line in which the loser says the other one holds the repository, if it did so clearly."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if any("Traceback" in line for line in lines):
        return None
    errors = [line for line in lines if line.startswith(("error:", "ERROR:"))]
    if len(errors) != 1:
        return None
    wanted = "error: a DVC command (pid " if tool == "pipeyard" else "ERROR: Unable to acquire lock"
    return errors[0] if errors[0].startswith(wanted) else None


def _describe(process: psutil.Process) -> str:
    try:
        return f"{process.pid} {' '.join(process.cmdline())[:80]}"
    except psutil.Error:
        return str(process.pid)
