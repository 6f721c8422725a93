"""The parameter tree: defaults < conf/ < overrides, interpolated pipeline parameters, errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from pipeyard.config.params import base_tree, resolve_parameters
from pipeyard.errors import ConfigError, ParameterError
from pipeyard.model import (
    Component,
    Job,
    Parameter,
    Pipeline,
    PipelineInput,
    PipelineInputRef,
    PortType,
    Value,
)

TRAINER = Component(
    "trainer",
    parameters=(
        Parameter("lr", PortType.NUMBER, 0.1),
        Parameter("epochs", PortType.INTEGER, 3),
        Parameter("optimizer", PortType.STRING, optional=True, choices=("sgd", "adam")),
        Parameter("shuffle", PortType.BOOLEAN, True),
    ),
    command="echo ${{inputs.lr}}",
)
REPORT = Component("report", command="echo done")


def pipeline(**job_parameters) -> Pipeline:
    return Pipeline(
        "demo",
        jobs=(
            Job("train", TRAINER, parameters={"lr": PipelineInputRef("lr"), **job_parameters}),
            Job("tune", TRAINER, parameters={"epochs": Value(7)}),
            Job("report", REPORT),
        ),
        inputs=(PipelineInput("lr", PortType.NUMBER, 0.01),),
    )


@pytest.fixture
def conf(tmp_path):
    """A conf/ folder with config.yaml and a config group per step."""
    folder = tmp_path / "conf"
    (folder / "train").mkdir(parents=True)
    (folder / "config.yaml").write_text("tune:\n  lr: 0.3\n  epochs: 5\n")
    (folder / "train" / "large.yaml").write_text("epochs: 50\n")
    (folder / "train" / "small.yaml").write_text("epochs: 1\n")
    return folder


def test_defaults_and_bindings_without_configuration():
    resolved = resolve_parameters(pipeline(), None, [])
    assert resolved.tree == {
        "inputs": {"lr": 0.01},
        "train": {"lr": 0.01, "epochs": 3, "optimizer": None, "shuffle": True},
        "tune": {"lr": 0.1, "epochs": 7, "optimizer": None, "shuffle": True},
    }
    assert "report" not in resolved  # steps without parameters are left out
    assert resolved["train"]["lr"] == 0.01 and resolved.notes == ()


def test_base_tree_interpolates_pipeline_parameters():
    assert base_tree(pipeline())["train"]["lr"] == "${inputs.lr}"


def test_pipeline_parameter_moves_every_step_that_follows_it():
    resolved = resolve_parameters(pipeline(), None, ["inputs.lr=0.2"])
    assert resolved["train"]["lr"] == 0.2
    assert resolved["tune"]["lr"] == 0.1


def test_a_step_override_moves_that_step_alone():
    resolved = resolve_parameters(pipeline(), None, ["train.lr=0.5"])
    assert resolved["train"]["lr"] == 0.5
    assert resolved["inputs"]["lr"] == 0.01


def test_conf_beats_defaults_and_overrides_beat_conf(conf):
    resolved = resolve_parameters(pipeline(), conf, [])
    assert resolved["tune"] == {"lr": 0.3, "epochs": 5, "optimizer": None, "shuffle": True}
    resolved = resolve_parameters(pipeline(), conf, ["tune.epochs=9"])
    assert resolved["tune"]["epochs"] == 9 and resolved["tune"]["lr"] == 0.3


def test_config_group_selected_on_the_command_line(conf):
    assert resolve_parameters(pipeline(), conf, ["train=large"])["train"]["epochs"] == 50
    assert resolve_parameters(pipeline(), conf, [])["train"]["epochs"] == 3


def test_config_group_selected_by_the_defaults_list(conf):
    (conf / "config.yaml").write_text("defaults:\n  - train: small\n  - _self_\n")
    assert resolve_parameters(pipeline(), conf, [])["train"]["epochs"] == 1
    assert resolve_parameters(pipeline(), conf, ["train=large"])["train"]["epochs"] == 50
    resolved = resolve_parameters(pipeline(), conf, ["train=large", "train.epochs=2"])
    assert resolved["train"]["epochs"] == 2


def test_selected_group_beats_config_yaml(conf):
    (conf / "config.yaml").write_text("train:\n  epochs: 4\n")
    assert resolve_parameters(pipeline(), conf, [])["train"]["epochs"] == 4
    assert resolve_parameters(pipeline(), conf, ["train=large"])["train"]["epochs"] == 50


def test_conf_without_config_yaml(tmp_path):
    (tmp_path / "conf" / "train").mkdir(parents=True)
    (tmp_path / "conf" / "train" / "large.yaml").write_text("epochs: 50\n")
    resolved = resolve_parameters(pipeline(), tmp_path / "conf", ["train=large"])
    assert resolved["train"]["epochs"] == 50


def test_added_and_removed_keys(conf):
    resolved = resolve_parameters(pipeline(), conf, ["+train.extra=1", "~train.shuffle"])
    assert resolved["train"]["extra"] == 1
    assert "shuffle" not in resolved["train"]
    assert len(resolved.notes) == 1
    assert "'extra' is not a parameter of component 'trainer'" in resolved.notes[0]


def test_changing_an_unknown_key_suggests_plus():
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(pipeline(), None, ["train.extra=1"])
    assert "'extra' is not a parameter of 'train'" in caught.value.message
    assert "+train.extra=1" in caught.value.hint


def test_type_error_names_step_parameter_type_and_override():
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(pipeline(), None, ["tune.epochs=many"])
    error = caught.value
    assert error.location.step == "tune"
    assert "'epochs' expects integer" in error.message
    assert "tune.epochs=many" in error.hint


def test_type_error_through_a_pipeline_parameter_names_that_override():
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(pipeline(), None, ["inputs.lr=fast"])
    assert "inputs.lr=fast" in str(caught.value)


def test_values_are_coerced_to_declared_types():
    resolved = resolve_parameters(pipeline(), None, ["tune.shuffle=no", "tune.lr=1"])
    assert resolved["tune"]["shuffle"] is False
    assert resolved["tune"]["lr"] == 1


def test_choices_are_checked():
    with pytest.raises(ParameterError, match="must be one of"):
        resolve_parameters(pipeline(), None, ["tune.optimizer=rmsprop"])


def test_required_parameter_without_value():
    component = Component("needs", parameters=(Parameter("seed", PortType.INTEGER),), command="x")
    required = Pipeline("p", jobs=(Job("a", component),))
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(required, None, [])
    assert caught.value.location.step == "a" and "a.seed=" in caught.value.hint
    assert resolve_parameters(required, None, ["a.seed=3"])["a"] == {"seed": 3}


def test_unknown_step_in_conf_suggests_the_closest(conf):
    (conf / "config.yaml").write_text("trian:\n  lr: 1\n")
    with pytest.raises(ParameterError, match="did you mean 'train'"):
        resolve_parameters(pipeline(), conf, [])


def test_unknown_step_in_an_override_suggests_the_closest():
    with pytest.raises(ParameterError, match="did you mean 'train'"):
        resolve_parameters(pipeline(), None, ["trian.lr=1"])


def test_unknown_group_option_lists_the_options(conf):
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(pipeline(), conf, ["train=huge"])
    assert caught.value.message == "override 'train=huge': conf/train/ has no option 'huge'"
    assert "large, small" in caught.value.hint
    assert "search path" not in str(caught.value)


@pytest.mark.parametrize(
    ("override", "said", "hint"),
    [
        ("train.lr", "override 'train.lr' has no value: write train.lr=VALUE", "~train.lr"),
        ("train.lr=[1,", "override 'train.lr=[1,': '[' in the value '[1,' is not closed", "'train.lr=[1,]'"),
        ("=3", "override '=3' has no key before '=': write KEY=3", "train.lr=3"),
        ("train.lr=a=b", "override 'train.lr=a=b' has a second '=' in its value", "train.lr='a=b'"),
        ("train lr=1", "'train lr' in override 'train lr=1' is not a parameter name", "train.lr=0.01"),
        ("train.lr=)", "override 'train.lr=)' cannot be read: ')' is not expected there", "+train.extra=1"),
    ],
)
def test_grammar_errors_say_what_to_write(override, said, hint):
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(pipeline(), None, [override])
    text = str(caught.value)
    assert "Traceback" not in text and "hydra.cc" not in text and "EQUAL" not in text
    assert caught.value.message == said
    assert hint in caught.value.hint


def test_sweep_values_in_a_single_run_are_refused_with_a_hint():
    with pytest.raises(ParameterError, match="pipeyard run -m"):
        resolve_parameters(pipeline(), None, ["train.lr=0.1,0.2"])


def test_literal_dollar_braces_stay_literal(tmp_path):
    component = Component("echo", parameters=(Parameter("text", PortType.STRING),), command="x")
    literal = Pipeline("p", jobs=(Job("say", component, parameters={"text": Value("${HOME}")}),))
    assert resolve_parameters(literal, None, [])["say"]["text"] == "${HOME}"
    assert resolve_parameters(literal, tmp_path, [])["say"]["text"] == "${HOME}"


def test_hydra_state_is_clean_after_calls(conf):
    from hydra.core.global_hydra import GlobalHydra

    resolve_parameters(pipeline(), conf, ["train=large"])
    assert not GlobalHydra.instance().is_initialized()
    with pytest.raises(ParameterError):
        resolve_parameters(pipeline(), conf, ["train=huge"])
    assert not GlobalHydra.instance().is_initialized()


def test_works_inside_a_callers_hydra_and_restores_it(conf, tmp_path):
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    with initialize_config_dir(config_dir=str(tmp_path), version_base="1.3"):
        outer = GlobalHydra.instance().hydra
        assert resolve_parameters(pipeline(), conf, ["train=large"])["train"]["epochs"] == 50
        assert GlobalHydra.instance().hydra is not None
        assert type(GlobalHydra.instance().hydra) is type(outer)
    assert not GlobalHydra.instance().is_initialized()


def test_without_conf_and_overrides_hydra_is_not_imported():
    script = textwrap.dedent(
        """
        import sys
        from pipeyard.config import resolve_parameters
        from pipeyard.model import Component, Job, Parameter, Pipeline, PortType
        c = Component("c", parameters=(Parameter("n", PortType.INTEGER, 1),), command="x")
        print(resolve_parameters(Pipeline("p", jobs=(Job("a", c),)), None, [])["a"]["n"])
        print("hydra" in sys.modules, "omegaconf" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "False", "False"]


def test_broken_conf_yaml_names_file_and_line(conf):
    (conf / "config.yaml").write_text("tune:\n  lr: [1,\n")
    with pytest.raises(ConfigError) as caught:
        resolve_parameters(pipeline(), conf, [])
    assert caught.value.location.file.endswith("config.yaml")
    assert caught.value.location.line == 3


def test_missing_conf_folder(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        resolve_parameters(pipeline(), tmp_path / "nope", [])
