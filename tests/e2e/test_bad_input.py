"""The bad-input corpus: every case is a file under tests/data/bad_input/ (see its README.md).

Each case changes a copy of one real project (git + DVC), runs one pipeyard command in this
process, and asserts what a user must see: exit code 2, no traceback, one error line that
says what and where, and a hint line with the next step. The Azure ML YAML definitions of
tests/data/definitions/bad/ go through `pipeyard validate` the same way. A handful run as real
subprocesses: the console script, and Ctrl-C while `pipeyard run` is still starting.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from projects import _env, diamond_project
from run_events import newest_run_id, wait_for_event

from pipeyard.cli.main import main

DATA = Path(__file__).parents[1] / "data"
CASES = sorted((DATA / "bad_input").glob("*.yml"))
DEFINITIONS = sorted((DATA / "definitions" / "bad").glob("*.yml"))
# The CLI resolves registered components through the project's registries (it has none).
CLI_MESSAGES = {"azureml_component": "names a registered component, but this project has no registries"}


@dataclass(frozen=True)
class Outcome:
    """What one command printed and returned."""

    code: int
    stdout: str
    stderr: str
    lines: list[str] = field(default_factory=list)  # stderr without notes and progress


def run_in_process(root: Path, args: list[str], monkeypatch) -> Outcome:
    """`pipeyard ARGS` in root, in this process: main() with click's runner capturing output."""
    monkeypatch.chdir(root)
    monkeypatch.delenv("PIPEYARD_TRACEBACK", raising=False)
    runner = CliRunner()
    with runner.isolation() as (stdout, stderr, _):
        code = main(list(args))
    out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    return Outcome(code, out, err, _error_lines(err))


def _error_lines(stderr: str) -> list[str]:
    """The lines from the first 'error:' on: notes and progress come before it."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("error:")), len(lines))
    return [line for line in lines[start:] if line.strip()]


def assert_one_clear_line(outcome: Outcome, error: str, hint: str, exit_code: int = 2) -> None:
    """Exit code, no traceback, 'error: ...' on one line holding error, then '  hint: ...'."""
    shown = f"exit {outcome.code}\n--- stderr\n{outcome.stderr}\n--- stdout\n{outcome.stdout}"
    assert outcome.code == exit_code, shown
    assert "Traceback" not in outcome.stderr + outcome.stdout, shown
    assert len(outcome.lines) == 2, shown
    first, second = outcome.lines
    assert first.startswith("error: "), shown
    assert _matches(error, first), f"expected {error!r} in the error line\n{shown}"
    assert second.startswith("  hint: "), shown
    assert _matches(hint, second), f"expected {hint!r} in the hint\n{shown}"


def _matches(expected: str, line: str) -> bool:
    if expected.startswith("re:"):
        return re.search(expected[3:].strip(), line) is not None
    return expected in line


# --- the corpus of cases ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def diamond_template(tmp_path_factory) -> Path:
    """One real project (git + DVC, committed), copied for each case."""
    return diamond_project(tmp_path_factory.mktemp("template") / "project").root


def _load_case(path: Path) -> dict:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(case) - {"command", "base", "files", "latin1", "remove", "error", "hint", "exit"}
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    return case


def _prepare(case: dict, template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    base = case.get("base", "diamond")
    if base == "diamond":
        shutil.copytree(template, root, symlinks=True)
    elif base == "folder":  # a plain folder: no git, no DVC
        root.mkdir()
    else:
        raise AssertionError(f"unknown base {base!r}")
    for name in case.get("remove", []):
        target = root / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    for name, text in (case.get("files") or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    for name, text in (case.get("latin1") or {}).items():  # bytes that are not UTF-8
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode("latin-1"))
    return root


def test_the_corpus_is_large_enough():
    assert len(CASES) + len(DEFINITIONS) >= 60


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_input_gets_one_clear_line(path: Path, diamond_template, tmp_path, monkeypatch):
    case = _load_case(path)
    root = _prepare(case, diamond_template, tmp_path)
    outcome = run_in_process(root, [str(a) for a in case["command"]], monkeypatch)
    assert_one_clear_line(outcome, case["error"], case["hint"], case.get("exit", 2))


def _header(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text().splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        fields[key] = value
    return fields


@pytest.mark.parametrize("path", DEFINITIONS, ids=[p.stem for p in DEFINITIONS])
def test_bad_definition_gets_one_clear_line(path: Path, tmp_path, monkeypatch):
    root = tmp_path / "definitions"
    shutil.copytree(DATA / "definitions", root)
    expected = _header(path)
    where = f"{expected.get('file', f'bad/{path.name}')}:{expected['line']}"
    outcome = run_in_process(root, ["validate", "--no-capacity", "-p", f"bad/{path.name}"], monkeypatch)
    assert_one_clear_line(outcome, f"error: {where}", "")
    assert CLI_MESSAGES.get(path.stem, expected["message"]) in outcome.lines[0]


# --- cases that need more than files ------------------------------------------------------------


def test_a_cache_that_cannot_be_written_is_one_line(diamond_template, tmp_path, monkeypatch):
    """The cache refuses a new object (as a read-only .dvc/cache does for a user who is not root)."""
    root = _prepare({}, diamond_template, tmp_path)
    cache = root / ".dvc" / "cache"
    real_mkdir = Path.mkdir

    def refuse_in_cache(self, *args, **kwargs):
        if self.is_relative_to(cache) and not self.exists():
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse_in_cache)
    outcome = run_in_process(root, ["run", "left.message=new"], monkeypatch)
    assert_one_clear_line(
        outcome,
        "re:pipeline.yml, step '(prepare|left)': the command succeeded, but cannot save .* to the DVC "
        "cache: .*is not writable \\(permission denied\\); make it writable with `chmod -R u\\+w",
        "resume with `pipeyard run left.message=new`",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_is_one_line_for_real(diamond_template, tmp_path, monkeypatch):
    root = _prepare({}, diamond_template, tmp_path)
    (root / ".dvc" / "cache").mkdir(parents=True, exist_ok=True)
    subprocess.run(["chmod", "-R", "a-w", str(root / ".dvc" / "cache")], check=True)
    try:
        outcome = run_in_process(root, ["run"], monkeypatch)
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(root / ".dvc" / "cache")], check=True)
    assert_one_clear_line(outcome, "is not writable", "resume with `pipeyard run`")


def test_a_project_folder_that_cannot_be_written_is_one_line(diamond_template, tmp_path, monkeypatch):
    root = _prepare({}, diamond_template, tmp_path)
    real_mkdir = Path.mkdir

    def refuse_state(self, *args, **kwargs):
        if self == root / ".pipeyard":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    shutil.rmtree(root / ".pipeyard", ignore_errors=True)
    monkeypatch.setattr(Path, "mkdir", refuse_state)
    outcome = run_in_process(root, ["run"], monkeypatch)
    assert_one_clear_line(
        outcome, f"cannot access {root / '.pipeyard'}: permission denied", "writable for your user"
    )


def test_a_failed_and_an_interrupted_run_both_resume_with_the_overrides(
    diamond_template, tmp_path, monkeypatch
):
    from pipeyard import errors

    root = _prepare({}, diamond_template, tmp_path)
    monkeypatch.setenv("PIPEYARD_TEST_FAIL", "LEFT")
    failed = run_in_process(root, ["run", "left.message=LEFT", "right.message=R R"], monkeypatch)
    assert failed.code == 1, failed.stderr
    assert "resume with `pipeyard run left.message=LEFT 'right.message=R R'`" in failed.stderr
    assert errors.Interrupted(resume="pipeyard run left.message=LEFT").format() == (
        "interrupted: finished steps are recorded; resume with `pipeyard run left.message=LEFT`"
    )


# --- real subprocesses ------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_console_script_prints_one_line_for_bad_input(diamond_template, tmp_path):
    root = _prepare({}, diamond_template, tmp_path)
    script = Path(sys.executable).parent / "pipeyard"
    done = subprocess.run(
        [str(script), "run", "--memory", "lots"],
        cwd=root,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    outcome = Outcome(done.returncode, done.stdout, done.stderr, _error_lines(done.stderr))
    assert_one_clear_line(outcome, "--memory takes a size like 16GB", "see `pipeyard run --help`")


@pytest.mark.slow
def test_ctrl_c_while_pipeyard_run_starts_is_one_line_and_exit_130(tmp_path):
    """SIGINT at several moments of the first fraction of a second (importing, loading), then
    once steps run: always one line and exit 130; the last line gives the command that resumes.

    Python's own start (its site module, before any pipeyard code) is left out: a Ctrl-C there
    ends any Python program with the interpreter's words. It is measured, as it grows with load.
    """
    project = diamond_project(tmp_path / "p", sleep=2.0)
    python_start = max(_seconds([sys.executable, "-c", "pass"]) for _ in range(3))
    for delay in (0.02, 0.05, 0.1, 0.15, 0.25):
        line = None
        for extra in (0.0, 0.1, 0.2, 0.4):  # a busy machine can stretch the interpreter's own start
            line = _interrupt(
                project.root, lambda _, wait=1.5 * python_start + delay + extra: time.sleep(wait)
            )
            if line is not None:
                break
        assert line is not None and line.startswith("interrupted"), line
    before = newest_run_id(project.root)
    line = _interrupt(  # once prepare is done and a 2 s step runs
        project.root,
        lambda runner: wait_for_event(runner, project.root, "StepStarted", ("left", "right"), after=before),
    )
    assert line == "interrupted: finished steps are recorded; resume with `pipeyard run left.message=x`"


def _interrupt(root: Path, wait: Callable[[subprocess.Popen[str]], object]) -> str | None:
    """Start `pipeyard run left.message=x`, wait(the process), send SIGINT; assert exit 130 and one
    'interrupted' line without a traceback, and return that line."""
    runner = subprocess.Popen(
        [sys.executable, "-m", "pipeyard", "run", "left.message=x"],
        cwd=root,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.perf_counter()
    wait(runner)
    waited = time.perf_counter() - started
    runner.send_signal(signal.SIGINT)
    stdout, stderr = runner.communicate(timeout=60)
    shown = f"after {waited:.3f}s: exit {runner.returncode}\n{stderr}"
    if runner.returncode == -signal.SIGINT:
        # Python itself ended by the signal: while it was starting, before any pipeyard code, or
        # in a rare race named in the notes of issue 7. The caller tries again, so a pipeyard
        # that always ends this way still fails.
        return None
    assert runner.returncode == 130, shown
    assert "Traceback" not in stderr + stdout, shown
    said = [line for line in stderr.splitlines() if line.startswith("interrupted")]
    assert len(said) == 1, shown
    assert [line for line in stderr.splitlines() if line.strip()][-1] == said[0], shown
    return said[0]


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=_env())
    return time.perf_counter() - started


@pytest.mark.slow
def test_not_a_git_repository_says_so_for_init(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "pipeyard", "init"],
        cwd=folder,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    outcome = Outcome(done.returncode, done.stdout, done.stderr, _error_lines(done.stderr))
    assert_one_clear_line(outcome, "is not a git repository", "run `git init` first")
