"""Where a step may write: the rule that keeps outputs off the project's own files.

A step's outputs are deleted before it runs and replaced when it is restored from the cache,
so an output path that is, contains or lies inside something else of the project destroys it.
This module judges paths alone (POSIX, relative to the project root); it reads no disk. The
compiler feeds it what only the disk knows (symlinks, imported modules), and the cache asks
it again before deleting anything.

Protected are the repository itself (the root, ``.git``, ``.dvc``, ``.pipeyard``), the files
that define the project (``PROJECT_FILES``, the pipeline and component files), the code the
steps run, and the pipeline's source inputs: data inputs that no step writes. A step's output
read by a step downstream is not protected from the step that writes it: that is the graph.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..errors import DefinitionError, Location

# Folders of the repository's machinery: no output may be, contain or lie inside them.
RESERVED_FOLDERS = {
    ".git": "the git repository (.git)",
    ".dvc": "DVC's folder and cache (.dvc)",
    ".pipeyard": "pipeyard's run state (.pipeyard)",
}
# Files (and folders) that define a project, relative to its root.
PROJECT_FILES = {
    "pipeyard.yaml": "the project configuration (pipeyard.yaml)",
    "pipeyard.yml": "the project configuration (pipeyard.yml)",
    "pipeyard.lock.yaml": "the registry pins (pipeyard.lock.yaml)",
    "params.yaml": "the parameters file (params.yaml)",
    "dvc.yaml": "DVC's pipeline file (dvc.yaml)",
    "dvc.lock": "DVC's lock file (dvc.lock)",
    ".gitignore": "git's ignore file (.gitignore)",
    ".dvcignore": "DVC's ignore file (.dvcignore)",
    "conf": "the parameter configuration (conf/)",
}
OUTPUT_HINT = (
    "give the output a folder of its own, e.g. outputs/<step>/<output> "
    "(what pipeyard uses when 'path' is left out)"
)
_CONSEQUENCE = "running the step would delete or overwrite it"
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Protected:
    """A path no output may be, contain or lie inside, and what it is in the user's words."""

    path: str
    what: str


@dataclass(frozen=True)
class OutputClaim:
    """One output of one step and the path it writes (relative to the project root)."""

    step: str
    output: str
    path: str
    where: Location | None = None


@dataclass(frozen=True)
class InputUse:
    """One data input of one step and the path it reads (relative to the project root)."""

    step: str
    input: str
    path: str
    where: Location | None = None


def normalise(path: str) -> str:
    """path as a normalised POSIX path (backslashes become slashes; "" and "./" become ".")."""
    text = str(path)
    if (
        text
        and "." not in text
        and "\\" not in text
        and "//" not in text
        and text[0] != "/"
        and text[-1] != "/"
    ):
        return text  # already normal: the common case, kept fast for pipelines of many steps
    return posixpath.normpath(text.replace("\\", "/"))


def escape_problem(path: str) -> str | None:
    """Why path, relative to the project root, is not strictly inside the project; else None."""
    path = normalise(path)
    if posixpath.isabs(path) or _DRIVE.match(path):
        return "is an absolute path; outputs are relative to the project root"
    if path == ".." or path.startswith("../"):
        return "lies outside the project"
    if path == ".":
        return "is the project root; running the step would delete the whole repository"
    return None


def reserved_problem(path: str) -> str | None:
    """Why path is, or lies inside, .git, .dvc or .pipeyard (case-insensitively); else None."""
    first, _, rest = normalise(path).partition("/")
    what = RESERVED_FOLDERS.get(first.casefold())
    if what is None:
        return None
    return f"{'lies inside' if rest else 'is'} {what}; {_CONSEQUENCE}"


def project_files(conf_dir: str | None = None) -> tuple[Protected, ...]:
    """The repository's machinery and the project's definition files (conf_dir when not conf/)."""
    found = [Protected(path, what) for path, what in {**RESERVED_FOLDERS, **PROJECT_FILES}.items()]
    if conf_dir and normalise(conf_dir) != "conf":
        found.append(Protected(conf_dir, f"the parameter configuration ({normalise(conf_dir)}/)"))
    return tuple(found)


def ancestors(path: str) -> Iterator[str]:
    """The folders above path, nearest first ("a/b/c" gives "a/b", "a")."""
    end = path.rfind("/")
    while end > 0:
        yield path[:end]
        end = path.rfind("/", 0, end)


def source_inputs(
    inputs: Iterable[InputUse],
    outputs: Iterable[OutputClaim],
    upstream: Mapping[str, Iterable[str]],
) -> tuple[InputUse, ...]:
    """The inputs no step upstream of their reader writes: the data a pipeline starts from.

    upstream maps each step to the steps it reads from directly. An input is written by a step
    when it is that step's output or lies inside it; a step that is not upstream of the reader
    (the reader itself, one downstream, or an unrelated one) would overwrite it instead.
    """
    writers: dict[str, list[str]] = {}
    for claim in outputs:
        writers.setdefault(normalise(claim.path), []).append(claim.step)

    def written_upstream(use: InputUse) -> bool:
        path = normalise(use.path)
        steps = [step for p in (path, *ancestors(path)) for step in writers.get(p, ())]
        return any(_is_upstream(step, use.step, upstream) for step in steps if step != use.step)

    return tuple(use for use in inputs if not written_upstream(use))


def _is_upstream(step: str, of: str, upstream: Mapping[str, Iterable[str]]) -> bool:
    direct = upstream.get(of, ())
    if step in direct:  # the usual case: an input bound to an output of the step before
        return True
    seen, pending = {of}, list(direct)
    while pending:
        current = pending.pop()
        if current == step:
            return True
        if current not in seen:
            seen.add(current)
            pending.extend(upstream.get(current, ()))
    return False


class ProtectedPaths:
    """An index of protected paths that judges an output path in time linear in its depth."""

    def __init__(self, protected: Iterable[Protected]) -> None:
        self._exact: dict[str, Protected] = {}
        self._below: dict[str, Protected] = {}  # a folder -> something protected inside it
        for entry in protected:
            path = normalise(entry.path)
            if escape_problem(path):  # outside the project, or '.' (code: the whole project)
                continue
            self._exact.setdefault(path, entry)
            for folder in ancestors(path):
                self._below.setdefault(folder, entry)

    def problem(self, path: str) -> str | None:
        """Why writing path would destroy something of the project; None when it is safe."""
        path = normalise(path)
        found = escape_problem(path) or reserved_problem(path)
        if found:
            return found
        if path in self._exact:
            return f"is {self._exact[path].what}; {_CONSEQUENCE}"
        if path in self._below:
            return f"contains {self._below[path].what}; {_CONSEQUENCE}"
        for folder in ancestors(path):
            if folder in self._exact:
                return f"lies inside {self._exact[folder].what}; {_CONSEQUENCE}"
        return None


def unsafe_output(claim: OutputClaim, problem: str) -> DefinitionError:
    """The error that refuses claim: it names the step, the output and what it would destroy."""
    return DefinitionError(
        f"output '{claim.output}' at '{claim.path}' {problem}",
        location=claim.where or Location(step=claim.step),
        hint=OUTPUT_HINT,
    )


def check_outputs(claims: Iterable[OutputClaim], protected: ProtectedPaths) -> None:
    """Raise DefinitionError for the first output that is unsafe to write."""
    for claim in claims:
        problem = protected.problem(claim.path)
        if problem:
            raise unsafe_output(claim, problem)
