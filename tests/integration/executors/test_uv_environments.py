"""Step environments built with uv from a tiny local wheel, cached by content, reused."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from pipeyard.errors import ConfigError
from pipeyard.executors.environments import (
    Unrealisable,
    VenvSpec,
    conda_venv,
    ensure_venv,
    read_environment,
    uv_command,
)
from pipeyard.testing.wheels import tiny_wheel

pytestmark = pytest.mark.skipif(uv_command() is None, reason="needs uv: pip install 'pipeyard[ray]'")


@pytest.fixture
def env_cache(tmp_path, monkeypatch):
    cache = tmp_path / "envs"
    monkeypatch.setenv("PIPEYARD_ENV_CACHE", str(cache))
    return cache


def test_a_venv_is_built_once_with_its_package_and_reused(tmp_path, env_cache):
    wheel = tiny_wheel(tmp_path / "wheels")
    spec = VenvSpec(python=None, requirements=(f"pipeyard-tiny @ {wheel.as_uri()}",))
    folder = ensure_venv(spec)
    assert folder.parent == env_cache and folder.name == spec.content_hash
    python = folder / "bin" / "python"
    done = subprocess.run(
        [
            str(python),
            "-c",
            "import sys, pipeyard_tiny, pipeyard.exec; print(sys.prefix, pipeyard_tiny.VALUE)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == [str(folder), "42"]  # pipeyard itself is linked in, for Python steps
    mine = subprocess.run([sys.executable, "-c", "import pipeyard_tiny"], capture_output=True)
    assert mine.returncode != 0  # pipeyard's own environment is untouched
    start = time.perf_counter()
    assert ensure_venv(spec) == folder
    assert time.perf_counter() - start < 0.05  # reuse is a marker check


def test_a_half_built_venv_is_rebuilt(tmp_path, env_cache):
    spec = VenvSpec(python=None, requirements=())
    folder = env_cache / spec.content_hash
    (folder / "bin").mkdir(parents=True)  # what a killed build leaves: no marker
    assert ensure_venv(spec) == folder
    assert (folder / "bin" / "python").exists()


def test_a_build_that_fails_is_one_line(tmp_path, env_cache):
    spec = VenvSpec(python=None, requirements=(f"nothing-here @ {(tmp_path / 'missing.whl').as_uri()}",))
    with pytest.raises(ConfigError) as caught:
        ensure_venv(spec)
    assert "could not build the environment" in caught.value.message
    assert "\n" not in caught.value.message


def test_a_conda_file_gives_python_and_pip_and_notes_the_rest(tmp_path):
    conda = tmp_path / "conda.yml"
    conda.write_text(
        "name: train\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n  - numpy=1.26\n"
        "  - pip:\n    - pandas<2  # the old API\n    - pyyaml\n"
    )
    spec = conda_venv(conda)
    assert spec.python == "3.11" and spec.requirements == ("pandas<2", "pyyaml")
    assert spec.notes and "numpy=1.26" in spec.notes[0]


def test_what_each_declaration_asks(tmp_path):
    (tmp_path / "requirements.txt").write_text("six\n# comment\n\n")
    assert read_environment(None, tmp_path) is None
    assert read_environment("requirements.txt", tmp_path) == VenvSpec(python=None, requirements=("six",))
    registered = read_environment("azureml:AzureML-sklearn:1", tmp_path)
    assert isinstance(registered, Unrealisable) and "Azure ML" in registered.why
    image = read_environment('{"image":"python:3.11-slim"}', tmp_path)
    assert isinstance(image, Unrealisable) and "container engine" in image.why


def test_a_node_without_the_coordinators_venv_builds_the_same_one(tmp_path, env_cache):
    from pipeyard.executors.environments import ENV_VARIABLE, realised_here, venv_variables

    wheel = tiny_wheel(tmp_path / "wheels")
    spec = VenvSpec(python=None, requirements=(f"pipeyard-tiny @ {wheel.as_uri()}",))
    elsewhere = tmp_path / "coordinator-cache" / spec.content_hash  # never built on this "node"
    env = venv_variables(elsewhere, "/usr/bin:/bin", spec)
    here = realised_here(env)
    assert here[ENV_VARIABLE] == str(env_cache / spec.content_hash)
    assert here["PATH"] == f"{env_cache / spec.content_hash / 'bin'}:/usr/bin:/bin"
    python = env_cache / spec.content_hash / "bin" / "python"
    assert subprocess.run([str(python), "-c", "import pipeyard_tiny"]).returncode == 0
    assert realised_here(here) == here  # built: nothing to do
