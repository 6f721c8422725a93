"""``python -m pipeyard.exec`` as the real subprocess a Python stage runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

STEPS = """
import json
from typing import Literal
from pipeyard.sdk import step, In, Out, Dir, File, Metrics

@step
def fit(data: In[Dir], model: Out[File], report: Out[Dir], metrics: Out[Metrics],
        lr: float = 0.1, epochs: int = 3, mode: Literal["fast", "slow"] = "fast",
        warm: In[Dir] | None = None):
    '''Fit.'''
    rows = (data / "rows.txt").read_text().split()
    model.write_text(json.dumps({"lr": lr, "epochs": epochs, "mode": mode, "rows": len(rows),
                                 "warm": warm is not None}))
    (report / "summary.txt").write_text("ok")
    metrics.write_text(json.dumps({"rows": len(rows)}))

@step
def explode(data: In[Dir]):
    '''Fail on purpose.'''
    raise ValueError("bad data in " + data.name)

def plain(out):
    out.mkdir(exist_ok=True)
    (out / "x").write_text("plain")
"""


def run_exec(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run pipeyard.exec in cwd, as a stage command does."""
    return subprocess.run(
        [sys.executable, "-m", "pipeyard.exec", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_runs_a_step_with_params_from_params_yaml(project):
    root = project(
        {
            "src/steps.py": STEPS,
            "data/rows.txt": "a b c",
            "params.yaml": """
            train:
              lr: 0.01
              mode: slow
            other:
              lr: 9
            """,
        }
    )
    done = run_exec(
        root,
        "src/steps.py",
        "fit",
        "--params",
        "train",
        "--in",
        "data=data",
        "--out",
        "model=outputs/train/model/model.json",
        "--out",
        "report=outputs/train/report",
        "--out",
        "metrics=outputs/train/metrics.json",
    )
    assert done.returncode == 0, done.stderr
    model = json.loads((root / "outputs/train/model/model.json").read_text())
    assert model == {"lr": 0.01, "epochs": 3, "mode": "slow", "rows": 3, "warm": False}
    assert (root / "outputs/train/report/summary.txt").read_text() == "ok"


def test_missing_params_file_or_key_means_defaults(project):
    root = project({"steps.py": STEPS, "data/rows.txt": "a", "params.yaml": "other: {lr: 5}\n"})
    args = [
        "steps.py",
        "fit",
        "--params",
        "train",
        "--in",
        "data=data",
        "--in",
        "warm=data",
        "--out",
        "model=m.json",
        "--out",
        "report=r",
        "--out",
        "metrics=metrics.json",
    ]
    assert run_exec(root, *args).returncode == 0
    assert json.loads((root / "m.json").read_text())["lr"] == 0.1
    (root / "params.yaml").unlink()
    assert run_exec(root, *args).returncode == 0
    assert json.loads((root / "m.json").read_text())["warm"] is True


def test_failure_exits_non_zero_with_the_traceback(project):
    root = project({"steps.py": STEPS, "data/rows.txt": "a"})
    done = run_exec(root, "steps.py", "explode", "--params", "explode", "--in", "data=data")
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ValueError: bad data in data" in done.stderr


def test_import_error_and_unknown_function_fail_clearly(project):
    root = project({"steps.py": STEPS, "broken.py": "import no_such_module_xyz\n"})
    done = run_exec(root, "broken.py", "f", "--params", "f")
    assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr
    done = run_exec(root, "steps.py", "nope", "--params", "nope")
    assert done.returncode == 1 and "AttributeError" in done.stderr


def test_plain_functions_and_usage_errors(project):
    root = project({"steps.py": STEPS})
    assert run_exec(root, "steps.py", "plain", "--params", "plain", "--out", "out=made").returncode == 0
    assert (root / "made" / "x").read_text() == "plain"
    assert run_exec(root, "steps.py", "plain", "--params", "p", "--out", "broken").returncode == 2
    assert run_exec(root, "steps.py", "plain").returncode == 2


def test_module_named_like_the_standard_library_is_loaded_from_the_project(project):
    root = project({"code.py": "def hello(out):\n    out.write_text('mine')\n"})
    assert run_exec(root, "code.py", "hello", "--params", "hello", "--out", "out=o/hello.txt").returncode == 0
    assert (root / "o" / "hello.txt").read_text() == "mine"


def test_exec_imports_nothing_heavy(project):
    root = project({"steps.py": STEPS})
    probe = (
        "import sys, runpy; sys.argv = ['x', 'steps.py', 'plain', '--params', 'p', '--out', 'out=o'];"
        "import pipeyard.exec as e; code = e.main();"
        "heavy = [m for m in ('hydra', 'rich', 'dvc', 'pipeyard.model') if m in sys.modules];"
        "print(code, heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "0 []", done.stderr
