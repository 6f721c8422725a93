"""End-to-end: a pipeline written with the Python SDK, run by the real CLI."""

from __future__ import annotations

import pytest
from projects import new_project, statuses

pytestmark = pytest.mark.slow

STEPS = """
from pipeyard import Dir, File, In, Metrics, Out, step

from helpers import shout


@step
def make(words: Out[Dir], count: int = 3):
    words.mkdir(parents=True, exist_ok=True)
    (words / "words.txt").write_text("\\n".join(f"word{i}" for i in range(count)))


@step
def upper(words: In[Dir], loud: Out[File], suffix: str = "!"):
    lines = (words / "words.txt").read_text().splitlines()
    loud.write_text("\\n".join(shout(line) + suffix for line in lines))


@step
def count(words: In[Dir], metrics: Out[Metrics]):
    import json
    metrics.write_text(json.dumps({"n": len((words / "words.txt").read_text().splitlines())}))
"""

PIPELINE = """
from pipeyard import pipeline
from steps import count, make, upper


@pipeline
def words(n: int = 3):
    made = make(count=n)
    upper(words=made.outputs.words)
    count(words=made.outputs.words)
"""


@pytest.fixture
def project(tmp_path):
    project = new_project(tmp_path / "sdk")
    project.write("steps.py", STEPS)
    project.write("helpers.py", "def shout(text):\n    return text.upper()\n")
    project.write("pipeline.py", PIPELINE)
    project.commit_all("sdk pipeline")
    return project


def test_sdk_pipeline_runs_caches_and_reruns_what_changed(project):
    assert set(statuses(project.run_json()).values()) == {"ran"}
    assert (project.root / "outputs/upper/loud").read_text().splitlines()[0] == "WORD0!"
    assert set(statuses(project.run_json()).values()) == {"cached"}

    changed = project.run_json("upper.suffix=?")
    assert statuses(changed) == {"make": "cached", "upper": "ran", "count": "cached"}

    follows = project.run_json("inputs.n=5")
    assert statuses(follows)["make"] == "ran"
    assert statuses(follows)["count"] == "ran"
    assert "5" in (project.root / "outputs/count/metrics").read_text()


def test_a_change_in_an_imported_helper_reruns_the_steps_using_it(project):
    project.run_json()
    project.write("helpers.py", "def shout(text):\n    return text.upper() + '~'\n")
    result = project.run_json()
    assert statuses(result)["upper"] == "ran"
    assert any("helpers.py" in reason for reason in result["steps"]["upper"]["reasons"])
    assert (project.root / "outputs/upper/loud").read_text().splitlines()[0] == "WORD0~!"


def test_dvc_repro_runs_sdk_steps_and_agrees(project):
    project.run_json()
    assert "up to date" in project.dvc("status").stdout
    (project.root / "dvc.lock").unlink()
    repro = project.dvc("repro")
    assert repro.returncode == 0, repro.stderr
    assert set(statuses(project.run_json()).values()) == {"cached"}
