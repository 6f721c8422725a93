"""The tools under test: how each one is set up, timed and checked on a benchmark project.

Every tool offers the same four operations on a folder: `make_template(root, shape)` writes a
project that has never run, `first_run`, `noop_run` and `change_last_param` time one command
each (wall clock around the subprocess) after checking that it did what it should: a run
that failed, or that did less than it should, is reported as an error, never as a time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import yaml

from pipeyard.testing.projects import cli_environment
from shapes import (
    Shape,
    read_snakemake_config,
    write_azure_pipeline,
    write_makefile,
    write_snakefile,
    write_snakemake_config,
)

BENCH = Path(__file__).resolve().parent
SNAKEMAKE_VENV = BENCH / ".venv-snakemake"
SNAKEMAKE_SPEC = "snakemake>=9,<10"
PROJECT_BIN = Path(sys.executable).parent
BENCH_IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


class BenchFailure(Exception):
    """A tool did not do what the benchmark asked; its time would mean nothing."""


@dataclass(frozen=True)
class Timing:
    """One timed command: wall-clock seconds and what it printed."""

    seconds: float
    stdout: str
    stderr: str
    extra: dict = field(default_factory=dict)


def tool_env() -> dict:
    """The environment for every command: the project venv first, no DVC analytics, a commit
    identity where git has none."""
    env = cli_environment({key: os.environ.get(key) or value for key, value in BENCH_IDENTITY.items()})
    # a user's Python writes bytecode; without it every start recompiles pipeyard's modules
    # (an editable install has none from its install, unlike the peers' pip-installed code)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(command: list[str], cwd: Path, timeout: float = 7200) -> Timing:
    """Run command in cwd and time it; raise BenchFailure when it exits non-zero."""
    start = time.perf_counter()
    result = subprocess.run(
        command,
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=tool_env(),
        timeout=timeout,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise BenchFailure(
            f"`{' '.join(command)}` exited {result.returncode} in {cwd}:\n"
            f"{_tail(result.stdout)}\n{_tail(result.stderr)}"
        )
    return Timing(seconds, result.stdout, result.stderr)


def untimed(command: list[str], cwd: Path) -> str:
    """Run a set-up command; raise BenchFailure when it fails."""
    return timed(command, cwd, timeout=600).stdout


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _check(condition: bool, what: str, timing: Timing) -> None:
    if not condition:
        raise BenchFailure(f"{what}\n{_tail(timing.stdout)}\n{_tail(timing.stderr)}")


class Pipeyard:
    """`pipeyard run` on a git repository made with `pipeyard init`."""

    name = "pipeyard"
    command: ClassVar[list[str]] = [sys.executable, "-m", "pipeyard"]

    def __init__(self, cpus: float | None = None) -> None:
        self.capacity = ["--cpus", f"{cpus:g}"] if cpus else []

    def make_template(self, root: Path, shape: Shape) -> None:
        """git init, pipeyard init, the pipeline, one commit."""
        root.mkdir(parents=True)
        untimed(["git", "init", "-q", "-b", "main"], root)
        untimed([*self.command, "init"], root)
        write_azure_pipeline(root, shape)
        untimed(["git", "add", "-A"], root)
        untimed(["git", "commit", "-q", "-m", "benchmark pipeline"], root)

    def _run(self, root: Path, *args: str) -> tuple[Timing, dict[str, str]]:
        timing = timed([*self.command, "run", "--json", *self.capacity, *args], root)
        try:
            result = json.loads(timing.stdout)
        except ValueError as error:
            raise BenchFailure(
                f"pipeyard run --json printed no JSON: {error}\n{_tail(timing.stdout)}"
            ) from None
        _check(result.get("status") == "succeeded", f"pipeyard run: {result.get('status')}", timing)
        statuses = {name: step["status"] for name, step in result["steps"].items()}
        timing.extra["pipeyard_duration_s"] = result.get("duration_s")
        timing.extra["statuses"] = sorted(set(statuses.values()))
        return timing, statuses

    def first_run(self, root: Path, shape: Shape) -> Timing:
        """Every step runs."""
        timing, statuses = self._run(root)
        ran = [name for name, status in statuses.items() if status == "ran"]
        _check(len(ran) == shape.steps, f"first run ran {len(ran)} of {shape.steps} steps", timing)
        return timing

    def noop_run(self, root: Path, shape: Shape) -> Timing:
        """Nothing runs."""
        timing, statuses = self._run(root)
        ran = [name for name, status in statuses.items() if status == "ran"]
        _check(not ran and len(statuses) == shape.steps, f"no-op run ran {ran[:5]}", timing)
        return timing

    def change_last_param(self, root: Path, shape: Shape, value: int) -> Timing:
        """Only the last step runs again, with `i` overridden on the command line."""
        last = shape.names()[-1]
        timing, statuses = self._run(root, f"{last}.i={value}")
        ran = [name for name, status in statuses.items() if status == "ran"]
        _check(ran == [last], f"parameter change ran {ran[:5]}, expected [{last}]", timing)
        return timing


class DvcRepro:
    """`dvc repro` on a fresh copy of the project after `pipeyard compile`."""

    name = "dvc"

    def make_template(self, root: Path, shape: Shape) -> None:
        """The pipeyard project, compiled to dvc.yaml and params.yaml, never run."""
        Pipeyard().make_template(root, shape)
        untimed([*Pipeyard.command, "compile"], root)
        _check((root / "dvc.yaml").is_file(), "pipeyard compile wrote no dvc.yaml", Timing(0, "", ""))

    def _repro(self, root: Path) -> tuple[Timing, int]:
        timing = timed([str(PROJECT_BIN / "dvc"), "repro"], root)
        return timing, len(re.findall(r"^Running stage", timing.stdout, re.MULTILINE))

    def first_run(self, root: Path, shape: Shape) -> Timing:
        """Every stage runs."""
        timing, ran = self._repro(root)
        _check(ran == shape.steps, f"dvc repro ran {ran} of {shape.steps} stages", timing)
        return timing

    def noop_run(self, root: Path, shape: Shape) -> Timing:
        """No stage runs."""
        timing, ran = self._repro(root)
        _check(ran == 0, f"dvc repro no-op ran {ran} stages", timing)
        return timing

    def change_last_param(self, root: Path, shape: Shape, value: int) -> Timing:
        """`pipeyard compile s{n-1}.i=VALUE` (untimed: the edit), then dvc repro runs one stage.

        pipeyard writes parameter values into each stage's command as well as params.yaml, so
        recompiling is how this project's dvc.yaml and params.yaml change together.
        """
        last = shape.names()[-1]
        untimed([*Pipeyard.command, "compile", f"{last}.i={value}"], root)
        timing, ran = self._repro(root)
        _check(ran == 1, f"dvc repro after a parameter change ran {ran} stages, expected 1", timing)
        out = _outs(root)[last][0]
        text = (root / out).read_text()
        _check(text.startswith(f"{value} "), f"dvc repro left {out} = {text[:40]!r}", timing)
        return timing

    @staticmethod
    def adopt_results(source: Path, root: Path) -> None:
        """Give root the results of a pipeyard run in source: dvc.lock, outputs, DVC cache.

        The formats are DVC's own, so `dvc repro` in root then has nothing to do.
        """
        shutil.copy2(source / "dvc.lock", root / "dvc.lock")
        for outs in _outs(root).values():
            for path in outs:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                copy = shutil.copytree if (source / path).is_dir() else shutil.copy2
                copy(source / path, root / path)
        shutil.copytree(source / ".dvc" / "cache", root / ".dvc" / "cache", dirs_exist_ok=True)


def _outs(root: Path) -> dict[str, list[str]]:
    """{stage: [output path, ...]} from root's dvc.yaml."""
    stages = yaml.safe_load((root / "dvc.yaml").read_text())["stages"]
    return {
        name: [next(iter(out)) if isinstance(out, dict) else out for out in stage.get("outs", [])]
        for name, stage in stages.items()
    }


class Snakemake:
    """Snakemake 9 (its own venv) on an equivalent Snakefile."""

    name = "snakemake"

    def __init__(self, cores: int | None = None) -> None:
        self.parallel = ["--cores", str(cores)] if cores else ["-j2"]

    def make_template(self, root: Path, shape: Shape) -> None:
        """Snakefile and config.yaml."""
        write_snakefile(root, shape)

    def _run(self, root: Path) -> Timing:
        return timed([str(snakemake_binary()), *self.parallel], root)

    def first_run(self, root: Path, shape: Shape) -> Timing:
        """Every rule instance runs."""
        timing = self._run(root)
        missing = [n for n in shape.names() if not (root / "out" / n).is_file()]
        _check(not missing, f"snakemake left {len(missing)} outputs missing", timing)
        return timing

    def noop_run(self, root: Path, shape: Shape) -> Timing:
        """Nothing to be done."""
        timing = self._run(root)
        _check(
            "Nothing to be done" in timing.stdout + timing.stderr,
            "snakemake no-op did work",
            timing,
        )
        return timing

    def change_last_param(self, root: Path, shape: Shape, value: int) -> Timing:
        """config.yaml edited for the last step; Snakemake's params trigger reruns it."""
        last = shape.names()[-1]
        config = read_snakemake_config(root)
        config["i"][last] = value
        write_snakemake_config(root, config)
        timing = self._run(root)
        text = (root / "out" / last).read_text()
        _check(text.startswith(f"{value} "), f"snakemake left out/{last} = {text!r}", timing)
        return timing


class Make:
    """GNU make -j2 on one explicit target per step: the floor."""

    name = "make"

    def make_template(self, root: Path, shape: Shape) -> None:
        """The Makefile."""
        write_makefile(root, shape)

    def first_run(self, root: Path, shape: Shape) -> Timing:
        """Every target is made."""
        timing = timed(["make", "-j2"], root)
        missing = [n for n in shape.names() if not (root / "out" / n).is_file()]
        _check(not missing, f"make left {len(missing)} outputs missing", timing)
        return timing

    def noop_run(self, root: Path, shape: Shape) -> Timing:
        """Nothing to be done."""
        timing = timed(["make", "-j2"], root)
        _check("Nothing to be done" in timing.stdout, "make no-op did work", timing)
        return timing


def snakemake_binary() -> Path:
    """bench/.venv-snakemake/bin/snakemake, created (venv + pip) the first time it is needed."""
    binary = SNAKEMAKE_VENV / "bin" / "snakemake"
    if not binary.exists():
        print(f"creating {SNAKEMAKE_VENV} with {SNAKEMAKE_SPEC} ...", file=sys.stderr)
        subprocess.run(["python3", "-m", "venv", str(SNAKEMAKE_VENV)], check=True)
        pip = SNAKEMAKE_VENV / "bin" / "pip"
        subprocess.run([str(pip), "install", "--quiet", SNAKEMAKE_SPEC], check=True)
    return binary
