"""Each template, rendered with its defaults in each pipeline format, works as its README says:
`pipeyard run` succeeds, a second run executes nothing, the project's own tests pass, and
`pre-commit run --all-files` passes on the committed project, with no data in git."""

from __future__ import annotations

import json
import sys

import pytest
from template_projects import FORMATS, NAMES, Generated, render

pytestmark = pytest.mark.slow

DATA_SUFFIXES = (".csv", ".json", ".joblib", ".pt", ".npz", ".md")
STEPS = {
    "minimal": ["make_data", "summarize"],
    "tabular-classification": ["ingest", "prepare", "train", "evaluate", "register"],
    "image-classification": ["ingest", "train", "evaluate"],
}


NEEDS = {"minimal": (), "tabular-classification": ("sklearn",), "image-classification": ("sklearn", "torch")}


def generated_project(name: str, form: str, tmp_path) -> Generated:
    for module in NEEDS[name]:
        pytest.importorskip(module, reason=f"the {name} template's requirements are not installed")
    project = Generated(render(name, tmp_path, pipeline_format=form))
    project.start()
    check = project.run(sys.executable, "-m", "pipeyard", "validate")
    if check.returncode != 0 and "cpu_fallback" in check.stdout + check.stderr:
        pytest.skip("this pipeyard does not know the compute profile key cpu_fallback yet")
    return project


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_generated_project_runs_caches_tests_and_commits_clean(name, form, tmp_path):
    project = generated_project(name, form, tmp_path)

    first = project.run_json()
    assert first["status"] == "succeeded"
    assert list(first["steps"]) == STEPS[name]
    assert {s["status"] for s in first["steps"].values()} == {"ran"}

    second = project.run_json()
    assert {s["status"] for s in second["steps"].values()} == {"cached"}

    tests = project.ok(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in tests and "failed" not in tests

    project.git("add", "-A")
    project.git("commit", "-q", "-m", "first run")
    tracked = project.git("ls-files").split()
    outputs = [p for p in tracked if p.startswith(("data/", "models/", "reports/", "outputs/", "package/"))]
    assert all(p.endswith(".gitignore") for p in outputs), outputs
    assert not [
        p
        for p in tracked
        if p.endswith(DATA_SUFFIXES) and not p.startswith(("conf/", "README")) and p not in ("dvc.lock",)
    ], tracked

    hooks = project.ok("pre-commit", "run", "--all-files")
    assert "pipeyard validate" in hooks and "Failed" not in hooks

    EXTRA_CHECKS.get(name, lambda *_: None)(project, first)


def tabular_family_is_a_config_group_and_versions_are_git_tags(project: Generated, first: dict) -> None:
    planned = json.loads(project.pipeyard("run", "--dry-run", "--json", "train=random_forest"))["steps"]
    assert {n for n, s in planned.items() if s["action"] == "run"} == {"train", "evaluate", "register"}
    assert "params train.family changed: logistic -> random_forest" in planned["train"]["reasons"]

    module = f"{project.root.name.replace('-', '_')}.register"
    assert "would tag HEAD as tumor-classifier-model@v0.1.0" in project.ok(sys.executable, "-m", module)
    project.ok(sys.executable, "-m", module, "--tag")
    assert project.git("tag", "--list").split() == ["tumor-classifier-model@v0.1.0"]
    package = json.loads((project.root / "package" / "model.json").read_text())
    assert package["metrics"] == json.loads((project.root / "reports" / "metrics.json").read_text())


def image_training_reports_the_device_it_chose(project: Generated, first: dict) -> None:
    log = (project.root / ".pipeyard" / "runs" / first["run_id"] / "logs" / "train.log").read_text()
    assert "device: cpu" in log or "device: cuda" in log


EXTRA_CHECKS = {
    "tabular-classification": tabular_family_is_a_config_group_and_versions_are_git_tags,
    "image-classification": image_training_reports_the_device_it_chose,
}
