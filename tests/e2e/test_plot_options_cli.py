"""Plots outputs take DVC's x / y / template, from Azure ML YAML and from Python steps, and
`dvc plots show` draws them with those columns."""

from __future__ import annotations

import json

import pytest
import yaml
from projects import new_project

pytestmark = pytest.mark.slow

COMPONENT = """
type: command
name: curve
outputs:
  curve:
    type: uri_file
    dvc: plots
    plot: {x: step, y: loss, template: linear, title: Training}
  other:
    type: uri_file
    dvc: plots
command: >-
  python -c "open('${{outputs.curve}}', 'w').write('step,loss,acc\\n1,0.9,0.1\\n2,0.5,0.6\\n');
  open('${{outputs.other}}', 'w').write('a,b\\n1,2\\n')"
"""

PIPELINE = """
type: pipeline
jobs:
  curve:
    type: command
    component: ./components/curve.yml
    outputs:
      curve: {type: uri_file, path: ./plots/curve.csv}
      other: {type: uri_file, path: ./plots/other.csv}
"""


def test_azure_yaml_plot_options_reach_dvc_yaml_and_dvc_plots(tmp_path):
    project = new_project(tmp_path / "p")
    project.write("components/curve.yml", COMPONENT)
    project.write("pipeline.yml", PIPELINE)
    project.run_json()
    plots = yaml.safe_load((project.root / "dvc.yaml").read_text())["stages"]["curve"]["plots"]
    (curve,), other = [p for p in plots if isinstance(p, dict)], [p for p in plots if isinstance(p, str)]
    ((path, options),) = curve.items()
    assert options == {"x": "step", "y": "loss", "template": "linear", "title": "Training"}
    assert len(other) == 1  # a plots output without options stays a plain path
    shown = project.dvc("plots", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    drawn = json.loads(shown.stdout)
    entry = drawn["data"][path][0] if "data" in drawn else drawn[path][0]
    text = json.dumps(entry)
    assert '"step"' in text and '"loss"' in text and "Training" in text


def test_an_unknown_plot_option_is_one_clear_line(tmp_path):
    project = new_project(tmp_path / "p")
    project.write("components/curve.yml", COMPONENT.replace("template: linear", "templat: linear"))
    project.write("pipeline.yml", PIPELINE)
    result = project.pipeyard("validate")
    assert result.returncode == 2, result.stderr
    assert "unknown plot option 'templat' (did you mean 'template'?)" in result.stderr
    assert "Traceback" not in result.stderr


STEPS = """
from pathlib import Path
from pipeyard import Out, Plots, pipeline, step


@step
def curve(out: Out[Plots(x="step", y=["loss", "acc"], template="scatter")]):
    Path(out).write_text("step,loss,acc\\n1,0.9,0.1\\n2,0.5,0.6\\n")


@pipeline
def main():
    curve(out="plots/curve.csv")
"""


def test_python_steps_take_plot_options(tmp_path):
    project = new_project(tmp_path / "p")
    project.write("pipeline.py", STEPS)
    result = project.pipeyard("compile")
    assert result.returncode == 0, result.stderr
    plots = yaml.safe_load((project.root / "dvc.yaml").read_text())["stages"]["curve"]["plots"]
    ((_, options),) = plots[0].items()
    assert options == {"x": "step", "y": ["loss", "acc"], "template": "scatter"}
