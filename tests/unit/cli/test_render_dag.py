"""`pipeyard dag` renderings (text, mermaid, dot, json) of hand-made stages."""

import json

from pipeyard.cli.render import render_dag
from pipeyard.model.resources import Resources
from pipeyard.model.stage import Stage

NESTED = (
    Stage("prep", ("true",)),
    Stage("te__train", ("true",), upstream=("prep",), resources=Resources(cpus=2)),
    Stage("te__evaluate__score", ("true",), upstream=("te__train",)),
    Stage("te__evaluate__summarize", ("true",), upstream=("te__evaluate__score",)),
    Stage("publish", ("true",), upstream=("te__evaluate__summarize", "prep")),
)


def test_text_is_a_tree_of_components_in_stage_order():
    assert render_dag(NESTED, "text").splitlines() == [
        "prep               (source)  [local: 1 CPU]",
        "te/",
        "    train          <- prep  [local: 2 CPUs]",
        "    evaluate/",
        "        score      <- te__train  [local: 1 CPU]",
        "        summarize  <- te__evaluate__score  [local: 1 CPU]",
        "publish            <- te__evaluate__summarize, prep  [local: 1 CPU]",
    ]


def test_text_without_components_is_flat_with_actions():
    flat = (Stage("a", ("true",)), Stage("bb", ("true",), upstream=("a",)))
    assert render_dag(flat, "text", {"bb": "run"}).splitlines() == [
        "a   (source)  [local: 1 CPU]",
        "bb  <- a  [local: 1 CPU]  [run]",
    ]


def test_mermaid_groups_components_and_draws_every_edge():
    lines = render_dag(NESTED, "mermaid").splitlines()
    assert lines[0] == "flowchart TD"
    assert '    subgraph n_g_te["te"]' in lines
    assert '        subgraph n_g_te__evaluate["evaluate"]' in lines
    assert '            n_te__evaluate__score["te__evaluate__score"]' in lines
    assert "    n_te__evaluate__summarize --> n_publish" in lines
    assert sum(line.strip() == "end" for line in lines) == 2
    assert sum("-->" in line for line in lines) == 5


def test_dot_nests_clusters():
    text = render_dag(NESTED, "dot")
    assert text.startswith("digraph pipeline {") and text.endswith("}")
    assert 'subgraph "cluster_te" { label="te";' in text
    assert '        subgraph "cluster_te__evaluate" { label="evaluate";' in text
    assert '    "prep" -> "publish";' in text


def test_json_lists_nodes_and_edges():
    data = json.loads(render_dag(NESTED, "json", {"prep": "cached"}))
    assert [n["name"] for n in data["nodes"]] == [s.name for s in NESTED]
    assert data["nodes"][0]["action"] == "cached"
    assert data["nodes"][1]["resources"] == {"cpus": 2, "memory_mb": 0, "gpus": 0}
    assert ["te__evaluate__summarize", "publish"] in data["edges"] and len(data["edges"]) == 5
