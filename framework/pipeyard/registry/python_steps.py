"""Python steps in registries: import a ``@step`` by file and name, and check it can move.

A step travels with the local modules it imports (its closure). Inside the registry and in
the consuming project it lives at another path, so it may reach its helpers only with
relative imports (``from .data import read``): an absolute import of a project module
(``from steps.data import read``) would find the consumer's own modules, or nothing.
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
from pathlib import Path, PurePosixPath

from ..errors import DefinitionError, Location, PipeyardError, ReferenceError_, did_you_mean, known
from ..model import Component
from ..sdk import Step
from ..sdk.build import build_component
from ..sdk.loader import import_project_file


def load_step_component(root: Path, file: str, qualname: str) -> Component:
    """The Component of the ``@step`` called qualname in file (relative to root)."""
    target = _import_attribute(root, file, qualname)
    if not isinstance(target, Step):
        raise DefinitionError(
            f"'{qualname}' in {file} is not a @step",
            location=Location(file),
            hint="decorate the function with @step (from pipeyard import step)",
        )
    return build_component(target, root)


def _import_attribute(root: Path, file: str, qualname: str):
    root = Path(os.path.abspath(root))
    parts = PurePosixPath(file).with_suffix("").parts
    saved_path, before = list(sys.path), set(sys.modules)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        if all(p.isidentifier() for p in parts):
            module = importlib.import_module(".".join(parts))
        else:
            module = import_project_file(root / file, root)
        target = module
        for part in qualname.split("."):
            if not hasattr(target, part):
                names = [n for n in vars(module) if not n.startswith("_")]
                raise ReferenceError_(
                    f"{file} has no '{qualname}'{did_you_mean(qualname, names)}",
                    location=Location(file),
                    hint=f"name a @step function: {file}:<function> (names there: {known(names)})",
                )
            target = getattr(target, part)
        return target
    except PipeyardError:
        raise
    except SyntaxError as exc:
        raise DefinitionError(f"syntax error: {exc.msg}", location=Location(file, exc.lineno)) from None
    except Exception as exc:
        raise DefinitionError(
            f"importing {file} failed: {type(exc).__name__}: {exc}",
            location=Location(file),
            hint="fix the error in the module; set PIPEYARD_TRACEBACK=1 to see the traceback",
        ) from exc
    finally:
        sys.path[:] = saved_path
        prefix = str(root) + os.sep
        for name in set(sys.modules) - before:
            if os.path.abspath(getattr(sys.modules[name], "__file__", None) or "").startswith(prefix):
                del sys.modules[name]


def check_relocatable(root: Path, files: tuple[str, ...]) -> None:
    """Refuse absolute imports of project modules in files (they break once the step moves)."""
    root = Path(root)
    for file in files:
        tree = ast.parse((root / file).read_text(encoding="utf-8"), filename=file)
        folder = PurePosixPath(file).parent
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if _is_local(root, folder, top):
                    raise DefinitionError(
                        f"it imports the project module '{name}' by its absolute name; "
                        "a registered step moves, so it cannot find it there",
                        location=Location(file, node.lineno),
                        hint="import it relatively (from .data import ...) and keep the helpers "
                        "in the step's package",
                    )


def _is_local(root: Path, folder: PurePosixPath, top: str) -> bool:
    for base in (root / folder, root, root / "src"):
        if (base / f"{top}.py").is_file() or (base / top).is_dir() and _has_python(base / top):
            return True
    return False


def _has_python(folder: Path) -> bool:
    return any(p.suffix == ".py" for p in folder.iterdir()) if folder.is_dir() else False
