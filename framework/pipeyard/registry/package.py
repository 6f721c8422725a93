"""Turn a component in a project into a registry version folder (staged in a temporary folder).

A YAML command component becomes ``component.yml`` (with ``code: ./src`` and its version
set) plus a copy of its code folder in ``src/``. A Python step (``steps/train.py:train``)
becomes its module and the local modules it imports under ``src/``, at the same paths they
have in the project. Both get a manifest with their interface.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from ..azure_yaml import load_component_yaml
from ..compile.codedeps import CodeDependencies
from ..errors import DefinitionError, ReferenceError_, UnsupportedError
from ..model import Component
from ..sdk.loader import split_target
from ..yamlio import to_yaml
from .manifest import KIND_COMMAND, KIND_PYTHON, manifest_of
from .python_steps import check_relocatable, load_step_component
from .references import is_version
from .store import MANIFEST_FILE, copy_tree

DEFINITION_FILE = "component.yml"
CODE_FOLDER = "src"


@dataclass(frozen=True)
class StagedComponent:
    """A version folder ready to be added to a registry."""

    name: str
    version: str
    kind: str
    description: str
    folder: Path


def stage_component(target: str, root: Path, version: str | None, into: Path) -> StagedComponent:
    """Validate the component at target (a YAML file, or ``file.py:function``; relative to
    the current folder or absolute) and write its version folder into the empty folder into."""
    file, function = split_target(target)
    path = Path(os.path.abspath(file))
    if not path.is_file():
        raise ReferenceError_(
            f"'{file}' not found", hint="give the component's YAML file or steps/<module>.py:<function>"
        )
    root = Path(os.path.abspath(root))
    if path.suffix == ".py":
        if function is None:
            raise DefinitionError(
                f"'{file}' is a Python module; name the step in it",
                hint=f"pipeyard component register {file}:<function>",
            )
        return _stage_python(path, function, root, version, into)
    if path.suffix not in (".yml", ".yaml"):
        raise DefinitionError(
            f"'{file}' is neither a YAML component nor a Python module",
            hint="register components/<name>.yml or steps/<module>.py:<function>",
        )
    return _stage_yaml(path, root, version, into)


def _project_of(path: Path, root: Path) -> Path:
    """root when path lies inside it, else the file's own folder."""
    return root if _inside(path, root) else path.parent


def _inside(path: Path, folder: Path) -> bool:
    return not os.path.relpath(path, folder).startswith(os.pardir)


def _checked_version(version: str, name: str) -> str:
    if not is_version(version):
        raise DefinitionError(
            f"'{version}' cannot be the version of '{name}'",
            hint="versions use letters, digits, '.', '_' and '-', e.g. 3 or 1.2.0",
        )
    return version


def _stage_yaml(path: Path, root: Path, version: str | None, into: Path) -> StagedComponent:
    project = _project_of(path, root)
    component = load_component_yaml(path, project)
    if component.environment_files:
        raise UnsupportedError(
            f"component '{component.name}' uses local environment files "
            f"({', '.join(component.environment_files)}), which registries do not carry yet",
            hint="name the environment (azureml:env:1, an image) or inline it",
        )
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    if spec.get("additional_includes"):
        raise UnsupportedError(
            f"component '{component.name}' uses additional_includes, which registries do not carry yet",
            hint="move those files into its code folder",
        )
    version = _checked_version(str(version or component.version), component.name)
    spec["version"] = version
    if component.code:
        copy_tree(project / component.code[0], into / CODE_FOLDER)
        spec["code"] = f"./{CODE_FOLDER}"
    (into / DEFINITION_FILE).write_text(to_yaml(spec), encoding="utf-8")
    copied = load_component_yaml(into / DEFINITION_FILE, into)  # the copy must stand on its own
    _write_manifest(into, manifest_of(copied, version=version, kind=KIND_COMMAND, definition=DEFINITION_FILE))
    return StagedComponent(copied.name, version, KIND_COMMAND, copied.description, into)


def _stage_python(path: Path, function: str, root: Path, version: str | None, into: Path) -> StagedComponent:
    if not _inside(path, root):
        raise DefinitionError(
            f"{path} lies outside the project ({root})",
            hint="register steps from inside the project that holds them",
        )
    file = Path(os.path.relpath(path, root)).as_posix()
    component = load_step_component(root, file, function)
    files = CodeDependencies(root).closure(file)
    check_relocatable(root, files)
    for relative in files:
        target = into / CODE_FOLDER / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((root / relative).read_bytes())
    version = _checked_version(str(version or component.version), component.name)
    module = str(PurePosixPath(CODE_FOLDER) / file)
    _write_manifest(into, manifest_of(component, version=version, kind=KIND_PYTHON, module=module))
    return StagedComponent(component.name, version, KIND_PYTHON, component.description, into)


def _write_manifest(folder: Path, manifest: dict) -> None:
    text = to_yaml(manifest)
    (folder / MANIFEST_FILE).write_text(text, encoding="utf-8")


def component_of_folder(folder: Path, root: Path, manifest: dict) -> Component:
    """The Component stored in a version folder that lies inside the project at root."""
    if manifest.get("kind") == KIND_PYTHON:
        module = Path(os.path.relpath(folder / str(manifest["module"]), root)).as_posix()
        return load_step_component(root, module, str(manifest["function"]))
    return load_component_yaml(folder / str(manifest.get("definition", DEFINITION_FILE)), root)
