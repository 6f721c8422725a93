"""Find the pipeline definition of a project and load it, whatever language it is written in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DefinitionError, ReferenceError_, known
from .model import Pipeline

if TYPE_CHECKING:
    from .azure_yaml import ComponentResolver

CANDIDATES = ("pipeline.yml", "pipeline.yaml", "pipeline.py")
YAML_SUFFIXES = (".yml", ".yaml")


def find_pipeline_file(root: Path, explicit: str | None) -> Path:
    """The pipeline file: explicit (relative to root; ``file.py:name`` picks one pipeline)
    or the only one of pipeline.yml / pipeline.yaml / pipeline.py in root."""
    from .sdk.loader import split_target

    root = Path(root)
    if explicit:
        file, name = split_target(explicit)
        path = Path(os.path.join(root, file))
        if not path.is_file():
            raise ReferenceError_(
                f"pipeline file '{file}' not found in {root}",
                hint=f"give a path relative to the project root, e.g. {CANDIDATES[0]}",
            )
        if path.suffix not in (*YAML_SUFFIXES, ".py"):
            raise DefinitionError(f"'{file}' is neither YAML (.yml, .yaml) nor Python (.py)",
                                  hint="pipelines are Azure ML YAML files or Python files")
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


def load_pipeline(path: Path, root: Path, *, resolve_component: ComponentResolver | None = None
                  ) -> Pipeline:
    """The Pipeline defined at path: Azure ML YAML (.yml/.yaml) or Python (.py[:name]).

    resolve_component finds registered components that YAML pipelines name
    (``component: azureml:train:1``); the session builds it from the project's registries.
    """
    from .sdk.loader import split_target

    file, _ = split_target(path)
    suffix = Path(file).suffix
    if suffix in YAML_SUFFIXES:
        from .azure_yaml import load_pipeline_yaml

        return load_pipeline_yaml(Path(file), Path(root), resolve_component=resolve_component)
    if suffix == ".py":
        from .sdk import load_pipeline_module

        return load_pipeline_module(Path(path), Path(root))
    raise DefinitionError(f"'{file}' is neither YAML (.yml, .yaml) nor Python (.py)",
                          hint="pipelines are Azure ML YAML files or Python files")
