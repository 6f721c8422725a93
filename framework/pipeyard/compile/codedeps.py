"""The code a step runs: a Python file and every local module it imports, found with ``ast``.

Only files under the project root count; the standard library and installed packages never
do. Imports resolve the way Python would when the step runs: against the folder of the step's
file, the project root and ``src/`` (in that order), plus relative imports from the importing
module's package. Imports inside functions and ``try`` blocks count too; dynamic imports
(``importlib.import_module``) cannot be seen.
"""

from __future__ import annotations

import ast
import posixpath
import re
import shlex
import sys
from pathlib import Path, PurePosixPath

from ..errors import DefinitionError, Location
from ..model.project_layout import ENVIRONMENT_FILES

_STDLIB = frozenset(sys.stdlib_module_names)
_INSTALLED = frozenset({"site-packages", "dist-packages"})
_PYTHON = re.compile(r"^python(?:\d+(?:\.\d+)?)?$")
_SHELL_OPERATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", "`"})
PARALLEL_DRIVER = "pipeyard.parallel"  # `python -m pipeyard.parallel --entry-script <script> ...`
_PLACEHOLDER = re.compile(r"\$\{\{.*?\}\}|\$\[\[|\]\]")


class CodeDependencies:
    """Finds the local modules that Python files import; parses each file once per instance.

    Create one per compilation: it caches what it reads, so a change on disk between two
    compilations is always seen.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._direct: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
        self._closures: dict[str, tuple[str, ...]] = {}
        self._environment: list[str | None] = []

    def closure(self, file: str) -> tuple[str, ...]:
        """file and every local module it imports, directly or not (sorted POSIX paths)."""
        if file in self._closures:
            return self._closures[file]
        if not (self.root / file).is_file():
            raise DefinitionError(
                f"the step's file '{file}' does not exist",
                location=Location(file=file),
                hint="paths are relative to the project root",
            )
        roots = _search_roots(file, self.root)
        seen = {file}
        pending = [file]
        while pending:
            for found in self._imports_of(pending.pop(), roots):
                if found not in seen:
                    seen.add(found)
                    pending.append(found)
        self._closures[file] = result = tuple(sorted(seen))
        return result

    def command_files(self, command: str, folder: str) -> tuple[str, ...] | None:
        """The code a ``python <script> ...`` command run in folder reads: the script, the local
        modules it imports, and the files of folder the command names (with their imports when
        they are Python). None when the command is anything else (several commands, a shell
        construct, ``python -m``, a script that is not in folder): then the whole folder counts.
        """
        named = command_tokens(command)
        if named is None:
            return None
        script, arguments = named
        files = [f for f in (_inside(folder, t) for t in (script, *arguments)) if f is not None]
        script_file = _inside(folder, script)
        if script_file is None or not self._is_file(script_file):
            return None
        found: set[str] = set()
        for file in files:
            if self._is_file(file):
                found.update(self.closure(file) if file.endswith(".py") else (file,))
        return tuple(sorted(found))

    def environment_file(self) -> str | None:
        """The project's lock or requirements file (the first of ENVIRONMENT_FILES), or None."""
        if not self._environment:
            found = next((n for n in ENVIRONMENT_FILES if (self.root / n).is_file()), None)
            self._environment.append(found)
        return self._environment[0]

    def _imports_of(self, file: str, roots: tuple[str, ...]) -> tuple[str, ...]:
        key = (file, roots)
        if key not in self._direct:
            self._direct[key] = tuple(sorted(self._resolve_all(file, roots)))
        return self._direct[key]

    def _resolve_all(self, file: str, roots: tuple[str, ...]) -> set[str]:
        tree = self._parse(file)
        found: set[str] = set()
        package = PurePosixPath(file).parent
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found |= self._absolute(alias.name, roots)
            elif isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names if a.name != "*"]
                if node.level == 0 and node.module:
                    found |= self._absolute(node.module, roots)
                    for name in names:
                        found |= self._absolute(f"{node.module}.{name}", roots)
                elif node.level > 0:
                    found |= self._relative(package, node.level, node.module, names)
        return found

    def _parse(self, file: str) -> ast.AST:
        path = self.root / file
        try:
            return ast.parse(path.read_bytes(), filename=file)
        except SyntaxError as exc:
            raise DefinitionError(
                f"cannot read the imports of '{file}': {exc.msg}",
                location=Location(file=file, line=exc.lineno),
                hint="fix the syntax error; pipeyard reads imports to know what code a step runs",
            ) from None

    def _absolute(self, module: str, roots: tuple[str, ...]) -> set[str]:
        parts = module.split(".")
        if parts[0] in _STDLIB:
            return set()
        for base in roots:
            top = PurePosixPath(base, parts[0]) if base else PurePosixPath(parts[0])
            if self._is_file(f"{top}.py") or (self.root / top).is_dir():
                return self._module_files(PurePosixPath(base) if base else None, parts)
        return set()

    def _relative(self, package: PurePosixPath, level: int, module: str | None, names) -> set[str]:
        base = package
        for _ in range(level - 1):
            if base == PurePosixPath("."):
                return set()  # above the project root
            base = base.parent
        parts = module.split(".") if module else []
        found = self._module_files(base, parts) if parts else self._package_init(base)
        for name in names:
            found |= self._module_files(base, [*parts, name])
        return found

    def _module_files(self, base: PurePosixPath | None, parts: list[str]) -> set[str]:
        """The files Python executes to import base/parts: package inits and the module."""
        found: set[str] = set()
        here = base if base is not None and str(base) != "." else None
        for part in parts:
            here = PurePosixPath(part) if here is None else here / part
            found |= self._package_init(here)
        if here is not None and self._is_file(f"{here}.py"):
            found.add(f"{here}.py")
        return found

    def _package_init(self, folder: PurePosixPath) -> set[str]:
        init = f"{folder}/__init__.py" if str(folder) != "." else "__init__.py"
        return {init} if self._is_file(init) else set()

    def _is_file(self, relative: str) -> bool:
        if _INSTALLED & set(PurePosixPath(relative).parts):
            return False
        return (self.root / relative).is_file()


def _search_roots(file: str, root: Path) -> tuple[str, ...]:
    """Where absolute imports are looked up: the file's folder, the root, then src/."""
    roots = [str(PurePosixPath(file).parent)]
    for candidate in (".", "src"):
        if candidate not in roots and (candidate == "." or (root / candidate).is_dir()):
            roots.append(candidate)
    return tuple("" if r == "." else r for r in roots)


def command_tokens(command: str) -> tuple[str, tuple[str, ...]] | None:
    """(script, other words) of a ``python [-u|-B|...] <script>.py ...`` command (or of pipeyard's
    parallel driver, whose script is its ``--entry-script``); None when the command is not one
    plain Python script run (``${{...}}`` placeholders count as words)."""
    try:
        words = shlex.split(_PLACEHOLDER.sub(" ", command), comments=False)
    except ValueError:
        return None
    if not words or not _PYTHON.match(words[0]):
        return None
    if any(w in _SHELL_OPERATORS or w.startswith((">", "<", "2>")) or "$(" in w for w in words):
        return None
    rest = words[1:]
    if rest[:2] == ["-m", PARALLEL_DRIVER] and "--entry-script" in rest:  # an Azure parallel job
        at = rest.index("--entry-script")
        rest = rest[at + 1 : at + 2] + rest[2:at] + rest[at + 2 :]
    while rest and rest[0].startswith("-"):
        if rest[0] in ("-m", "-c"):
            return None
        rest = rest[1:]
    if not rest or not rest[0].endswith(".py"):
        return None
    arguments = []
    for word in rest[1:]:
        arguments.append(word.split("=", 1)[1] if word.startswith("-") and "=" in word else word)
    return rest[0], tuple(a for a in arguments if a and not a.startswith("-"))


def _inside(folder: str, word: str) -> str | None:
    """word as a path relative to the project root when it names something inside folder."""
    if word.startswith("/") or "://" in word:
        return None
    path = posixpath.normpath(posixpath.join(folder, word))
    inside = path == folder or path.startswith(folder.rstrip("/") + "/") or folder == "."
    return path if inside and not path.startswith("..") else None
