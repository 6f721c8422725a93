"""A pipeline file as the designer shows and edits it: the text, whether pipeyard's loader
accepts it (and its one-line message when not), the graph for the canvas, and edits that are
refused when they would make the pipeline invalid.

A draft may lack connections for a while (a job just dropped on the canvas has unbound
required inputs): it is shown, marked incomplete, and cannot be saved until it loads.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...errors import DefinitionError, Location, PipeyardError
from ...loading import YAML_SUFFIXES, load_pipeline
from ...model import Pipeline
from .components import ProjectComponents, Resolver
from .edits import Edit, apply_edit
from .files import resolve, shown
from .graph import model_graph, yaml_graph
from .yamltext import parse

SDK_REASON = (
    "{path} is a Python (SDK) pipeline: its jobs and connections are Python code, which "
    "the designer shows but does not rewrite. Edit it in your editor; the canvas follows."
)


@dataclass(frozen=True)
class Inspection:
    """What the designer knows of a pipeline text."""

    path: str
    read_only: bool
    graph: dict[str, Any] | None
    problem: str | None = None  # the loader's one-line message, None when it loads
    incomplete: bool = False  # the only problem is inputs still to connect
    notes: tuple[str, ...] = ()
    reason: str | None = None  # why it is read-only

    @property
    def valid(self) -> bool:
        """True when pipeyard's loader accepts the text."""
        return self.problem is None

    def to_json(self) -> dict[str, Any]:
        """The JSON the page reads."""
        return {
            "path": self.path,
            "read_only": self.read_only,
            "reason": self.reason,
            "graph": self.graph,
            "valid": self.valid,
            "problem": self.problem,
            "incomplete": self.incomplete,
            "notes": list(self.notes),
        }


@dataclass
class Designer:
    """One project's pipeline files, loaded with its registries (resolver: None for none)."""

    root: Path
    resolver: Resolver | None = None
    notes: list[str] = field(default_factory=list)

    def inspect(self, relpath: str, text: str) -> Inspection:
        """Load text as the file relpath would be, and draw it."""
        path = resolve(self.root, relpath)
        name = shown(self.root, path)
        if not path.name.endswith(YAML_SUFFIXES):
            return self._python(path, name)
        components, pipeline, problem = self._load(path, name, text)
        try:
            tree = parse(text, name)
        except PipeyardError as error:
            return Inspection(name, False, None, one_line(error))
        graph = yaml_graph(tree.data, components, components.problems)
        incomplete = problem is not None and _only_unbound(problem, graph)
        return Inspection(name, False, graph, problem, incomplete, self._take_notes())

    def edit(self, relpath: str, text: str, edit: Edit) -> tuple[str, Inspection]:
        """The text after edit, and its inspection. Refused (UserError) when the edit itself is
        wrong, or when it leaves a problem other than inputs still to connect that the text
        before did not have."""
        path = resolve(self.root, relpath)
        name = shown(self.root, path)
        if not path.name.endswith(YAML_SUFFIXES):
            raise DefinitionError(SDK_REASON.format(path=name))
        components, _, before = self._load(path, name, text)
        edited = apply_edit(text, edit, components, name)
        after = self.inspect(relpath, edited.text)
        if after.problem is not None and not after.incomplete and after.problem != before:
            raise DefinitionError(
                f"refused: {after.problem}", hint="the pipeline would not load after this edit"
            )
        return edited.text, replace(after, notes=(*edited.notes, *after.notes))

    def _load(
        self, path: Path, name: str, text: str
    ) -> tuple[ProjectComponents, Pipeline | None, str | None]:
        """The components of the text's jobs, its Pipeline (None when it does not load) and
        the loader's one-line message."""
        pipeline, problem = None, None
        try:
            pipeline = self._load_text(path, name, text)
        except PipeyardError as error:
            problem = one_line(error)
        try:
            data = parse(text, name).data
            jobs = dict(data["jobs"]) if isinstance(data, dict) and isinstance(data.get("jobs"), dict) else {}
        except PipeyardError:
            jobs = {}
        loaded = {job.name: job.component for job in pipeline.jobs} if pipeline is not None else None
        return ProjectComponents(self.root.resolve(), path, jobs, self.resolver, loaded), pipeline, problem

    def _load_text(self, path: Path, name: str, text: str) -> Pipeline:
        """pipeyard's loader on text, as if it were the file at path: the text goes to a hidden
        file beside it (relative paths then resolve the same), removed right after."""
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.stem}.designer-", suffix=path.suffix, dir=path.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            try:
                return load_pipeline(Path(temporary), self.root.resolve(), resolve_component=self.resolver)
            except PipeyardError as error:
                _rename_location(error, shown(self.root, Path(temporary)), name)
                raise
        finally:
            os.unlink(temporary)

    def _python(self, path: Path, name: str) -> Inspection:
        reason = SDK_REASON.format(path=name)
        try:
            pipeline = load_pipeline(path, self.root.resolve(), resolve_component=self.resolver)
        except PipeyardError as error:
            return Inspection(name, True, None, one_line(error), reason=reason)
        return Inspection(name, True, model_graph(pipeline), reason=reason, notes=self._take_notes())

    def _take_notes(self) -> tuple[str, ...]:
        found = tuple(getattr(self.resolver, "notes", ()) or ())
        if found:
            self.resolver.notes.clear()  # type: ignore[union-attr]
        return found


def _rename_location(error: PipeyardError, temporary: str, real: str) -> None:
    if error.location is not None and error.location.file == temporary:
        error.location = Location(real, error.location.line, error.location.step)
    error.message = error.message.replace(temporary, real)


def one_line(error: PipeyardError) -> str:
    """The error as one line: where, what (the hint left out)."""
    where = f"{error.location}: " if error.location and str(error.location) else ""
    return f"{where}{error.message}"


def _only_unbound(problem: str, graph: dict[str, Any]) -> bool:
    """True when problem is the loader's 'required input ... is not bound' for an input the
    graph shows unconnected (the draft is incomplete, not wrong)."""
    if "is not bound" not in problem:
        return False
    return any(
        not port["optional"] and port.get("source") is None and f"'{port['name']}'" in problem
        for job in graph["jobs"]
        for port in job["inputs"]
    )


def unified_diff(path: str, before: str, after: str) -> str:
    """The change from before to after as `git diff` prints it (without the index line)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}", n=3
    )
    text = ""
    for line in lines:
        text += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
    return text
