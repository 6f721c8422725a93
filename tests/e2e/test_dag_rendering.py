"""`pipeyard dag` on real projects, in every format: the same nodes and edges in each.

Two projects: the diamond of tests/e2e/projects.py (prepare -> left, right; left -> join) and
the nested corpus of tests/data/azure/nested (a pipeline component inside a pipeline component),
whose steps each format groups by component. The command runs in this process (cli main()).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import Project, diamond_project

from pipeyard.cli.main import main

NESTED_CORPUS = Path(__file__).parents[1] / "data" / "azure" / "nested"
DIAMOND_EDGES = {("prepare", "left"), ("prepare", "right"), ("left", "join")}
TE = "train_and_evaluate"
NESTED_EDGES = {
    ("prep", f"{TE}__train"),
    ("prep", f"{TE}__evaluate__score"),
    (f"{TE}__train", f"{TE}__evaluate__score"),
    (f"{TE}__train", "publish"),
    (f"{TE}__evaluate__score", f"{TE}__evaluate__summarize"),
}


@pytest.fixture(scope="module")
def diamond(tmp_path_factory) -> Path:
    """The diamond project (git + DVC), made once for this module."""
    return diamond_project(tmp_path_factory.mktemp("dag") / "diamond").root


@pytest.fixture(scope="module")
def nested(tmp_path_factory) -> Path:
    """The nested corpus in a git repository (enough for `dag`: it only loads the pipeline)."""
    project = Project(tmp_path_factory.mktemp("dag") / "nested")
    shutil.copytree(NESTED_CORPUS, project.root)
    project.git("init", "-q", "-b", "main")
    return project.root


def dag(root: Path, fmt: str, monkeypatch) -> str:
    """stdout of `pipeyard dag -F fmt` in root, asserting it succeeded."""
    monkeypatch.chdir(root)
    with CliRunner().isolation() as (stdout, stderr, _):
        code = main(["dag", "-F", fmt])
        sys.stdout.flush()  # print() leaves its text in the runner's buffer
    printed = stdout.getvalue().decode()
    assert code == 0, f"exit {code}\n{printed}\n{stderr.getvalue().decode()}"
    return printed


def mermaid_edges(text: str) -> set[tuple[str, str]]:
    """The edges of a mermaid flowchart, by node label."""
    labels = dict(re.findall(r'^\s*(n_\w+)\["([^"]+)"\]$', text, re.M))
    return {(labels[a], labels[b]) for a, b in re.findall(r"^\s*(n_\w+) --> (n_\w+)$", text, re.M)}


def dot_edges(text: str) -> set[tuple[str, str]]:
    """The edges of a dot digraph."""
    return set(re.findall(r'^\s*"([^"]+)" -> "([^"]+)";$', text, re.M))


def test_text_lists_each_step_with_its_upstream(diamond, monkeypatch):
    lines = dag(diamond, "text", monkeypatch).splitlines()
    assert lines == [
        "prepare  (source)  [local: 1 CPU]",
        "left     <- prepare  [local: 1 CPU]",
        "right    <- prepare  [local: 1 CPU]",
        "join     <- left  [local: 1 CPU]",
    ]


def test_mermaid_draws_every_step_and_edge(diamond, monkeypatch):
    text = dag(diamond, "mermaid", monkeypatch)
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert "    n_prepare --> n_left" in lines and "    n_left --> n_join" in lines
    assert mermaid_edges(text) == DIAMOND_EDGES
    assert "subgraph" not in text  # no pipeline component: no groups


def test_dot_is_a_digraph_of_every_edge(diamond, monkeypatch):
    text = dag(diamond, "dot", monkeypatch).strip()
    assert text.startswith("digraph pipeline {") and text.endswith("}")
    assert '    "prepare" -> "right";' in text.splitlines()
    assert dot_edges(text) == DIAMOND_EDGES
    assert set(re.findall(r'^    "(\w+)";$', text, re.M)) == {"prepare", "left", "right", "join"}


def test_json_has_nodes_with_their_upstream_and_the_edges(diamond, monkeypatch):
    data = json.loads(dag(diamond, "json", monkeypatch))
    assert [node["name"] for node in data["nodes"]] == ["prepare", "left", "right", "join"]
    assert {tuple(edge) for edge in data["edges"]} == DIAMOND_EDGES
    upstream = {node["name"]: node["upstream"] for node in data["nodes"]}
    assert upstream == {"prepare": [], "left": ["prepare"], "right": ["prepare"], "join": ["left"]}
    assert data["nodes"][0]["resources"] == {"cpus": 1.0, "memory_mb": 0, "gpus": 0}


def test_nested_components_indent_in_text(nested, monkeypatch):
    assert dag(nested, "text", monkeypatch).splitlines() == [
        "prep               (source)  [local: 1 CPU]",
        f"{TE}/",
        "    train          <- prep  [local: 1 CPU]",
        "    evaluate/",
        f"        score      <- prep, {TE}__train  [local: 1 CPU]",
        f"        summarize  <- {TE}__evaluate__score  [local: 1 CPU]",
        f"publish            <- {TE}__train  [local: 1 CPU]",
    ]


def test_nested_components_are_subgraphs_in_mermaid_and_clusters_in_dot(nested, monkeypatch):
    mermaid = dag(nested, "mermaid", monkeypatch)
    lines = mermaid.splitlines()
    opening = lines.index(f'    subgraph n_g_{TE}["{TE}"]')
    inner = lines.index(f'        subgraph n_g_{TE}__evaluate["evaluate"]')
    assert (
        opening < inner < lines.index(f'            n_{TE}__evaluate__summarize["{TE}__evaluate__summarize"]')
    )
    assert [line for line in lines if line.strip() == "end"] == ["        end", "    end"]
    assert mermaid_edges(mermaid) == NESTED_EDGES

    dot = dag(nested, "dot", monkeypatch)
    assert f'    subgraph "cluster_{TE}" {{ label="{TE}";' in dot
    assert f'        subgraph "cluster_{TE}__evaluate" {{ label="evaluate";' in dot
    assert dot_edges(dot) == NESTED_EDGES


def test_every_format_agrees_on_the_edges_of_a_nested_pipeline(nested, monkeypatch):
    data = json.loads(dag(nested, "json", monkeypatch))
    edges = {tuple(edge) for edge in data["edges"]}
    assert edges == NESTED_EDGES
    from_upstream = {(up, node["name"]) for node in data["nodes"] for up in node["upstream"]}
    assert from_upstream == edges
    assert (
        edges
        == mermaid_edges(dag(nested, "mermaid", monkeypatch))
        == dot_edges(dag(nested, "dot", monkeypatch))
    )


def test_an_unknown_format_is_one_usage_line(diamond, monkeypatch):
    monkeypatch.chdir(diamond)
    with CliRunner().isolation() as (_, stderr, _):
        code = main(["dag", "-F", "svg"])
    said = stderr.getvalue().decode()
    assert code == 2 and "Traceback" not in said
    assert said.startswith("error: --format: 'svg' is not one of 'text', 'mermaid', 'dot', 'json'"), said
    assert "hint: see `pipeyard dag --help`" in said
