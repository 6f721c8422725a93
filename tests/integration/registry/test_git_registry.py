"""A git registry (a real bare repository): register, push, pin in pipeyard.lock.yaml, update."""

from __future__ import annotations

import subprocess

import pytest
import yaml
from registry_projects import component, consumer, producer

pytestmark = pytest.mark.slow


def shared(bare) -> str:
    return f"registries:\n  - {{name: shared, git: {bare}, ref: main}}\n"


def remote_log(bare) -> list[str]:
    result = subprocess.run(
        ["git", "-C", str(bare), "log", "--format=%s", "main"], capture_output=True, text=True, check=False
    )
    return result.stdout.split("\n")[:-1] if result.returncode == 0 else []


def test_register_commits_and_says_how_to_push(tmp_path, bare_registry):
    project = producer(tmp_path / "producer", shared(bare_registry))
    result = component(project, "register", "components/echo.yml")
    assert "registered echo_step:1 in registry 'shared'" in result.stdout
    assert "committed" in result.stdout
    assert remote_log(bare_registry) == []  # not pushed
    push = result.stderr.split("push it with: ")[1].strip()
    assert push.startswith("git -C .pipeyard/registries/shared-")
    subprocess.run(push, shell=True, cwd=project.root, check=True, capture_output=True)
    assert remote_log(bare_registry) == ["register echo_step:1"]
    # a second registration builds on the first
    component(project, "register", "components/echo.yml", "--version", "2", "--push")
    assert remote_log(bare_registry) == ["register echo_step:2", "register echo_step:1"]
    again = component(project, "register", "components/echo.yml", "--version", "2")
    assert "nothing to do" in again.stdout


def test_resolution_stays_pinned_until_the_lock_is_updated(tmp_path, bare_registry):
    maker = producer(tmp_path / "producer", shared(bare_registry))
    component(maker, "register", "components/echo.yml", "--push")

    user = consumer(tmp_path / "consumer", shared(bare_registry), "azureml:echo_step@latest")
    first = user.pipeyard("run", "--json")
    assert first.returncode == 0, first.stderr
    assert "pinned registry 'shared'" in first.stderr
    lock = yaml.safe_load((user.root / "pipeyard.lock.yaml").read_text())
    pinned = lock["registries"]["shared"]["commit"]
    assert lock["registries"]["shared"]["git"] == str(bare_registry)
    assert "components/_registry/echo_step/v1/src" in (user.root / "dvc.yaml").read_text()
    user.commit_all("run with echo_step:1")
    assert "up to date" in user.dvc("status").stdout

    # the registry moves on: a version 2 is pushed
    maker.write("components/src/echo.py", (maker.root / "components/src/echo.py").read_text() + "\n# v2\n")
    component(maker, "register", "components/echo.yml", "--version", "2", "--push")

    # the consumer still resolves @latest at its pinned commit
    again = user.pipeyard("run", "--json")
    assert again.returncode == 0, again.stderr
    assert not (user.root / "components/_registry/echo_step/v2").exists()
    assert component(user, "list", "--json").stdout.count('"2"') == 0
    assert (
        yaml.safe_load((user.root / "pipeyard.lock.yaml").read_text())["registries"]["shared"]["commit"]
        == pinned
    )

    # until the pin is moved
    moved = component(user, "update")
    assert f"shared: {pinned[:12]} -> " in moved.stdout
    assert (
        yaml.safe_load((user.root / "pipeyard.lock.yaml").read_text())["registries"]["shared"]["commit"]
        != pinned
    )
    third = user.pipeyard("run", "--json")
    assert third.returncode == 0, third.stderr
    assert "copied echo_step:2 from registry 'shared'" in third.stderr
    assert "components/_registry/echo_step/v2/src" in (user.root / "dvc.yaml").read_text()
    assert "2" in component(user, "show", "echo_step").stdout.split()[0]
