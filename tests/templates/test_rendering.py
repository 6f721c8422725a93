"""The templates render with the real cookiecutter, for each pipeline format, into clean projects."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from template_projects import FORMATS, NAMES, TEMPLATES, render

LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#")


@pytest.mark.parametrize("name", NAMES)
def test_each_template_describes_itself_in_one_line(name):
    context = json.loads((TEMPLATES / name / "cookiecutter.json").read_text())
    description = context["_description"]
    assert description.strip() and "\n" not in description
    assert context["pipeline_format"] == ["python", "yaml"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("form", FORMATS)
def test_renders_only_the_chosen_format(name, form, tmp_path):
    project = render(name, tmp_path, pipeline_format=form)
    package = project / project.name.replace("-", "_")
    python_files = [project / "pipeline.py", package / "steps.py"]
    yaml_files = [project / "pipeline.yml", project / "components", package / "cli.py"]
    kept, dropped = (python_files, yaml_files) if form == "python" else (yaml_files, python_files)
    assert all(p.exists() for p in kept), [p for p in kept if not p.exists()]
    assert not any(p.exists() for p in dropped), [p for p in dropped if p.exists()]
    for required in (
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/ci.yml",
        "README.md",
        "requirements.txt",
        "conf/config.yaml",
        "tests/conftest.py",
    ):
        assert (project / required).is_file(), required


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("form", FORMATS)
def test_rendered_files_are_valid_python_and_yaml(name, form, tmp_path):
    project = render(name, tmp_path, pipeline_format=form)
    for path in project.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text()
        assert not LEFTOVER_JINJA.search(text), f"unrendered template syntax in {path}"
        if path.suffix == ".py":
            compile(text, str(path), "exec")
        elif path.suffix in (".yml", ".yaml"):
            yaml.safe_load(text)


@pytest.mark.parametrize("name", NAMES)
def test_components_keep_their_azure_expressions(name, tmp_path):
    project = render(name, tmp_path, pipeline_format="yaml")
    for component in (project / "components").glob("*.yml"):
        command = yaml.safe_load(component.read_text())["command"]
        assert "${{outputs." in command, component


@pytest.mark.parametrize("name", NAMES)
def test_requirements_pin_everything_and_leave_pipeyard_to_the_setup_action(name, tmp_path):
    project = render(name, tmp_path)
    lines = [
        ln for ln in (project / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")
    ]
    assert not any(ln.startswith("pipeyard") for ln in lines)  # not on a package index
    assert all("==" in ln for ln in lines)


@pytest.mark.parametrize("name", NAMES)
def test_the_tests_workflow_never_runs_the_pipeline(name, tmp_path):
    from pipeyard.ci.actionlint import lint

    text = (render(name, tmp_path) / ".github" / "workflows" / "ci.yml").read_text()
    assert "pipeyard run" not in text and "dvc repro" not in text
    assert "uses: ./.github/actions/pipeyard-setup" in text  # the same pipeyard as pipeyard.yml
    assert "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2" in text
    assert lint(text, []) in ([], None)  # None: actionlint is not installed here


def test_answers_name_the_project_and_package(tmp_path):
    project = render("tabular-classification", tmp_path, project_name="Churn Model")
    assert project.name == "churn-model"
    assert (project / "churn_model" / "register.py").is_file()
    assert "model_name: churn-model-model" in (project / "conf/register/default.yaml").read_text()


def test_the_image_template_declares_a_gpu_step_that_may_fall_back(tmp_path):
    project = render("image-classification", tmp_path)
    profile = yaml.safe_load((project / "pipeyard.yaml").read_text())["compute"]["gpu"]
    assert profile == {"cpus": 1, "gpus": 1, "cpu_fallback": True}
    assert '@step(compute="gpu")' in (project / "digit_classifier" / "steps.py").read_text()
