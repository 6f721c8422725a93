"""Nothing in pipeyard starts git or dvc except pipeyard.vcs (its `git.py` and `dvc.py`).

import-linter forbids importing GitPython or DVC outside pipeyard.vcs (pyproject.toml); this
scan catches the other way in, a subprocess: an argv literal that starts with "git" or "dvc",
`Path(...).with_name("dvc")` (the dvc beside this Python) and `shutil.which("git"|"dvc")`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pipeyard

PACKAGE = Path(pipeyard.__file__).parent
DOOR = PACKAGE / "vcs"
NOT_CODE = (PACKAGE / "project_templates" / "builtin", PACKAGE / "examples")  # what projects get
TOOLS = {"git", "dvc"}


def _is_tool(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in TOOLS


def _doors(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) of each way to start git or dvc in tree."""
    joined = {  # `" ".join(["dvc", ...])` makes text for a message, never a command line
        id(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
        for argument in node.args
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.List, ast.Tuple))
            and node.elts
            and _is_tool(node.elts[0])
            and id(node) not in joined
        ):
            yield node.lineno, f"a command line starting with {ast.unparse(node.elts[0])}"
        elif isinstance(node, ast.Call) and node.args and _is_tool(node.args[0]):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("with_name", "which"):
                yield node.lineno, f"{ast.unparse(node.func)}({ast.unparse(node.args[0])})"


def _modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if not path.is_relative_to(DOOR) and not any(path.is_relative_to(folder) for folder in NOT_CODE):
            yield path


def test_only_pipeyard_vcs_starts_git_or_dvc():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
        for path in _modules()
        for line, what in _doors(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    ]
    assert not found, "use pipeyard.vcs.git / pipeyard.vcs.dvc instead of:\n" + "\n".join(found)


def test_the_scan_sees_each_way_in():
    source = """
subprocess.run(["git", *args])
command = ("dvc", "repro")
Path(sys.executable).with_name("dvc")
shutil.which("git")
labels = {"git": 1}
message = " ".join(["dvc", *words[1:2]])
"""
    assert sorted(line for line, _ in _doors(ast.parse(source))) == [2, 3, 4, 5]


def test_the_scan_reads_the_package():
    assert DOOR.is_dir() and sum(1 for _ in _modules()) > 100
