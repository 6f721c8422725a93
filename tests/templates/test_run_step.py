"""pipeyard.testing.steps.run_step: one step, alone, from a Python @step or a component YAML."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pipeyard import Dir, File, In, Metrics, Out, step
from pipeyard.errors import DefinitionError, ParameterError, StepFailed
from pipeyard.testing.steps import run_step


@step
def count_lines(
    text: In[File], counts: Out[Dir], report: Out[Metrics], scale: int = 1, label: str = "lines"
) -> None:
    """Count the lines of text; write counts/n.txt and a metrics report."""
    n = len(text.read_text().splitlines()) * scale
    (counts / "n.txt").write_text(str(n))
    report.write_text(json.dumps({label: n}))
    print(f"counted {n}")


@step
def forgets_its_output(result: Out[File]) -> None:
    """Writes nothing."""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.fixture
def text(tmp_path) -> Path:
    return write(tmp_path / "in" / "text.txt", "a\nb\nc\n")


def test_python_step_runs_in_process_with_defaults_and_default_output_paths(text, tmp_path):
    result = run_step(count_lines, tmp_path, inputs={"text": text})
    assert (result["counts"] / "n.txt").read_text() == "3"
    assert json.loads(result["report"].read_text()) == {"lines": 3}
    assert result["report"] == tmp_path / "outputs" / "report"
    assert set(result) == {"counts", "report"}
    assert result.params == {"scale": 1, "label": "lines"}
    assert "counted 3" in result.log


def test_python_step_takes_params_and_output_paths(text, tmp_path):
    result = run_step(
        count_lines,
        tmp_path,
        inputs={"text": text},
        params={"scale": 2},
        outputs={"report": "reports/r.json"},
    )
    assert result["report"] == tmp_path / "reports" / "r.json"
    assert json.loads(result["report"].read_text()) == {"lines": 6}


def test_python_step_parameters_are_type_checked(text, tmp_path):
    with pytest.raises(ParameterError, match="expects integer"):
        run_step(count_lines, tmp_path, inputs={"text": text}, params={"scale": "two"})
    with pytest.raises(ParameterError, match="did you mean 'scale'"):
        run_step(count_lines, tmp_path, inputs={"text": text}, params={"scael": 2})


def test_missing_or_absent_inputs_are_definition_errors(tmp_path):
    with pytest.raises(DefinitionError, match="needs input 'text'"):
        run_step(count_lines, tmp_path)
    with pytest.raises(DefinitionError, match="does not exist"):
        run_step(count_lines, tmp_path, inputs={"text": tmp_path / "missing.txt"})


def test_an_output_left_unwritten_fails_the_step(tmp_path):
    with pytest.raises(StepFailed, match="did not write its output 'result'"):
        run_step(forgets_its_output, tmp_path)


def test_anything_else_is_refused(tmp_path):
    with pytest.raises(DefinitionError, match="expects a @step function"):
        run_step(len, tmp_path)


@pytest.fixture
def project(tmp_path) -> Path:
    """A project with a command component whose code folder is src/."""
    root = tmp_path / "project"
    write(root / "pipeline.yml", "type: pipeline\njobs: {}\n")
    write(
        root / "src" / "count.py",
        """
        import json, sys
        text, counts, scale = sys.argv[1], sys.argv[2], int(sys.argv[3])
        n = len(open(text).read().splitlines()) * scale
        open(counts, "w").write(json.dumps({"n": n}))
        print("counted", n, "in", __import__("os").getcwd())
    """,
    )
    write(
        root / "components" / "count.yml",
        """
        type: command
        name: count
        inputs:
          text: {type: uri_file}
          scale: {type: integer, default: 1}
          prefix: {type: string, optional: true}
        outputs:
          counts: {type: uri_file, dvc: metrics}
        code: ../src
        command: >-
          python count.py ${{inputs.text}} ${{outputs.counts}} ${{inputs.scale}}
          $[[--prefix ${{inputs.prefix}}]]
    """,
    )
    return root


def test_component_command_runs_in_its_code_folder(project, text, tmp_path):
    result = run_step(
        project / "components" / "count.yml", tmp_path, inputs={"text": text}, params={"scale": 3}
    )
    assert json.loads(result["counts"].read_text()) == {"n": 9}
    assert f"in {project / 'src'}" in result.log
    assert result.params == {"scale": 3, "prefix": None}


def test_component_parameters_are_coerced_and_checked(project, text, tmp_path):
    component = project / "components" / "count.yml"
    assert json.loads(
        run_step(component, tmp_path, inputs={"text": text}, params={"scale": "2"})["counts"].read_text()
    ) == {"n": 6}
    with pytest.raises(ParameterError, match="expects integer"):
        run_step(component, tmp_path, inputs={"text": text}, params={"scale": "many"})
    with pytest.raises(ParameterError, match="has no parameter 'scal'"):
        run_step(component, tmp_path, inputs={"text": text}, params={"scal": 2})


def test_a_failing_command_raises_step_failed_with_its_output(project, tmp_path):
    empty = write(tmp_path / "empty.txt", "x\n")
    (project / "src" / "count.py").write_text("import sys\nprint('boom')\nsys.exit(3)\n")
    with pytest.raises(StepFailed, match="exited with status 3") as failure:
        run_step(project / "components" / "count.yml", tmp_path, inputs={"text": empty})
    assert "boom" in str(failure.value)
