"""`pipeyard component init`: argparse scripts (read with ast, never run) -> command components.

Golden files: the exact YAML each realistic script gives, and that it loads back.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_component_yaml
from pipeyard.errors import DefinitionError
from pipeyard.registry.from_script import component_from_script

TRAIN_SCRIPT = """\
'''Train a classifier on a CSV file.'''
import argparse

def main():
    parser = argparse.ArgumentParser(description="Train a model")
    parser.add_argument("--data", required=True, help="training data folder")
    parser.add_argument("--test-file", default="data/test.csv")
    parser.add_argument("--lr", "--learning-rate", type=float, default=0.01, help="learning rate (default %(default)s)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="adam")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--model-name", default="resnet")
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--model", default="model.pkl")
    args = parser.parse_args()

if __name__ == "__main__":
    main()
"""

TRAIN_YAML = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: train
version: '1'
display_name: train
description: Train a model
inputs:
  data:
    type: uri_folder
    description: training data folder
  test_file:
    type: uri_file
    optional: true
  lr:
    type: number
    default: 0.01
    description: learning rate (default 0.01)
  epochs:
    type: integer
    default: 10
  optimizer:
    type: string
    default: adam
    enum:
    - sgd
    - adam
  seed:
    type: integer
    optional: true
  verbose:
    type: boolean
    default: false
  model_name:
    type: string
    default: resnet
outputs:
  output_dir:
    type: uri_folder
  model:
    type: uri_file
code: ../src
command: >-
  python train.py --data ${{inputs.data}} $[[--test-file ${{inputs.test_file}}]] --lr ${{inputs.lr}}
  --epochs ${{inputs.epochs}} --optimizer ${{inputs.optimizer}} $[[--seed ${{inputs.seed}}]]
  --model-name ${{inputs.model_name}} --output-dir ${{outputs.output_dir}} --model ${{outputs.model}}
"""

PREPARE_SCRIPT = """\
import argparse
from pathlib import Path

raise SystemExit("never run me")

parser = argparse.ArgumentParser()
parser.add_argument("raw_data", type=Path, help="CSV file to split")
parser.add_argument("out_dir", help="where train/ and test/ go")
io = parser.add_argument_group("splitting")
io.add_argument("-f", "--test-fraction", dest="fraction", type=float, default=0.2)
io.add_argument("--shuffle", action="store_false")
parser.add_argument("--columns", nargs="+", default=["x", "y"])
parser.add_argument("--workers", type=lambda s: int(s), default=2)
"""

PREPARE_YAML = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: prepare
version: '1'
display_name: prepare
inputs:
  raw_data:
    type: uri_file
    description: CSV file to split
  fraction:
    type: number
    default: 0.2
  shuffle:
    type: boolean
    default: true
  columns:
    type: string
    default: x y
  workers:
    type: string
    default: '2'
outputs:
  out_dir:
    type: uri_folder
    description: where train/ and test/ go
code: ../src
command: >-
  python prepare.py ${{inputs.raw_data}} ${{outputs.out_dir}} --test-fraction ${{inputs.fraction}}
  --columns ${{inputs.columns}} --workers ${{inputs.workers}}
"""

EVALUATE_SCRIPT = """\
import argparse
import os

def parse():
    p = argparse.ArgumentParser(description="Evaluate a trained model.\\n\\nLonger text.")
    p.add_argument("--input-model", required=True)
    p.add_argument("--test_data", required=True, help="folder of test files")
    p.add_argument("--metrics-file", default="metrics.json")
    p.add_argument("--threshold", type=float, default=os.environ.get("THRESHOLD", 0.5))
    p.add_argument("--mode", choices=["fast", "full"])
    return p.parse_args()
"""

EVALUATE_YAML = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: evaluate
version: '1'
display_name: evaluate
description: Evaluate a trained model.
inputs:
  input_model:
    type: uri_folder
  test_data:
    type: uri_folder
    description: folder of test files
  threshold:
    type: number
    optional: true
  mode:
    type: string
    optional: true
    enum:
    - fast
    - full
outputs:
  metrics_file:
    type: uri_file
code: ../src
command: >-
  python evaluate.py --input-model ${{inputs.input_model}} --test_data ${{inputs.test_data}}
  --metrics-file ${{outputs.metrics_file}} $[[--threshold ${{inputs.threshold}}]] $[[--mode
  ${{inputs.mode}}]]
"""


CASES = [
    ("train", TRAIN_SCRIPT, TRAIN_YAML),
    ("prepare", PREPARE_SCRIPT, PREPARE_YAML),
    ("evaluate", EVALUATE_SCRIPT, EVALUATE_YAML),
]


def generated(tmp_path: Path, name: str, script: str):
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / f"{name}.py").write_text(script)
    (tmp_path / "components").mkdir(exist_ok=True)
    output = tmp_path / "components" / f"{name}.yml"
    made = component_from_script(tmp_path / "src" / f"{name}.py", output)
    output.write_text(made.text)
    return made, output


@pytest.mark.parametrize(("name", "script", "expected"), CASES, ids=[c[0] for c in CASES])
def test_golden_components_load_back(tmp_path, name, script, expected):
    made, output = generated(tmp_path, name, script)
    assert made.text == expected
    component = load_component_yaml(output, tmp_path)
    assert component.name == name
    assert component.code == ("src",)


def test_guesses_of_a_training_script(tmp_path):
    made, output = generated(tmp_path, "train", TRAIN_SCRIPT)
    component = load_component_yaml(output, tmp_path)
    assert [p.name for p in component.inputs] == ["data", "test_file"]
    assert component.input("data").optional is False  # required=True
    assert component.input("test_file").optional is True  # has a default path in the script
    assert {p.name: p.type.value for p in component.parameters} == {
        "lr": "number",
        "epochs": "integer",
        "optimizer": "string",
        "seed": "integer",
        "verbose": "boolean",
        "model_name": "string",
    }
    assert component.parameter("optimizer").choices == ("sgd", "adam")
    assert component.parameter("seed").optional and component.parameter("seed").default is None
    assert [o.name for o in component.outputs] == ["output_dir", "model"]
    assert "$[[--seed ${{inputs.seed}}]]" in component.command
    assert "--verbose" not in component.command
    review = {g.flag: g.review for g in made.guesses if g.review}
    assert set(review) == {"--test-file", "--verbose", "--model"}


def test_positional_arguments_come_first_in_the_command(tmp_path):
    made, output = generated(tmp_path, "prepare", PREPARE_SCRIPT)
    component = load_component_yaml(output, tmp_path)
    assert component.command.startswith("python prepare.py ${{inputs.raw_data}} ${{outputs.out_dir}} ")
    assert component.input("raw_data").type.value == "uri_file"  # its help says "CSV file"
    assert component.parameter("fraction").default == 0.2  # dest= names the port


def test_a_script_without_argparse_is_refused(tmp_path):
    (tmp_path / "plain.py").write_text("import sys\nprint(sys.argv)\n")
    with pytest.raises(DefinitionError) as caught:
        component_from_script(tmp_path / "plain.py", tmp_path / "plain.yml")
    assert "has no argparse.ArgumentParser" in caught.value.message
    assert "@step" in caught.value.hint


def test_code_is_relative_to_the_component_file(tmp_path):
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "run.py"
    script.write_text(
        textwrap.dedent("""
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--n", type=int, default=1)
    """)
    )
    made = component_from_script(script, tmp_path / "run.yml")
    assert "code: ./scripts\n" in made.text
    assert "command: >-\n  python run.py --n ${{inputs.n}}\n" in made.text
