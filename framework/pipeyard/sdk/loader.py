"""Import a user's ``pipeline.py`` by path and build the pipeline it declares."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ..errors import DefinitionError, Location, PipeyardError, ReferenceError_, did_you_mean, known
from .ports import relative_location
from .recording import PipelineDefinition

if TYPE_CHECKING:
    from ..model import Pipeline


def split_target(text: str | os.PathLike) -> tuple[str, str | None]:
    """'pipeline.py:training' -> ('pipeline.py', 'training'); a plain path -> (path, None)."""
    text = os.fspath(text)
    head, sep, tail = text.rpartition(":")
    if sep and head.endswith(".py") and tail.isidentifier():
        return head, tail
    return text, None


def load_pipeline_module(path: Path, root: Path, name: str | None = None) -> Pipeline:
    """Import the Python file at path and build its ``@pipeline`` (or the one called name).

    path may also be written ``file.py:name``. The project root is on sys.path during the
    import only; modules imported from the project are forgotten afterwards so another
    project loaded in the same process gets its own. Errors in user code become a
    DefinitionError naming file:line.
    """
    file_text, target = split_target(path)
    name = name or target
    root = Path(os.path.abspath(root))
    file = Path(os.path.abspath(os.path.join(root, file_text)))
    shown = _shown(file, root)
    if not file.is_file():
        raise ReferenceError_(f"pipeline file {shown} not found", hint="check the path")
    module = import_project_file(file, root)
    found = {
        value.name: value
        for value in vars(module).values()
        if isinstance(value, PipelineDefinition) and value.__module__ == module.__name__
    }
    if name is not None:
        if name not in found:
            raise ReferenceError_(
                f"{shown} has no @pipeline named '{name}'{did_you_mean(name, found)}",
                location=Location(shown),
                hint=f"pipelines in it: {known(found)}",
            )
        chosen = found[name]
    elif len(found) == 1:
        chosen = next(iter(found.values()))
    elif not found:
        raise DefinitionError(
            f"{shown} declares no @pipeline function",
            location=Location(shown),
            hint="decorate the function that wires your steps with @pipeline",
        )
    else:
        raise DefinitionError(
            f"{shown} declares several pipelines: {known(found)}",
            location=Location(shown),
            hint=f"choose one with {shown}:{min(found)}",
        )
    with _project_on_path(root):
        try:
            return chosen.build(root)
        except PipeyardError:
            raise
        except Exception as exc:
            raise _user_code_error(exc, root, f"building pipeline '{chosen.name}' failed") from exc


def import_project_file(file: Path, root: Path) -> ModuleType:
    """Import file under a unique module name with root on sys.path; forget project modules after."""
    module_name = "_pipeyard_definition_" + hashlib.sha1(str(file).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise DefinitionError(f"cannot import {_shown(file, root)}", hint="is it a Python file?")
    module = importlib.util.module_from_spec(spec)
    before = set(sys.modules)
    sys.modules[module_name] = module
    try:
        with _project_on_path(root):
            spec.loader.exec_module(module)
    except PipeyardError as error:
        error.location = relative_location(error.location, root)
        raise
    except SyntaxError as exc:
        where = Location(_shown(Path(exc.filename or file), root), exc.lineno)
        raise DefinitionError(
            f"syntax error: {exc.msg}",
            location=where,
            hint="fix that line (or the one above it: an unclosed bracket or quote shows up on the next line)",
        ) from None
    except Exception as exc:
        raise _user_code_error(exc, root, f"importing {_shown(file, root)} failed") from exc
    finally:
        sys.modules.pop(module_name, None)
        _forget_project_modules(before, root)
    return module


class _project_on_path:
    """Context manager: root first on sys.path, the previous sys.path restored after."""

    def __init__(self, root: Path):
        self.root = str(root)

    def __enter__(self) -> None:
        self.saved = list(sys.path)
        sys.path.insert(0, self.root)

    def __exit__(self, *exc_info) -> None:
        sys.path[:] = self.saved


def _forget_project_modules(before: set[str], root: Path) -> None:
    prefix = str(root) + os.sep
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None) or ""
        if os.path.abspath(file).startswith(prefix):
            del sys.modules[name]


def _user_code_error(exc: Exception, root: Path, what: str) -> DefinitionError:
    """A DefinitionError at the innermost line of user code inside root that raised exc."""
    where = None
    prefix = str(root) + os.sep
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename).startswith(prefix):
            where = Location(_shown(Path(frame.filename), root), frame.lineno)
    return DefinitionError(
        f"{what}: {type(exc).__name__}: {exc}",
        location=where,
        hint="fix the error in your code; set PIPEYARD_TRACEBACK=1 to see the traceback",
    )


def _shown(file: Path, root: Path) -> str:
    relative = os.path.relpath(os.path.abspath(file), root)
    return Path(relative).as_posix() if not relative.startswith(os.pardir) else str(file)
