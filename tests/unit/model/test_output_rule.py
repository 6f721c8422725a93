"""The pure rule of where outputs may go: paths alone, no disk."""

from __future__ import annotations

import pytest

from pipeyard.errors import DefinitionError, Location
from pipeyard.model.output_rule import (
    InputUse,
    OutputClaim,
    Protected,
    ProtectedPaths,
    ancestors,
    check_outputs,
    escape_problem,
    normalise,
    project_files,
    reserved_problem,
    source_inputs,
)

PROTECTED = ProtectedPaths(
    [
        *project_files("settings/hydra"),
        Protected("pipeline.yml", "the pipeline file (pipeline.yml)"),
        Protected("data/raw.csv", "input 'raw' of step 'prep' (data/raw.csv)"),
        Protected("src", "the code of step 'train' (src)"),
        Protected(".", "the code of step 'all' (.)"),  # the whole project: never protects by itself
        Protected("../elsewhere", "outside, ignored"),
    ]
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "is the project root"),
        (".", "is the project root"),
        ("./", "is the project root"),
        ("data/../", "is the project root"),
        ("data/../..", "lies outside the project"),
        ("../outside", "lies outside the project"),
        ("..", "lies outside the project"),
        ("/etc", "is an absolute path"),
        ("C:/Users/x", "is an absolute path"),
        ("C:\\Users\\x", "is an absolute path"),
        (".git", "is the git repository"),
        ("./.git/hooks", "lies inside the git repository"),
        (".GIT", "is the git repository"),
        (".dvc/cache", "lies inside DVC's folder"),
        (".pipeyard", "is pipeyard's run state"),
        ("pipeyard.yaml", "is the project configuration"),
        ("params.yaml", "is the parameters file"),
        ("dvc.yaml", "is DVC's pipeline file"),
        ("dvc.lock", "is DVC's lock file"),
        (".gitignore", "is git's ignore file"),
        ("conf", "is the parameter configuration"),
        ("conf/config.yaml", "lies inside the parameter configuration"),
        ("settings", "contains the parameter configuration (settings/hydra/)"),
        ("pipeline.yml", "is the pipeline file"),
        ("data", "contains input 'raw' of step 'prep'"),
        ("data/raw.csv", "is input 'raw' of step 'prep'"),
        ("data/raw.csv/part", "lies inside input 'raw' of step 'prep'"),
        ("src/model.py", "lies inside the code of step 'train'"),
        ("src", "is the code of step 'train'"),
    ],
)
def test_dangerous_output_paths_have_a_reason(path, expected):
    problem = PROTECTED.problem(path)
    assert problem is not None and expected in problem, problem


@pytest.mark.parametrize(
    "path",
    [
        "outputs/prep/data",
        "data/clean",
        "models/model.pt",
        "srcs",
        "data/raw.csv.bak",
        "confs",
        ".github2",
        "a/.git",
    ],
)
def test_safe_output_paths_pass(path):
    assert PROTECTED.problem(path) is None


def test_escape_and_reserved_problems_alone():
    assert escape_problem("outputs/x") is None
    assert reserved_problem("outputs/.git") is None
    assert normalise("a\\b/./c/") == "a/b/c"
    assert normalise("outputs/prep/data") == "outputs/prep/data"
    assert normalise("outputs//prep/") == "outputs/prep"
    assert list(ancestors("a/b/c")) == ["a/b", "a"]
    assert list(ancestors("a")) == []


def test_check_outputs_names_the_step_and_the_output():
    claims = [
        OutputClaim("prep", "data", "outputs/prep/data"),
        OutputClaim("train", "model", "src/model.pt", Location("pipeline.yml", 12, "train")),
    ]
    with pytest.raises(DefinitionError) as caught:
        check_outputs(claims, PROTECTED)
    text = caught.value.format()
    assert text.splitlines()[0] == (
        "pipeline.yml:12, step 'train': output 'model' at 'src/model.pt' lies inside the code of "
        "step 'train' (src); running the step would delete or overwrite it"
    )


def test_only_an_input_a_step_upstream_writes_is_not_a_source():
    outputs = [
        OutputClaim("prep", "data", "outputs/prep"),
        OutputClaim("train", "model", "data"),
        OutputClaim("report", "page", "tables"),
    ]
    upstream = {"prep": (), "train": ("prep",), "score": ("train",), "report": ()}
    inputs = [
        InputUse("train", "data", "outputs/prep"),  # prep, upstream, writes it
        InputUse("score", "part", "outputs/prep/part.csv"),  # inside what prep writes, two up
        InputUse("prep", "raw", "data/raw.csv"),  # train, downstream, would overwrite it
        InputUse("train", "own", "data/x"),  # only train's own output covers it
        InputUse("prep", "table", "tables/t.csv"),  # report, unrelated, would overwrite it
        InputUse("prep", "notes", "notes.txt"),  # nobody writes it
    ]
    assert [(u.step, u.input) for u in source_inputs(inputs, outputs, upstream)] == [
        ("prep", "raw"),
        ("train", "own"),
        ("prep", "table"),
        ("prep", "notes"),
    ]
