"""A folder registry: register, list, show, immutable versions, and use from another project."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml
from registry_projects import component, consumer, producer

pytestmark = pytest.mark.slow

TEAM = "registries:\n  - {name: team, path: ../registry}\n"


def test_register_list_and_show(tmp_path):
    project = producer(tmp_path / "producer", TEAM)
    result = component(project, "register", "components/echo.yml", "--version", "2")
    assert "registered echo_step:2 in registry 'team'" in result.stdout
    assert "component: azureml:echo_step:2" in result.stdout
    stored = tmp_path / "registry" / "echo_step" / "2"
    assert (stored / "src" / "echo.py").read_text() == (project.root / "components/src/echo.py").read_text()
    definition = yaml.safe_load((stored / "component.yml").read_text())
    assert definition["code"] == "./src" and definition["version"] == "2"

    listed = component(project, "list").stdout
    assert listed.split()[:4] == ["echo_step", "2", "team", "command"]
    as_json = json.loads(component(project, "list", "--json").stdout)
    assert as_json["components"][0]["versions"] == ["2"]

    shown = component(project, "show", "echo_step:2").stdout
    assert "echo_step:2  (command; versions: 2)" in shown
    assert "source" in shown and "uri_folder" in shown and "optional" in shown
    assert "  message  string     default 'hello'" in shown
    assert "  out      uri_folder" in shown
    assert "command: python echo.py --message ${{inputs.message}}" in shown
    details = json.loads(component(project, "show", "echo_step", "--json").stdout)
    assert details["parameters"]["sleep"] == {"type": "number", "default": 0}
    assert details["hash"].startswith("sha256:")


def test_versions_are_immutable(tmp_path):
    project = producer(tmp_path / "producer", TEAM)
    component(project, "register", "components/echo.yml")
    again = component(project, "register", "components/echo.yml")
    assert "same content; nothing to do" in again.stdout
    project.write("components/src/echo.py", "print('changed')\n")
    refused = component(project, "register", "components/echo.yml", check=False)
    assert refused.returncode == 2, refused.stderr
    assert "echo_step:1 is already in registry 'team' with other content" in refused.stderr
    assert "bump the version" in refused.stderr and "--version 2" in refused.stderr
    stored = tmp_path / "registry/echo_step/1/src/echo.py"
    assert "changed" not in stored.read_text()
    component(project, "register", "components/echo.yml", "--version", "2")
    assert "changed" in (tmp_path / "registry/echo_step/2/src/echo.py").read_text()


def test_an_invalid_component_is_not_registered(tmp_path):
    project = producer(tmp_path / "producer", TEAM)
    project.write("components/bad.yml", "type: command\nname: bad\ncommand: python x.py ${{inputs.nope}}\n")
    result = component(project, "register", "components/bad.yml", check=False)
    assert result.returncode == 2
    assert "inputs.nope" in result.stderr
    assert not (tmp_path / "registry").exists()


def test_another_project_runs_it_by_name_and_version(tmp_path):
    component(producer(tmp_path / "producer", TEAM), "register", "components/echo.yml", "--version", "1.0")
    project = consumer(tmp_path / "consumer", TEAM, "azureml:echo_step:1.0")
    first = project.pipeyard("run", "--json")
    assert first.returncode == 0, first.stderr
    assert (
        "copied echo_step:1.0 from registry 'team' into components/_registry/echo_step/v1_0/" in first.stderr
    )
    assert (project.root / "outputs/second/out/data.txt").read_text() == "hello|world"
    vendored = project.root / "components/_registry/echo_step/v1_0"
    assert (vendored / "src/echo.py").is_file()
    assert "- components/_registry/echo_step/v1_0/src/echo.py\n" in (project.root / "dvc.yaml").read_text()
    project.commit_all("run")
    assert "up to date" in project.dvc("status").stdout

    # a fresh clone runs without the registry: the copy is committed
    shutil.move(tmp_path / "registry", tmp_path / "moved-away")
    subprocess.run(["git", "clone", "-q", str(project.root), str(tmp_path / "clone")], check=True)
    from projects import Project

    clone = Project(tmp_path / "clone")
    again = clone.pipeyard("run", "--json")
    assert again.returncode == 0, again.stderr
    assert "copied" not in again.stderr
    assert "up to date" in clone.dvc("status").stdout


def test_latest_and_the_pipeyard_form_resolve_too(tmp_path):
    project = producer(tmp_path / "producer", TEAM)
    component(project, "register", "components/echo.yml", "--version", "2")
    component(project, "register", "components/echo.yml", "--version", "10")
    user = consumer(tmp_path / "consumer", TEAM, "registry:team/echo_step@latest", runnable=False)
    result = user.pipeyard("validate", "--no-capacity")
    assert result.returncode == 0, result.stderr
    assert (user.root / "components/_registry/echo_step/v10").is_dir()
    assert not (user.root / "components/_registry/echo_step/v2").exists()


def test_unknown_components_say_what_exists_and_how_to_register(tmp_path):
    component(producer(tmp_path / "producer", TEAM), "register", "components/echo.yml")
    user = consumer(tmp_path / "consumer", TEAM, "azureml:echo_stp:1", runnable=False)
    result = user.pipeyard("validate", "--no-capacity")
    assert result.returncode == 2
    assert "pipeline.yml:4" in result.stderr
    assert "no component 'echo_stp' in registries team (did you mean 'echo_step'?)" in result.stderr
    assert "pipeyard component register" in result.stderr
    pipeline = user.root / "pipeline.yml"
    pipeline.write_text(pipeline.read_text().replace("echo_stp:1", "echo_step:7"))
    result = user.pipeyard("validate", "--no-capacity")
    assert "component 'echo_step' has no version 7" in result.stderr
    assert "versions: 1" in result.stderr


def test_without_registries_the_error_says_how_to_add_one(tmp_path):
    user = consumer(tmp_path / "consumer", "", "azureml:echo_step:1", runnable=False)
    result = user.pipeyard("validate", "--no-capacity")
    assert result.returncode == 2
    assert "this project has no registries" in result.stderr
    assert "registries: [{name: team, path: ../registry}]" in result.stderr
    assert "pipeyard component register ./components/echo_step.yml" in result.stderr
