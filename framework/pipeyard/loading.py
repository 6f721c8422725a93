"""Find the pipeline definition of a project and load it, whatever language it is written in."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .azure_yaml import load_pipeline_yaml
from .errors import DefinitionError, ParameterError, ReferenceError_, known
from .sdk import load_pipeline_module
from .sdk.loader import split_target

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .azure_yaml import ComponentResolver
    from .model import Pipeline, PipelineInput

INPUTS_KEY = "inputs"  # `inputs.<name>=<path>` sets the path of the pipeline's data input <name>

CANDIDATES = ("pipeline.yml", "pipeline.yaml", "pipeline.py")
YAML_SUFFIXES = (".yml", ".yaml")


def find_pipeline_file(root: Path, explicit: str | None) -> Path:
    """The pipeline file: explicit (relative to root; ``file.py:name`` picks one pipeline)
    or the only one of pipeline.yml / pipeline.yaml / pipeline.py in root."""
    root = Path(root)
    if explicit:
        file, name = split_target(explicit)
        path = Path(os.path.join(root, file))
        if path.is_dir():
            raise ReferenceError_(
                f"'{file}' is a folder, not a pipeline file",
                hint=f"name the file itself, e.g. --pipeline {os.path.join(file, CANDIDATES[0])}",
            )
        if not path.is_file():
            raise ReferenceError_(
                f"pipeline file '{file}' not found in {root}",
                hint=f"give a path relative to the project root, e.g. {CANDIDATES[0]}",
            )
        if path.suffix not in (*YAML_SUFFIXES, ".py"):
            raise DefinitionError(
                f"'{file}' is neither YAML (.yml, .yaml) nor Python (.py)",
                hint="pipelines are Azure ML YAML files or Python files",
            )
        return Path(f"{path}:{name}") if name else path
    found = [root / name for name in CANDIDATES if (root / name).is_file()]
    if not found:
        raise ReferenceError_(
            f"no pipeline file in {root}",
            hint=f"create one of {', '.join(CANDIDATES)}, or name one with --pipeline <file>",
        )
    if len(found) > 1:
        raise DefinitionError(
            f"several pipeline files in {root}: {known(p.name for p in found)}",
            hint="keep one, or choose with --pipeline <file>",
        )
    return found[0]


def load_pipeline(
    path: Path,
    root: Path,
    *,
    resolve_component: ComponentResolver | None = None,
    input_paths: Mapping[str, str] | None = None,
) -> Pipeline:
    """The Pipeline defined at path: Azure ML YAML (.yml/.yaml) or Python (.py[:name]).

    resolve_component finds registered components that YAML pipelines name
    (``component: azureml:train:1``); the session builds it from the project's registries.
    input_paths ({name: path}, from ``input_path_overrides``) replace the paths of the
    pipeline's data inputs of those names (checked by ``check_input_path``); names of
    parameters or of no input are left alone.
    """
    file, _ = split_target(path)
    suffix = Path(file).suffix
    given = dict(input_paths or {})

    def set_input(pipeline_input: PipelineInput) -> PipelineInput:
        if pipeline_input.name not in given or not pipeline_input.type.is_artifact:
            return pipeline_input
        text = given[pipeline_input.name]
        checked = check_input_path(pipeline_input.name, text, pipeline_input.type.value, Path(root))
        return replace(pipeline_input, default=checked)

    if suffix in YAML_SUFFIXES:
        return load_pipeline_yaml(
            Path(file),
            Path(root),
            resolve_component=resolve_component,
            set_input=set_input if given else None,
        )
    if suffix == ".py":
        pipeline = load_pipeline_module(Path(path), Path(root))
        return replace(pipeline, inputs=tuple(set_input(i) for i in pipeline.inputs)) if given else pipeline
    raise DefinitionError(
        f"'{file}' is neither YAML (.yml, .yaml) nor Python (.py)",
        hint="pipelines are Azure ML YAML files or Python files",
    )


def input_path_overrides(overrides: Iterable[str]) -> dict[str, str]:
    """``{name: text}`` of every ``inputs.<name>=<text>`` override: the candidates for data paths."""
    found = {}
    for override in overrides:
        key, sep, value = override.partition("=")
        parts = key.strip().split(".")
        if sep and len(parts) == 2 and parts[0] == INPUTS_KEY:
            found[parts[1]] = value.strip()
    return found


def is_input_path_override(override: str, data_inputs: Iterable[str]) -> bool:
    """Whether override sets the path of one of data_inputs (so Hydra must not see it)."""
    return any(name in set(data_inputs) for name in input_path_overrides([override]))


def check_input_path(name: str, text: str, port_type: str, root: Path) -> str:
    """The path text of ``inputs.<name>=<text>`` relative to root, in POSIX form; ParameterError
    unless it is a local path inside the project that exists (or that DVC tracks) and fits the
    input's type (a file for uri_file, a folder for uri_folder)."""
    said = f"inputs.{name}={text}"
    hint = f"give a path inside the project, relative to its root (inputs.{name}=data/...)"
    if not text or "://" in text or text.startswith("azureml:"):
        raise ParameterError(f"{said}: data input '{name}' takes a local path", hint=hint)
    root = Path(root).resolve()
    target = (root / text).resolve()
    if target != root and root not in target.parents:
        raise ParameterError(f"{said}: '{text}' is outside the project ({root})", hint=hint)
    relative = target.relative_to(root).as_posix() if target != root else "."
    if not target.exists():
        if (root / f"{relative}.dvc").is_file():
            return relative  # tracked by DVC, fetched later (`dvc pull`)
        raise ParameterError(f"{said}: '{text}' does not exist", hint=hint)
    if port_type == "uri_file" and not target.is_file():
        raise ParameterError(
            f"{said}: data input '{name}' is a uri_file, but '{text}' is a folder", hint="name a file"
        )
    if port_type == "uri_folder" and not target.is_dir():
        raise ParameterError(
            f"{said}: data input '{name}' is a uri_folder, but '{text}' is a file", hint="name a folder"
        )
    return relative
