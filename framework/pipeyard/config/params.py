"""The parameter tree of a pipeline: defaults < conf/ < command-line overrides, type-checked.

The tree has one key per job that has parameters and ``inputs`` for the pipeline's own
parameters::

    {"train": {"lr": 0.1, "epochs": 5}, "inputs": {"lr": 0.1}}

A job parameter bound to a pipeline parameter starts as the interpolation ``${inputs.lr}``, so
``inputs.lr=0.2`` moves every job that follows it while ``train.lr=0.5`` moves one job.

Composition uses Hydra's compose API. pipeyard writes a small primary config into a temporary
folder, holding the defaults tree; its defaults list is ``[_self_, config, <step>: null ...]``:
the user's ``conf/config.yaml`` (found through ``hydra.searchpath``) overrides the defaults,
and a selected config group per step (``conf/train/large.yaml`` via ``train=large``) overrides
config.yaml. A ``<step>: null`` placeholder is added for each ``conf/<step>/`` folder that
config.yaml's own defaults list does not name, so ``train=large`` works without ``+``, and
``+train=large`` (Hydra's form for a group the defaults list lacks) selects that place.
Overrides of Hydra itself (``hydra.*``) are refused in every mode (`overrides.py`).
Without a conf/ folder and without overrides the tree is built directly: no Hydra, no OmegaConf.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, Location, ParameterError, did_you_mean, known, not_utf8
from ..model.component import Parameter
from ..model.pipeline import Pipeline, PipelineInputRef, Value
from ..model.types import coerce_parameter
from .hydra_errors import PRIMARY_CONFIG, hydra_error
from .overrides import refuse_hydra_settings, select_placeholders
from .params_file import override_key

INPUTS_KEY = "inputs"
USER_CONFIG = "config"
_PRIMARY = PRIMARY_CONFIG


@dataclass(frozen=True)
class ResolvedParams(Mapping):
    """The resolved, type-checked parameter tree and notes (warnings) about it.

    It reads like the tree itself: ``resolved["train"]["lr"]``.
    """

    tree: Mapping[str, Any]
    notes: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        return self.tree[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tree)

    def __len__(self) -> int:
        return len(self.tree)

    __hash__ = None  # type: ignore[assignment]  # the tree is a dict


def base_tree(pipeline: Pipeline, *, for_omegaconf: bool = True) -> dict[str, dict[str, Any]]:
    """The parameter tree before any configuration: defaults, literal and pipeline bindings.

    For OmegaConf, parameters bound to pipeline parameters are ``${inputs.<name>}`` and
    literal ``${`` in strings is escaped; otherwise the tree holds the final values.
    """
    escape = _escape if for_omegaconf else (lambda value: value)
    tree: dict[str, dict[str, Any]] = {}
    inputs = {i.name: i.default for i in pipeline.inputs if not i.type.is_artifact}
    if inputs:
        tree[INPUTS_KEY] = {name: escape(value) for name, value in inputs.items()}
    for job in pipeline.jobs:
        values: dict[str, Any] = {}
        for parameter in job.component.parameters:
            binding = job.parameters.get(parameter.name)
            if isinstance(binding, Value):
                values[parameter.name] = escape(binding.value)
            elif isinstance(binding, PipelineInputRef):
                values[parameter.name] = (
                    f"${{{INPUTS_KEY}.{binding.name}}}" if for_omegaconf else inputs.get(binding.name)
                )
            else:
                values[parameter.name] = escape(parameter.default)
        if values:
            tree[job.name] = values
    return tree


def resolve_parameters(
    pipeline: Pipeline, conf_dir: Path | None, overrides: Sequence[str] = ()
) -> ResolvedParams:
    """Compose, resolve and type-check the parameters of every job of pipeline.

    Precedence: component defaults and literal bindings < conf/config.yaml < the selected
    config group per step < overrides (Hydra's grammar). Raises ParameterError for bad
    overrides, wrong types, unknown steps and required parameters left without a value;
    ConfigError for a conf/ file that is not valid YAML.
    """
    overrides = list(overrides)
    refuse_hydra_settings(overrides)
    if conf_dir is None and not overrides:
        tree = base_tree(pipeline, for_omegaconf=False)  # nothing to compose: no Hydra at all
    else:
        base = base_tree(pipeline)
        if conf_dir is not None and not Path(conf_dir).is_dir():
            raise ParameterError(
                f"config folder '{conf_dir}' does not exist",
                hint="create it, or set conf_dir in pipeyard.yaml",
            )
        with hydra_composer(pipeline, base, conf_dir) as compose:
            tree = compose(overrides)
    notes = _check(pipeline, tree, overrides, conf_dir)
    return ResolvedParams(tree=tree, notes=notes)


# --- composition -----------------------------------------------------------------------------


def _escape(value: Any) -> Any:
    """Keep a literal '${' in a string from being read as an interpolation."""
    if isinstance(value, str) and "${" in value:
        return value.replace("${", "\\${")
    return value


@contextmanager
def hydra_composer(
    pipeline: Pipeline, base: dict, conf_dir: Path | None
) -> Iterator[Callable[[Sequence[str]], dict]]:
    """Yield ``compose(overrides) -> tree`` for pipeline; Hydra's global state is restored after.

    Compose many override lists inside one block (a sweep does) to set Hydra up only once.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    conf = Path(conf_dir).resolve() if conf_dir is not None else None
    with tempfile.TemporaryDirectory(prefix="pipeyard-conf-") as primary_dir:
        primary = _primary_config(pipeline, base, conf)
        (Path(primary_dir) / f"{_PRIMARY}.yaml").write_text(
            OmegaConf.to_yaml(OmegaConf.create(primary)), encoding="utf-8"
        )
        placeholders = {
            key
            for entry in primary["defaults"]
            if isinstance(entry, dict)
            for key, value in entry.items()
            if value is None
        }
        saved = Singleton.get_state()
        GlobalHydra.instance().clear()  # compose even inside a caller's own Hydra app

        def compose(overrides: Sequence[str]) -> dict:
            try:
                selected = select_placeholders(overrides, placeholders)
                cfg = hydra_compose(config_name=_PRIMARY, overrides=selected)
                tree = OmegaConf.to_container(cfg, resolve=True)
                assert isinstance(tree, dict)  # a composed config is a mapping
                return tree
            # Hydra raises a bare ValueError for some malformed overrides, e.g. '=3'
            except (HydraException, OmegaConfBaseException, yaml.YAMLError, ValueError) as exc:
                raise hydra_error(exc, pipeline, conf, overrides) from None

        try:
            with initialize_config_dir(config_dir=primary_dir, version_base="1.3"):
                yield compose
        finally:
            Singleton.set_state(saved)


def _primary_config(pipeline: Pipeline, base: dict, conf: Path | None) -> dict:
    defaults: list[Any] = ["_self_"]
    primary: dict[str, Any] = {}
    if conf is not None:
        primary["hydra"] = {"searchpath": [f"file://{conf}"]}
        user_config = conf / f"{USER_CONFIG}.yaml"
        named: set[str] = set()
        if user_config.is_file():
            defaults.append(USER_CONFIG)
            named = _groups_named_in(user_config)
        steps = {*pipeline.job_names, INPUTS_KEY}
        for folder in sorted(p.name for p in conf.iterdir() if p.is_dir()):
            if folder in steps and folder not in named:
                defaults.append({folder: None})
    primary["defaults"] = defaults
    primary.update(base)
    return primary


def _groups_named_in(config_file: Path) -> set[str]:
    """The config groups that a config file's own defaults list selects."""
    try:
        data = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return set()  # Hydra reports the error with its location when it loads the file
    except UnicodeDecodeError as exc:
        raise not_utf8(f"{config_file.parent.name}/{config_file.name}", exc, ConfigError) from None
    entries = data.get("defaults", []) if isinstance(data, dict) else []
    named = set()
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            for key in entry:
                group = str(key).split()[-1].lstrip("/").split("@")[0]
                named.add(group)
    return named


# --- checks ----------------------------------------------------------------------------------


def _check(
    pipeline: Pipeline, tree: dict, overrides: Sequence[str], conf_dir: Path | None
) -> tuple[str, ...]:
    """Type-check tree in place (values are coerced); return warnings."""
    jobs = {job.name: job for job in pipeline.jobs}
    for key in tree:
        if key not in jobs and key != INPUTS_KEY:
            choices = [*jobs, INPUTS_KEY]
            raise ParameterError(
                f"'{key}' is neither a step of pipeline '{pipeline.name}' nor 'inputs'"
                f"{did_you_mean(key, choices)}",
                hint=f"{_source_of(key, None, overrides, conf_dir)}; steps: {known(jobs)}",
            )
    inputs = tree.get(INPUTS_KEY, {})
    _require_mapping(INPUTS_KEY, inputs)
    for pipeline_input in pipeline.inputs:
        if pipeline_input.type.is_artifact:
            continue
        name = pipeline_input.name
        value = inputs.get(name)
        if value is None:
            if not pipeline_input.optional:
                raise ParameterError(
                    f"pipeline parameter '{name}' ({pipeline_input.type.value}) has no value",
                    hint=f"give it a default, or set it: {INPUTS_KEY}.{name}=<value>",
                )
            continue
        inputs[name] = _coerce(value, pipeline_input.type, f"{INPUTS_KEY}.{name}", None, overrides, conf_dir)
    notes: list[str] = []
    for job_name, values in tree.items():
        if job_name == INPUTS_KEY:
            continue
        _require_mapping(job_name, values)
        job = jobs[job_name]
        declared = {p.name: p for p in job.component.parameters}
        for key in values:
            if key not in declared:
                notes.append(
                    f"step '{job_name}': '{key}' is not a parameter of component "
                    f"'{job.component.name}'{did_you_mean(key, declared)}; kept in params.yaml"
                )
    for job in pipeline.jobs:
        values = tree.get(job.name, {})
        for parameter in job.component.parameters:
            _check_parameter(job.name, parameter, values, job, overrides, conf_dir)
    return tuple(notes)


def _check_parameter(job_name, parameter: Parameter, values: dict, job, overrides, conf_dir) -> None:
    value = values.get(parameter.name)
    where = Location(step=job_name)
    if value is None:
        if parameter.required:
            raise ParameterError(
                f"parameter '{parameter.name}' ({parameter.type.value}) has no value",
                location=where,
                hint=f"set it: {job_name}.{parameter.name}=<value>, or in conf/config.yaml",
            )
        return
    binding = job.parameters.get(parameter.name)
    follows = binding.name if isinstance(binding, PipelineInputRef) else None
    value = _coerce(value, parameter.type, parameter.name, job_name, overrides, conf_dir, follows)
    if parameter.choices and value not in parameter.choices:
        raise ParameterError(
            f"parameter '{parameter.name}' must be one of {list(parameter.choices)}, got {value!r}",
            location=where,
            hint=_source_of(job_name, parameter.name, overrides, conf_dir, follows),
        )
    values[parameter.name] = value


def _coerce(value, type_, name, job_name, overrides, conf_dir, follows=None) -> Any:
    where = Location(step=job_name) if job_name else None
    try:
        return coerce_parameter(value, type_, name=name, location=where)
    except ParameterError as exc:
        source = _source_of(job_name or name, name if job_name else None, overrides, conf_dir, follows)
        exc.hint = f"{source}; {exc.hint}" if exc.hint else source
        raise


def _require_mapping(key: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise ParameterError(
            f"'{key}' must hold a mapping of parameter names to values, got {value!r}",
            hint=f"e.g. {key}.<name>=<value>",
        )


def _source_of(key: str, parameter: str | None, overrides, conf_dir, follows: str | None = None) -> str:
    """Which override (or file) set the value at key[.parameter], in words."""
    wanted = [f"{key}.{parameter}" if parameter else key]
    if follows:
        wanted.append(f"{INPUTS_KEY}.{follows}")
    keys = [(override, override_key(override)) for override in reversed(list(overrides))]
    for override, set_key in keys:
        if set_key in wanted:
            return f"set by the override '{override}'"
    for override, set_key in keys:
        if set_key == key:
            return f"set by the config group selected with '{override}'"
        if parameter is None and set_key.split(".")[0] == key:
            return f"set by the override '{override}'"
    if conf_dir is not None:
        return f"set in {Path(conf_dir).name}/ (config.yaml or a config group)"
    return "set by the pipeline definition or the component's default"
