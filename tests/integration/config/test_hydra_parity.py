"""Hydra parity: every override form of Hydra's grammar page, composed by pipeyard and by a plain
``@hydra.main`` app on the same conf/, gives the same values or fails in both.

The app runs in a real subprocess (real Hydra, its own command line, each row a fresh call of
the decorated function). Rows where pipeyard answers differently on purpose say why.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import pytest

from pipeyard.config.params import resolve_parameters
from pipeyard.errors import UserError
from pipeyard.model import Component, Job, Parameter, Pipeline, PortType

TRAINER = Component(
    "trainer",
    parameters=(
        Parameter("lr", PortType.NUMBER, 0.0),
        Parameter("epochs", PortType.INTEGER, 0),
        Parameter("name", PortType.STRING, optional=True),
        Parameter("flag", PortType.BOOLEAN, False),
    ),
    command="echo ${{inputs.lr}}",
)
PIPELINE = Pipeline("parity", jobs=(Job("train", TRAINER), Job("tune", TRAINER)))

CONF = {
    "config.yaml": """\
        defaults:
          - _self_
          - train: small
        train: {lr: 0.1, epochs: 3, name: base, flag: true, extra: x}
        tune: {lr: 0.2, epochs: 4, name: tuned, flag: false}
        """,
    "train/small.yaml": "epochs: 1\n",
    "train/large.yaml": "epochs: 50\nlr: 0.5\n",
    "tune/fast.yaml": "epochs: 2\n",
}

# The forms of https://hydra.cc/docs/advanced/override_grammar/basic/, one row each.
SAME = [
    # modify, add, force-add, delete a value
    ["train.lr=0.01"],
    ["train.name=hello"],
    ["+train.new=1"],
    ["+train.lr=1"],
    ["++train.lr=1"],
    ["++train.new=1"],
    ["~train.extra"],
    ["~train.extra=x"],
    ["~train.extra=y"],
    ["~train.missing"],
    ["train.missing=1"],
    # config groups: select, add, delete
    ["train=large"],
    ["+tune=fast"],
    ["+train=large"],
    ["~train"],
    ["~train=small"],
    ["~train=large"],
    ["train=nope"],
    ["+tune=nope"],
    ["train=large", "train.lr=0.7"],
    # primitive values
    ["train.epochs=1_000"],
    ["train.lr=1e-3"],
    ["train.lr=-2"],
    ["train.lr=inf"],
    ["train.lr=-inf"],
    ["train.lr=nan"],
    ["train.flag=false"],
    ["train.flag=True"],
    ["train.name=null"],
    # quoting and escaping
    ["train.name='a b'"],
    ['train.name="a b"'],
    ["train.name=a b"],
    ["train.name=a\\ b"],
    ["train.name='a,b'"],
    ["train.name=a\\,b"],
    ["train.name='it''s'"],
    ["train.name='x=y'"],
    ["train.extra=' padded '"],
    ["train.name=true_ish"],
    # lists and dictionaries
    ["train.extra=[1,2,3]"],
    ["train.extra=[[1,2],[3]]"],
    ["train.extra=[]"],
    ["train.extra={a:1,b:[2,3]}"],
    ["train.extra={}"],
    ["+train.extra2={a:{b:1}}"],
    # interpolation
    ["train.extra=${train.lr}"],
    ["train.extra=${tune.name}"],
    ["train.extra=${nothing.here}"],
    # functions (cast and sort)
    ["train.epochs=int(3.7)"],
    ["train.lr=float(1)"],
    ["train.name=str(10)"],
    ["train.flag=bool(1)"],
    ["train.extra=sort([3,1,2])"],
    ["train.extra=sort([3,1,2],reverse=true)"],
    ["train.extra=str([1,2])"],
    # sweeps belong to -m: refused in a single composition by both
    ["train.lr=0.1,0.01"],
    ["train.lr=choice(0.1,0.01)"],
    ["train.lr=range(1,3)"],
    # malformed
    ["train.lr"],
    ["=3"],
    ["train.lr=[1,2"],
]

# Rows where pipeyard answers differently on purpose, and why.
DIFFERENT = {
    ("tune=fast",): "pipeyard gives each step's conf/<step>/ a place, so no '+' is needed",
    ("~tune",): "the place pipeyard gives conf/tune/ can be removed, which leaves it empty",
    ("hydra.verbose=true",): "pipeyard runs no Hydra job: hydra.* settings are refused",
    ("hydra/job_logging=disabled",): "pipeyard runs no Hydra job: hydra.* settings are refused",
}

APP = textwrap.dedent(
    """\
    import json, sys
    import hydra
    from omegaconf import OmegaConf

    rows, out, conf, run_dir = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
    results = []

    @hydra.main(config_path=conf, config_name="config", version_base="1.3")
    def app(cfg):
        results[-1] = {"ok": OmegaConf.to_container(cfg, resolve=True)}

    for row in rows:
        results.append({"error": "exit"})
        sys.argv = ["app", *row, f"hydra.run.dir={run_dir}", "hydra.output_subdir=null",
                    "hydra/job_logging=disabled", "hydra/hydra_logging=disabled"]
        try:
            app()
        except SystemExit:
            pass
        except Exception as exc:
            results[-1] = {"error": str(exc)}
    json.dump(results, open(out, "w"))
    """
)


@pytest.fixture(scope="module")
def conf_dir(tmp_path_factory):
    """The conf/ folder both sides compose."""
    folder = tmp_path_factory.mktemp("parity") / "conf"
    for name, text in CONF.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text))
    return folder


@pytest.fixture(scope="module")
def hydra_app(conf_dir):
    """What the plain Hydra app composes for every row: {tuple(row): tree or None (error)}."""
    rows = SAME + [list(row) for row in DIFFERENT]
    work = conf_dir.parent
    (work / "rows.json").write_text(json.dumps(rows))
    (work / "app.py").write_text(APP)
    subprocess.run(
        [sys.executable, "app.py", "rows.json", "out.json", str(conf_dir), str(work / "run")],
        cwd=work,
        check=True,
        capture_output=True,
        timeout=300,
    )
    results = json.loads((work / "out.json").read_text())
    return {tuple(row): result.get("ok") for row, result in zip(rows, results, strict=True)}


def _pipeyard(conf_dir, row):
    try:
        return dict(resolve_parameters(PIPELINE, conf_dir, row).tree)
    except UserError:
        return None


def _same(left, right) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return (
        left == right
        and type(left) is type(right)
        or (
            isinstance(left, (int, float))
            and not isinstance(left, bool)
            and isinstance(right, (int, float))
            and not isinstance(right, bool)
            and left == right
        )
    )


@pytest.mark.parametrize("row", SAME, ids=" ".join)
def test_pipeyard_composes_what_hydra_composes(conf_dir, hydra_app, row):
    expected = hydra_app[tuple(row)]
    got = _pipeyard(conf_dir, row)
    if expected is None:
        assert got is None, f"Hydra refuses {row}, pipeyard gave {got}"
    else:
        assert got is not None, f"Hydra composes {row}, pipeyard refused it"
        assert _same(got, expected), f"{row}: pipeyard {got} != Hydra {expected}"


@pytest.mark.parametrize("row", list(DIFFERENT), ids=" ".join)
def test_rows_that_differ_on_purpose_do_differ(conf_dir, hydra_app, row):
    assert (hydra_app[row] is None) != (_pipeyard(conf_dir, list(row)) is None), DIFFERENT[row]


def test_a_row_of_each_outcome_is_checked(hydra_app):
    outcomes = [hydra_app[tuple(row)] is None for row in SAME]
    assert any(outcomes) and not all(outcomes)
